'use strict';
// The server HTTP API (channels/transport/httpapi) against a real phxserver and the
// unmodified phoenix@1.8.16 client: broadcast, channel listing, presence, history,
// disconnect, explain, authentication and reload.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { startServer, TEST_JWT_SECRET } = require('./helpers/server');
const {
  collect, connectSocket, disconnectAll, joinChannel, newSocket, nextMessage, pushAsync, quietPeriod, waitFor,
} = require('./helpers/phoenix');
const { signHS256 } = require('./helpers/jwt');

const API_KEY = 'js-api-key-0123456789';
const QUIET_MS = 300;

const CHANNELS = `  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging, presence], history: 10}
  - {pattern: "members:*", permissions: [authenticated_only_public_messaging]}
`;
const configWith = (extra) => `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "${TEST_JWT_SECRET}", algorithms: [HS256]}}
api: {keys: ["", "${API_KEY}"]}
channels:
${CHANNELS}${extra}`;
const INITIAL_CONFIG = configWith('  - {pattern: "gone:*", permissions: [anonymous_clients]}\n');
const RELOADED_CONFIG = configWith('  - {pattern: "extra:*", permissions: [anonymous_clients]}\n');

const token = (sub, claims = {}) => signHS256({ sub, ...claims }, TEST_JWT_SECRET);

