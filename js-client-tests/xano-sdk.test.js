'use strict';
// End-to-end: the unmodified @xano/js-sdk@3.0.1 against phxserver's /rt/<canonical> endpoint
// (reference: shared/reference/xano-realtime.md §1–§5, §10; design/channels-and-permissions.md
// §3–§5). Each SDK client runs in its own child process (helpers/xano.js), because the SDK keeps
// one process-wide socket; the server listens with TLS on 127.0.0.1:443, where the SDK dials.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { XanoDriver, rawXano, restartXanoServer, startXanoServer } = require('./helpers/xano');
const { signHS256 } = require('./helpers/jwt');
const { TEST_JWT_SECRET } = require('./helpers/server');
const { httpRequest } = require('./helpers/scenarios');
const {
  Presence, connectSocket, disconnectAll, joinChannel, newSocket, nextMessage, pushAsync, waitFor,
} = require('./helpers/phoenix');
const { UUID_RE } = require('./helpers/fixtures');

// How long "nothing arrives" is observed for; loopback answers take well under that.
const QUIET_MS = 300;
const API_KEY = 'xano-test-api-key';
const ANONYMOUS_PERMISSIONS = { dbo_id: 0, row_id: 0 };

const CHANNELS = `  - {pattern: "chat/*", permissions: [anonymous_clients, presence, client_public_messaging, client_authenticated_messaging, client_private_messaging], history: 25}
  - {pattern: "staff/*", permissions: [presence, authenticated_only_public_messaging]}`;

/** A token for the test secret; presence claims (auth.jwt.claims.presence) are [name]. */
function jillToken(extra = {}) {
  return signHS256({ sub: '42', name: 'Jill', dbo_id: 7, role: 'agent', ...extra }, TEST_JWT_SECRET);
}