describe('server API', () => {
  let server;

  before(async () => { server = await startServer({ config: INITIAL_CONFIG }); });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  /** One API request → {status, headers, body (parsed JSON)}. key null sends no header. */
  async function api(method, path, { body, key = API_KEY } = {}) {
    const headers = {};
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, {
      method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  async function joined(topic, params = {}) {
    const socket = newSocket(server.wsUrl, { params });
    await connectSocket(socket);
    const channel = socket.channel(topic, {});
    const { status } = await joinChannel(channel);
    assert.equal(status, 'ok', `join ${topic}`);
    return { socket, channel };
  }

  it('refuses a missing or wrong key with 401 and a Bearer challenge', async () => {
    for (const key of [null, 'wrong', `${API_KEY}x`, API_KEY.slice(0, -1)]) {
      const res = await api('GET', '/api/channels', { key });
      assert.equal(res.status, 401, `key ${key}`);
      assert.match(res.headers.get('www-authenticate'), /^Bearer/);
      assert.equal(typeof res.body.error, 'string');
    }
    const open = await api('GET', '/api/openapi.json', { key: null });
    assert.equal(open.status, 200);
    assert.match(open.body.openapi, /^3\.0\./);
    assert.ok(open.body.paths['/api/broadcast'].post);
  });

  it('answers bad requests with JSON errors', async () => {
    assert.equal((await api('POST', '/api/broadcast', { body: '{"channel":' })).status, 400);
    const unknown = await api('POST', '/api/broadcast', { body: { channel: 'room:1', event: 'e', extra: 1 } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /unknown field/);
    const wrongMethod = await api('GET', '/api/broadcast');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    assert.equal((await api('POST', '/api/broadcast', { body: { channel: 'room:1', event: 'phx_close' } })).status, 400);
  });

  it('broadcasts an event and payload to joined phoenix clients', async () => {
    const { channel } = await joined('room:api-broadcast');
    const next = nextMessage(channel, 'announcement');
    const res = await api('POST', '/api/broadcast', {
      body: { channel: 'room:api-broadcast', event: 'announcement', payload: { text: 'hello', n: 1 } },
    });
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { ok: true });
    assert.deepEqual(await next, { text: 'hello', n: 1 });
  });

  it('narrows a broadcast to one user with to.user_id', async () => {
    const alice = await joined('room:api-to', { token: token('alice') });
    const bob = await joined('room:api-to', { token: token('bob') });
    const anon = await joined('room:api-to');
    const bobGot = collect(bob.channel, 'dm');
    const anonGot = collect(anon.channel, 'dm');
    const next = nextMessage(alice.channel, 'dm');
    const res = await api('POST', '/api/broadcast', { body: { channel: 'room:api-to', event: 'dm', payload: { for: 'alice' }, to: { user_id: 'alice' } } });
    assert.equal(res.status, 202);
    assert.deepEqual(await next, { for: 'alice' });
    await quietPeriod(QUIET_MS);
    assert.deepEqual(bobGot, []);
    assert.deepEqual(anonGot, []);
  });

  it('lists channels with member and presence counts, and serves presence', async () => {
    await joined('room:api-count', { token: token('carol') });
    await joined('room:api-count');
    const list = await api('GET', '/api/channels');
    assert.equal(list.status, 200);
    const entry = list.body.channels.find((c) => c.channel === 'room:api-count');
    assert.deepEqual(entry, { channel: 'room:api-count', members: 2, presence: 2 });
    const names = list.body.channels.map((c) => c.channel);
    assert.deepEqual(names, [...names].sort());

    const presence = await api('GET', `/api/channels/${encodeURIComponent('room:api-count')}/presence`);
    assert.equal(presence.status, 200);
    assert.ok(presence.body.carol, 'authenticated member keyed by user_id');
    assert.equal(presence.body.carol.metas.length, 1);
    assert.equal(presence.body.carol.metas[0].user_id, 'carol');
    assert.equal(Object.keys(presence.body).length, 2);
  });

  it('serves a channel history, oldest first, with the trusted sender', async () => {
    const { channel } = await joined('room:api-history', { token: token('dave') });
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await pushAsync(channel, 'msg', { i })).status, 'ok');
    }
    const res = await api('GET', '/api/channels/room:api-history/history?limit=2');
    assert.equal(res.status, 200);
    assert.equal(res.body.history.length, 2);
    assert.deepEqual(res.body.history.map((h) => h.payload), [{ i: 1 }, { i: 2 }]);
    for (const item of res.body.history) {
      assert.equal(item.event, 'msg');
      assert.equal(item.audience, 'public');
      assert.equal(item.sender.user_id, 'dave');
      assert.equal(item.sender.authenticated, true);
      assert.ok(!Number.isNaN(Date.parse(item.at)));
    }
    assert.ok(res.body.history[1].seq > res.body.history[0].seq);
  });

  it('disconnects a user and the phoenix client reconnects', async () => {
    const { socket } = await joined('room:api-disconnect', { token: token('erin') });
    let closes = 0;
    let opens = 0;
    socket.onClose(() => { closes += 1; });
    socket.onOpen(() => { opens += 1; });
    const res = await api('POST', '/api/disconnect', { body: { user_id: 'erin' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { disconnected: 1 });
    await waitFor(() => closes >= 1 && opens >= 1, 3000, 'close then reconnect');
    assert.deepEqual((await api('POST', '/api/disconnect', { body: { user_id: 'nobody' } })).body, { disconnected: 0 });
  });

  it('explains permission decisions', async () => {
    const anonSend = await api('GET', '/api/explain?channel=members:1&action=send&anonymous=true');
    assert.equal(anonSend.status, 200);
    assert.equal(anonSend.body.allowed, false);
    assert.equal(anonSend.body.reason, 'anonymous clients cannot join this channel');

    const userSend = await api('GET', `/api/explain?channel=members:1&action=send&token=${token('frank')}`);
    assert.equal(userSend.body.allowed, true);
    assert.equal(userSend.body.set.pattern, 'members:*');
    assert.deepEqual(userSend.body.permissions, ['authenticated_only_public_messaging']);
    assert.deepEqual(userSend.body.identity, { authenticated: true, user_id: 'frank', role: '' });

    const bad = await api('GET', '/api/explain?channel=room:1&action=join&token=not.a.jwt');
    assert.equal(bad.status, 400);
    assert.equal(typeof bad.body.error, 'string');
  });

  it('reloads the config: a new channel becomes joinable, a removed one closes its members', async () => {
    const before = newSocket(server.wsUrl);
    await connectSocket(before);
    const early = await joinChannel(before.channel('extra:1', {}));
    assert.deepEqual(early, { status: 'error', response: { reason: 'unmatched topic' } });

    const { channel: goneChannel } = await joined('gone:1');
    let closed = false;
    goneChannel.onClose(() => { closed = true; });

    fs.writeFileSync(server.configFile, RELOADED_CONFIG);
    const res = await api('POST', '/api/reload');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true });

    await joined('extra:1');
    await waitFor(() => closed, 3000, 'phx_close on gone:1');

    fs.writeFileSync(server.configFile, 'channels: [{pattern: "x", permissions: [nope]}]\n');
    const refused = await api('POST', '/api/reload');
    assert.equal(refused.status, 409);
    assert.equal(typeof refused.body.error, 'string');
    await joined('extra:2'); // the previous configuration stays in force
  });
});