describe('@xano/js-sdk against the Xano transport', () => {
  let server;
  let drivers = [];

  before(async () => {
    server = await startXanoServer({ channelsYaml: CHANNELS, extraServerYaml: `api: {keys: ["${API_KEY}"]}\n` });
  });
  afterEach(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    drivers = [];
    await disconnectAll();
  });
  after(async () => { if (server) await server.stop(); });

  /** A started SDK client (own process), configured with the server's canonical and token. */
  async function sdk(name, { token, canonical } = {}) {
    const driver = new XanoDriver(server.cert, name);
    drivers.push(driver);
    await driver.init(canonical || server.canonical, token);
    return driver;
  }

  /** An SDK client that has joined `channel` and whose socket is open. */
  async function joined(name, channel, { token, options = {} } = {}) {
    const driver = await sdk(name, { token });
    await driver.channel(channel, options);
    await driver.waitOpen();
    return driver;
  }

  /** Sends a public message and returns the sender's own echo (which names its socketId). */
  async function echo(driver, channel, payload, options) {
    const since = driver.events.length;
    await driver.message(channel, payload, options);
    return driver.waitAction(channel, 'message', { since, match: (a) => sameJSON(a.payload, payload) });
  }

  function sameJSON(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  /** Asserts nothing matching predicate reaches driver (from index since) within QUIET_MS. */
  async function assertNothing(driver, predicate, since, what) {
    const events = await driver.eventsWithin(QUIET_MS, predicate, since);
    assert.deepEqual(events, [], `${driver.name} should get no ${what}`);
  }

  const isMessage = (channel, text) => (e) => e.type === 'on' && e.channel === channel
    && e.action.action === 'message' && e.action.payload && e.action.payload.text === text;

  describe('connection', () => {
    it('echoes the token as the subprotocol and accepts no subprotocol (raw ws)', async () => {
      const token = jillToken();
      const authed = await rawXano(server, { protocols: [token] });
      assert.ok(authed.ok, `authenticated handshake failed: ${authed.error}`);
      assert.equal(authed.client.handshakeHeaders['sec-websocket-protocol'], token);
      assert.equal(authed.client.protocol, token);
      authed.client.close();

      const anon = await rawXano(server);
      assert.ok(anon.ok, `anonymous handshake failed: ${anon.error}`);
      assert.equal(anon.client.handshakeHeaders['sec-websocket-protocol'], undefined);
      anon.client.close();
    });

    for (const [label, token] of [['anonymous', undefined], ['authenticated', jillToken()]]) {
      it(`the SDK connects ${label} and opens exactly one socket`, async () => {
        const driver = await joined(label, `chat/connect-${label}`, { token });
        const opens = driver.events.filter((e) => e.type === 'open');
        assert.equal(opens.length, 1, driver.describe());
        assert.equal(opens[0].protocol, token || '');
        await driver.waitAction(`chat/connect-${label}`, 'connection_status', {
          match: (a) => a.payload.status === 'connected',
        });
      });
    }

    it('an invalid token is echoed and the SDK continues anonymously', async () => {
      const ch = 'chat/invalid-token';
      const bad = signHS256({ sub: '42', name: 'Mallory' }, 'not-the-secret');
      const driver = await joined('mallory', ch, { token: bad });
      assert.equal(driver.events.find((e) => e.type === 'open').protocol, bad);
      const { client } = (await echo(driver, ch, { text: 'who' })).action;
      assert.deepEqual(client, { socketId: client.socketId, extras: {}, permissions: ANONYMOUS_PERMISSIONS });
    });

    it('closes an unknown canonical with 4004 and the SDK does not reconnect', async () => {
      const raw = await rawXano(server, { canonical: 'unknownCanonicalXXXXXXXXXXX' });
      const closed = await raw.client.waitClosed();
      assert.equal(closed && closed.code, 4004, raw.client.describeFrames());

      const driver = await sdk('unknown', { canonical: 'unknownCanonicalXXXXXXXXXXX' });
      await driver.channel('chat/unknown', {});
      const close = await driver.waitEvent((e) => e.type === 'close', { description: 'a close' });
      assert.equal(close.code, 4004);
      // The SDK's first retry would come after 1 s: watch for 1.5 s.
      const dials = await driver.eventsWithin(1500, (e) => e.type === 'socket');
      assert.equal(dials.length, 1, `expected one connection attempt:\n${driver.describe()}`);
    });
  });

  describe('presence', () => {
    it('presence_full includes self; others get join (never about themselves) and leave', async () => {
      const ch = 'chat/presence';
      const ann = await joined('ann', ch, { options: { presence: true } });
      const full = await ann.waitAction(ch, 'presence_full');
      assert.equal(full.action.payload.presence.length, 1, ann.describe());
      const annSelf = full.action.payload.presence[0];
      assert.match(annSelf.socketId, UUID_RE);
      assert.deepEqual(annSelf, { socketId: annSelf.socketId, extras: {}, permissions: ANONYMOUS_PERMISSIONS });
      const annEcho = await echo(ann, ch, { text: 'who am i' });
      assert.equal(annEcho.action.client.socketId, annSelf.socketId, 'presence_full must list the member itself');

      const annSince = ann.events.length;
      const jill = await joined('jill', ch, { token: jillToken(), options: { presence: true } });
      const update = await ann.waitAction(ch, 'presence_update', { since: annSince, match: (a) => a.payload.action === 'join' });
      const jillEntry = update.action.payload.presence;
      assert.deepEqual(jillEntry.extras, { name: 'Jill' });
      assert.equal(jillEntry.permissions.dbo_id, 7);
      assert.notEqual(jillEntry.socketId, annSelf.socketId);

      const jillFull = await jill.waitAction(ch, 'presence_full');
      assert.deepEqual(jillFull.action.payload.presence.map((c) => c.socketId).sort(),
        [annSelf.socketId, jillEntry.socketId].sort());
      await assertNothing(jill, (e) => e.type === 'on' && e.action.action === 'presence_update'
        && e.action.payload.presence.socketId === jillEntry.socketId, 0, 'presence_update about itself');
      assert.equal((await jill.presence(ch)).length, 2, 'the SDK presence cache must not hold duplicates');

      const leaveSince = ann.events.length;
      await jill.destroy(ch);
      const leave = await ann.waitAction(ch, 'presence_update', { since: leaveSince, match: (a) => a.payload.action === 'leave' });
      assert.equal(leave.action.payload.presence.socketId, jillEntry.socketId);
      assert.deepEqual((await ann.presence(ch)).map((c) => c.socketId), [annSelf.socketId]);
    });

    it('members joining at once all end with the same presence list, without duplicates', async () => {
      const ch = 'chat/presence-race';
      const names = ['p1', 'p2', 'p3', 'p4'];
      const started = await Promise.all(names.map((n, i) => sdk(n, { token: i % 2 ? jillToken({ sub: String(50 + i), name: n }) : undefined })));
      await Promise.all(started.map((d) => d.channel(ch, { presence: true })));
      await Promise.all(started.map((d) => d.waitOpen()));
      const lists = [];
      for (const d of started) {
        const deadline = Date.now() + 3000;
        let list = await d.presence(ch);
        while (list.length !== names.length && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          list = await d.presence(ch);
        }
        lists.push(list.map((c) => c.socketId).sort());
      }
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS)); // late duplicates would show now
      for (let i = 0; i < started.length; i++) {
        const ids = (await started[i].presence(ch)).map((c) => c.socketId).sort();
        assert.equal(new Set(ids).size, names.length, `${names[i]} presence cache: ${JSON.stringify(ids)}\n${started[i].describe()}`);
        assert.deepEqual(ids, lists[0]);
      }
    });
  });

  describe('messages', () => {
    it('echoes a public message to the sender with the anonymous client object', async () => {
      const ch = 'chat/public-anon';
      const ann = await joined('ann', ch);
      const got = await echo(ann, ch, { text: 'hi' });
      const { client, options } = got.action;
      assert.match(client.socketId, UUID_RE);
      assert.deepEqual(client, { socketId: client.socketId, extras: {}, permissions: ANONYMOUS_PERMISSIONS });
      assert.equal(options.channel, ch);
      assert.ok(!options.authenticated, `options.authenticated should be falsy: ${JSON.stringify(options)}`);
      assert.ok(!options.socketId, `options.socketId should be empty: ${JSON.stringify(options)}`);
    });

    it('echoes a public message with the authenticated client object (extras, dbo_id)', async () => {
      const ch = 'chat/public-auth';
      const jill = await joined('jill', ch, { token: jillToken() });
      const { client } = (await echo(jill, ch, { text: 'hi from jill' })).action;
      assert.deepEqual(client.extras, { name: 'Jill' });
      assert.equal(client.permissions.dbo_id, 7);
      assert.equal(String(client.permissions.row_id), '42');
    });

    it('sends row_id of an integer sub as a JSON number (SDK type: number)', async () => {
      const ch = 'chat/rowid';
      const jill = await joined('jill', ch, { token: jillToken() });
      const { client } = (await echo(jill, ch, { text: 'row id' })).action;
      assert.equal(client.permissions.row_id, 42);
    });

    it('delivers an authenticated-audience message only to authenticated members', async () => {
      const ch = 'chat/audience';
      const ann = await joined('ann', ch);
      const bob = await joined('bob', ch, { token: jillToken({ sub: '43', name: 'Bob' }) });
      const jill = await joined('jill', ch, { token: jillToken() });
      const since = { ann: ann.events.length, bob: bob.events.length };
      const own = await echo(jill, ch, { text: 'members only' }, { authenticated: true });
      assert.equal(own.action.options.authenticated, true);
      const got = await bob.waitEvent(isMessage(ch, 'members only'), { since: since.bob, description: 'the message' });
      assert.equal(got.action.options.authenticated, true);
      assert.deepEqual(got.action.client.extras, { name: 'Jill' });
      await assertNothing(ann, isMessage(ch, 'members only'), since.ann, 'authenticated-audience message');

      // The same members still get public messages (the filter is the audience, not membership).
      await echo(jill, ch, { text: 'everyone' });
      await ann.waitEvent(isMessage(ch, 'everyone'), { since: since.ann, description: 'the public message' });
    });

    it('delivers a presence client .message() only to its target', async () => {
      const ch = 'chat/private';
      const bob = await joined('bob', ch, { options: { presence: true } });
      const bobId = (await echo(bob, ch, { text: 'i am bob' })).action.client.socketId;
      const cat = await joined('cat', ch, { options: { presence: true } });
      const ann = await joined('ann', ch, { options: { presence: true } });
      await ann.waitAction(ch, 'presence_full');
      const since = { ann: ann.events.length, bob: bob.events.length, cat: cat.events.length };

      await ann.privateMessage(ch, bobId, { text: 'psst' });
      const got = await bob.waitEvent(isMessage(ch, 'psst'), { since: since.bob, description: 'the private message' });
      assert.equal(got.action.options.socketId, bobId);
      assert.equal(got.action.options.channel, ch);
      assert.notEqual(got.action.client.socketId, bobId, 'client is the sender');
      await assertNothing(cat, isMessage(ch, 'psst'), since.cat, 'private message for someone else');
      await assertNothing(ann, isMessage(ch, 'psst'), since.ann, 'echo of its private message');
    });

    it('routes a refused join to the error callback with payload.message', async () => {
      const ch = 'staff/1';
      const ann = await joined('ann', ch);
      const err = await ann.waitAction(ch, 'error', { kind: 'error' });
      assert.equal(err.action.options.channel, ch);
      assert.equal(typeof err.action.payload.message, 'string');
      assert.match(err.action.payload.message, /anonymous/i);
      assert.ok(!ann.events.some((e) => e.type === 'on' && e.action.action === 'error'), 'onFunc never sees errors');
      // Nothing joined: a message to the channel is refused too, and reaches no member.
      const jill = await joined('jill', ch, { token: jillToken() });
      const since = jill.events.length;
      await ann.message(ch, { text: 'let me in' });
      await ann.waitAction(ch, 'error', { kind: 'error', since: ann.events.indexOf(err) + 1 });
      await assertNothing(jill, isMessage(ch, 'let me in'), since, 'message from a refused member');
    });
  });

  describe('history', () => {
    it('keeps the last 25 messages oldest first, on request and on join {history:true}', async () => {
      const ch = 'chat/history';
      const ann = await joined('ann', ch, { options: { history: true } });
      const first = await ann.waitAction(ch, 'history');
      assert.deepEqual(first.action.payload.history, [], 'empty history on join');

      for (let i = 1; i <= 27; i++) await ann.message(ch, { text: `m${i}` });
      await ann.waitEvent(isMessage(ch, 'm27'), { description: 'the last echo' });
      const since = ann.events.length;
      await ann.history(ch);
      const reply = await ann.waitAction(ch, 'history', { since });
      const texts = (h) => h.action.payload.history.map((item) => item.payload.text);
      const expected = Array.from({ length: 25 }, (_, i) => `m${i + 3}`);
      assert.deepEqual(texts(reply), expected);
      const item = reply.action.payload.history[0];
      assert.equal(item.action, 'message');
      assert.equal(item.options.channel, ch);
      assert.deepEqual(item.client.permissions, ANONYMOUS_PERMISSIONS);

      const bob = await joined('bob', ch, { options: { history: true } });
      assert.deepEqual(texts(await bob.waitAction(ch, 'history')), expected);
      const plain = await joined('cat', ch);
      await assertNothing(plain, (e) => e.type === 'on' && e.action.action === 'history', 0, 'history without history:true');
    });

    it('hides authenticated-audience messages from anonymous askers and never stores private ones', async () => {
      const ch = 'chat/history-filter';
      const jill = await joined('jill', ch, { token: jillToken(), options: { presence: true } });
      const ann = await joined('ann', ch, { options: { presence: true } }); // tracked, so jill can target it
      const annId = (await echo(ann, ch, { text: 'public' })).action.client.socketId;
      await echo(jill, ch, { text: 'members' }, { authenticated: true });
      await jill.waitAction(ch, 'presence_update', { match: (a) => a.payload.presence.socketId === annId });
      await jill.privateMessage(ch, annId, { text: 'private' });
      await ann.waitEvent(isMessage(ch, 'private'), { description: 'the private message' });

      const texts = async (driver) => {
        const since = driver.events.length;
        await driver.history(ch);
        const h = await driver.waitAction(ch, 'history', { since });
        return h.action.payload.history.map((item) => item.payload.text);
      };
      assert.deepEqual(await texts(ann), ['public']);
      assert.deepEqual(await texts(jill), ['public', 'members']);
    });
  });

  describe('reconnect', () => {
    it('realtimeReconnect() after setRealtimeAuthToken upgrades the identity', async () => {
      const ch = 'chat/upgrade';
      const ann = await joined('ann', ch);
      const before = (await echo(ann, ch, { text: 'anon' })).action.client;
      assert.deepEqual(before.extras, {});

      await ann.setRealtimeAuthToken(jillToken());
      const since = ann.events.length;
      await ann.realtimeReconnect();
      const close = await ann.waitEvent((e) => e.type === 'close', { since, description: 'the close' });
      assert.equal(close.code, 4000, 'the server must echo the 4000 close code');
      const open = await ann.waitEvent((e) => e.type === 'open', { since, timeoutMs: 4000, description: 'the reconnect' });
      assert.ok(open.protocol, 'the new socket carries the token');
      await ann.waitAction(ch, 'connection_status', { since: open.index, match: (a) => a.payload.status === 'connected' });
      // The SDK re-sends join on open; a message may race it, so retry until it is echoed.
      let after;
      for (let attempt = 0; attempt < 10 && !after; attempt++) {
        const from = ann.events.length;
        await ann.message(ch, { text: `authed ${attempt}` });
        after = await ann.waitEvent(isMessage(ch, `authed ${attempt}`), { since: from, timeoutMs: 300 }).catch(() => null);
      }
      assert.ok(after, `no echo after the reconnect:\n${ann.describe(since)}`);
      assert.deepEqual(after.action.client.extras, { name: 'Jill' });
      assert.equal(after.action.client.permissions.dbo_id, 7);
      assert.notEqual(after.action.client.socketId, before.socketId, 'a new connection has a new socketId');
    });

    it('a server restart (drain) makes the SDK reconnect and re-join', async () => {
      const ch = 'chat/restart';
      const ann = await joined('ann', ch, { options: { presence: true } });
      await ann.waitAction(ch, 'presence_full');
      const since = ann.events.length;
      await restartXanoServer(server);
      const close = await ann.waitEvent((e) => e.type === 'close', { since, description: 'the drain close' });
      assert.equal(close.code, 1012, 'drain closes with 1012 (service restart), which the SDK retries');
      const open = await ann.waitEvent((e) => e.type === 'open', { since, timeoutMs: 8000, description: 'the reconnect' });
      const full = await ann.waitAction(ch, 'presence_full', { since: open.index, description: 'presence after the re-join' });
      assert.equal(full.action.payload.presence.length, 1);
      const got = await echo(ann, ch, { text: 'back' });
      assert.equal(got.action.client.socketId, full.action.payload.presence[0].socketId);
    });
  });

  describe('phoenix interop', () => {
    it('a phoenix client and an SDK client exchange messages and see each other in presence', async () => {
      const ch = 'chat/mixed';
      const socket = newSocket(server.wsUrl, { params: { token: jillToken({ sub: '77', name: 'Phil' }) } });
      await connectSocket(socket);
      const channel = socket.channel(ch, {});
      const presence = new Presence(channel);
      assert.equal((await joinChannel(channel)).status, 'ok');

      const ann = await joined('ann', ch, { options: { presence: true } });
      const annId = (await echo(ann, ch, { text: 'hello phoenix' })).action.client.socketId;
      // Phoenix Presence lists the Xano member under its client_id (= its socketId).
      await waitFor(() => presence.list((key, { metas }) => metas).flat().some((m) => m.client_id === annId),
        3000, 'the Xano member in the Phoenix presence list');

      // The Xano message reaches Phoenix as event "message" with a server-set sender.
      const fromXano = nextMessage(channel, 'message');
      await ann.message(ch, { text: 'to phoenix' });
      const payload = await fromXano;
      assert.equal(payload.text, 'to phoenix');
      assert.equal(payload.sender.client_id, annId);
      assert.equal(payload.sender.authenticated, false);

      const since = ann.events.length;
      const reply = await pushAsync(channel, 'message', { text: 'to xano' });
      assert.equal(reply.status, 'ok', JSON.stringify(reply));
      const got = await ann.waitEvent(isMessage(ch, 'to xano'), { since, description: 'the Phoenix message' });
      assert.deepEqual(got.action.client.extras, { name: 'Phil' });
      const philId = got.action.client.socketId;

      const members = await ann.presence(ch);
      assert.ok(members.some((c) => c.socketId === philId && c.extras.name === 'Phil'),
        `the Phoenix member in the Xano presence: ${JSON.stringify(members)}`);
    });
  });

  describe('server events', () => {
    it('a server broadcast (POST /api/broadcast) reaches SDK members as an event action', async () => {
      const ch = 'chat/events';
      const ann = await joined('ann', ch);
      const jill = await joined('jill', ch, { token: jillToken() });
      const post = (body) => httpRequest(server.port, 'POST', '/api/broadcast', {
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      // Without auth_table/auth_id every member gets the event.
      let annSince = ann.events.length;
      let res = await post({ channel: ch, event: 'order_shipped', payload: { order_id: 55 } });
      assert.equal(res.status, 202, JSON.stringify(res));
      const ev = (await ann.waitAction(ch, 'event', { since: annSince })).action;
      assert.deepEqual(ev.payload, { data: { order_id: 55 }, dbo_id: 0, row_id: 0 });
      assert.equal(ev.options.channel, ch);
      // With them (Xano's auth_table/auth_id) only that authenticated user gets it.
      annSince = ann.events.length;
      const jillSince = jill.events.length;
      res = await post({ channel: ch, event: 'order_shipped', payload: { order_id: 56 }, xano: { dbo_id: 7, row_id: 42 } });
      assert.equal(res.status, 202, JSON.stringify(res));
      const mine = (await jill.waitAction(ch, 'event', { since: jillSince, match: (a) => a.payload.data.order_id === 56 })).action;
      assert.deepEqual(mine.payload, { data: { order_id: 56 }, dbo_id: 7, row_id: 42 });
      const annGot = await ann.eventsWithin(QUIET_MS,
        (e) => e.action && e.action.action === 'event' && e.action.payload.data.order_id === 56, annSince);
      assert.deepEqual(annGot, [], 'an anonymous member must not get an event addressed to a user');
    });
  });
});
