'use strict';
// Conformance of phxserver with the unmodified phoenix@1.8.16 client and with exact
// wire frames (reference: shared/reference/phoenix-protocol.md, checklist §7).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./helpers/server');
const {
  collect, connectSocket, disconnectAll, disconnectSocket, joinChannel, newSocket, nextMessage,
  pushAsync, waitFor,
} = require('./helpers/phoenix');
const { connectRaw, decodeServerBinary, encodeBinaryPush, socketUrl, tryConnect } = require('./helpers/rawws');
const { signHS256 } = require('./helpers/jwt');
const {
  assertAnonymousSender, assertObject, authTokenProtocol, bytesOf, validToken,
} = require('./helpers/fixtures');

// How long "nothing arrives" is observed for; the server answers on loopback in well under that.
const QUIET_MS = 300;
const OK_EMPTY = { status: 'ok', response: {} };
const UNMATCHED = { status: 'error', response: { reason: 'unmatched topic' } };

describe('phoenix client and wire conformance', () => {
  let server;
  const rawClients = [];

  before(async () => { server = await startServer(); });
  after(async () => {
    rawClients.forEach((client) => client.close());
    await disconnectAll();
    if (server) await server.stop();
  });

  /** A connected phoenix socket. */
  async function connected(opts) {
    const socket = newSocket(server.wsUrl, opts);
    await connectSocket(socket);
    return socket;
  }

  /** A raw V2 WebSocket client (or V1 with vsn null), closed after the file. */
  async function raw({ vsn = '2.0.0', params, protocols } = {}) {
    const client = await connectRaw(socketUrl(server.wsUrl, { vsn, params }), { protocols });
    rawClients.push(client);
    return client;
  }

  /** Asserts no frame matching predicate arrives (from index since) within QUIET_MS. */
  async function assertNothing(client, predicate, since, what) {
    const frames = await client.framesWithin(QUIET_MS, predicate, since);
    assert.deepEqual(frames.map((f) => f.text || f.bytes.toString('hex')), [], `expected no ${what}`);
  }

  describe('join', () => {
    it('accepts an anonymous join of room:* with an ok object reply', async () => {
      const socket = await connected();
      const channel = socket.channel('room:join-ok', {});
      const { status, response } = await joinChannel(channel);
      assert.equal(status, 'ok');
      assertObject(response, 'join response');
      assert.equal(channel.state, 'joined');
    });

    it('refuses an anonymous join of members:* with the reason', async () => {
      const socket = await connected();
      const channel = socket.channel('members:x', {});
      const outcome = await joinChannel(channel);
      channel.leave(); // stop the client's endless rejoin loop
      assert.deepEqual(outcome, { status: 'error', response: { reason: 'anonymous clients cannot join this channel' } });
    });

    it('accepts a token passed in socket params', async () => {
      const socket = await connected({ params: { token: validToken() } });
      const outcome = await joinChannel(socket.channel('members:params', {}));
      assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
    });

    it('accepts a token passed as authToken (Sec-WebSocket-Protocol)', async () => {
      const socket = await connected({ authToken: validToken() });
      const outcome = await joinChannel(socket.channel('members:authtoken', {}));
      assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
    });

    it('answers the authToken subprotocol with "phoenix" only, never the token entry', async () => {
      const token = validToken();
      const client = await raw({ protocols: ['phoenix', authTokenProtocol(token)] });
      assert.equal(client.handshakeHeaders['sec-websocket-protocol'], 'phoenix');
      assert.equal(client.protocol, 'phoenix');
      const reply = await client.joinV2('members:raw-authtoken', '1');
      assert.deepEqual(reply.json.slice(0, 4), ['1', '1', 'members:raw-authtoken', 'phx_reply']);
      assert.equal(reply.json[4].status, 'ok', reply.text);
    });

    it('does not require a subprotocol when none is offered', async () => {
      const client = await raw();
      assert.equal(client.handshakeHeaders['sec-websocket-protocol'], undefined);
    });

    describe('refuses invalid tokens with HTTP 403 on the upgrade', () => {
      const now = Math.floor(Date.now() / 1000);
      const cases = [
        { name: 'not a JWT', token: 'not-a-jwt' },
        { name: 'wrong secret', token: signHS256({ sub: 'u' }, 'other-secret') },
        { name: 'expired', token: signHS256({ sub: 'u', iat: now - 7200, exp: now - 3600 }, 'test-secret') },
        { name: 'alg none', token: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"u"}').toString('base64url')}.` },
      ];
      for (const { name, token } of cases) {
        it(`${name} in params`, async () => {
          const result = await tryConnect(socketUrl(server.wsUrl, { params: { token } }));
          assert.equal(result.status, 403, `expected 403, got ${result.ok ? 'an open socket' : (result.status || result.error)}`);
          if (result.ok) result.client.close();
        });
        it(`${name} as authToken`, async () => {
          const result = await tryConnect(socketUrl(server.wsUrl), { protocols: ['phoenix', authTokenProtocol(token)] });
          assert.equal(result.status, 403, `expected 403, got ${result.ok ? 'an open socket' : (result.status || result.error)}`);
          if (result.ok) result.client.close();
        });
      }
    });

    it('makes the phoenix client report an error, not an open socket, for an invalid token', async () => {
      const socket = newSocket(server.wsUrl, { params: { token: 'not-a-jwt' } });
      let opened = 0;
      let errors = 0;
      socket.onOpen(() => { opened += 1; });
      socket.onError(() => { errors += 1; });
      socket.connect();
      await waitFor(() => errors >= 2, 3000, 'two connection errors');
      await disconnectSocket(socket);
      assert.equal(opened, 0);
    });
  });

  describe('push and broadcast', () => {
    it('replies ok {} to a permitted push', async () => {
      const socket = await connected();
      const channel = socket.channel('room:push', {});
      assert.equal((await joinChannel(channel)).status, 'ok');
      assert.deepEqual(await pushAsync(channel, 'shout', { text: 'hi' }), OK_EMPTY);
    });

    it('delivers a push to every member, sender included, with a server-set sender', async () => {
      const [alice, bob] = await Promise.all([connected(), connected()]);
      const aliceChannel = alice.channel('room:broadcast', {});
      const bobChannel = bob.channel('room:broadcast', {});
      assert.equal((await joinChannel(aliceChannel)).status, 'ok');
      assert.equal((await joinChannel(bobChannel)).status, 'ok');
      const atAlice = collect(aliceChannel, 'shout');
      const atBob = collect(bobChannel, 'shout');

      const reply = await pushAsync(aliceChannel, 'shout', { text: 'hello', sender: 'forged' });
      assert.deepEqual(reply, OK_EMPTY);
      await waitFor(() => atAlice.length >= 1 && atBob.length >= 1, 2000, 'the broadcast at both members');
      const aliceId = assertAnonymousSender(atBob[0].sender);
      assert.deepEqual(atBob[0], { text: 'hello', sender: { client_id: aliceId, authenticated: false } });
      assert.deepEqual(atAlice[0], atBob[0]);

      await pushAsync(bobChannel, 'shout', { text: 'back' });
      await waitFor(() => atAlice.length >= 2, 2000, 'the second broadcast');
      const bobId = assertAnonymousSender(atAlice[1].sender);
      assert.notEqual(bobId, aliceId, 'each connection has its own client_id');
    });

    it('sends broadcasts as [null, null, topic, event, payload] frames', async () => {
      const client = await raw();
      assert.equal((await client.joinV2('room:raw-broadcast', '5')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendV2('5', '6', 'room:raw-broadcast', 'shout', { n: 1 });
      const reply = await client.waitV2({ ref: '6' }, { since });
      assert.deepEqual(reply.json, ['5', '6', 'room:raw-broadcast', 'phx_reply', OK_EMPTY]);
      const broadcast = await client.waitV2({ event: 'shout' }, { since });
      const clientId = assertAnonymousSender(broadcast.json[4].sender);
      assert.deepEqual(broadcast.json, [null, null, 'room:raw-broadcast', 'shout', { n: 1, sender: { client_id: clientId, authenticated: false } }]);
    });

    it('names an authenticated sender with user_id and role', async () => {
      const listener = await raw();
      assert.equal((await listener.joinV2('room:auth-sender', '1')).json[4].status, 'ok');
      const socket = await connected({ params: { token: validToken({ sub: 'user-42', role: 'admin' }) } });
      const channel = socket.channel('room:auth-sender', {});
      assert.equal((await joinChannel(channel)).status, 'ok');
      const since = listener.frames.length;
      assert.deepEqual(await pushAsync(channel, 'shout', { text: 'signed' }), OK_EMPTY);
      const frame = await listener.waitV2({ event: 'shout' }, { since });
      const { sender } = frame.json[4];
      assertObject(sender, 'sender');
      assert.deepEqual(frame.json[4], {
        text: 'signed',
        sender: { client_id: sender.client_id, authenticated: true, user_id: 'user-42', role: 'admin' },
      });
    });

    describe('delivers a non-object payload unchanged', () => {
      const payloads = [
        { name: 'string', payload: 'plain text' },
        { name: 'number', payload: 42 },
        { name: 'array', payload: [1, 'two', { three: 3 }] },
        { name: 'boolean', payload: true },
      ];
      payloads.forEach(({ name, payload }, i) => {
        it(name, async () => {
          const client = await raw();
          const topic = `room:non-object-${i}`;
          assert.equal((await client.joinV2(topic, '1')).json[4].status, 'ok');
          const since = client.frames.length;
          client.sendV2('1', '2', topic, 'shout', payload);
          const reply = await client.waitV2({ ref: '2' }, { since });
          assert.deepEqual(reply.json, ['1', '2', topic, 'phx_reply', OK_EMPTY]);
          const broadcast = await client.waitV2({ event: 'shout' }, { since });
          assert.deepEqual(broadcast.json, [null, null, topic, 'shout', payload]);
        });
      });
    });
  });

  describe('binary frames', () => {
    it('replies to an ArrayBuffer push with an empty binary ok and broadcasts the exact bytes', async () => {
      const [alice, bob] = await Promise.all([connected(), connected()]);
      const aliceChannel = alice.channel('room:binary', {});
      const bobChannel = bob.channel('room:binary', {});
      assert.equal((await joinChannel(aliceChannel)).status, 'ok');
      assert.equal((await joinChannel(bobChannel)).status, 'ok');
      const atAlice = collect(aliceChannel, 'blob');
      const atBob = collect(bobChannel, 'blob');

      const sent = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
      const bytes = new Uint8Array(sent).buffer;
      const reply = await pushAsync(aliceChannel, 'blob', bytes);
      assert.equal(reply.status, 'ok');
      assert.equal(bytesOf(reply.response).length, 0);
      await waitFor(() => atAlice.length >= 1 && atBob.length >= 1, 2000, 'the binary broadcast at both members');
      assert.deepEqual(bytesOf(atAlice[0]), sent);
      assert.deepEqual(bytesOf(atBob[0]), sent);
    });

    it('uses the exact reply (kind 1) and broadcast (kind 2) layouts', async () => {
      const client = await raw();
      const topic = 'room:binary-raw';
      assert.equal((await client.joinV2(topic, '7')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendBinary(encodeBinaryPush('7', '8', topic, 'blob', [9, 8, 7]));
      const reply = await client.waitFrame((f) => f.binary && f.bytes[0] === 1, { since, description: 'binary reply' });
      assert.deepEqual(reply.bytes, Buffer.concat([Buffer.from([1, 1, 1, topic.length, 2]), Buffer.from(`78${topic}ok`)]));
      const broadcast = await client.waitFrame((f) => f.binary && f.bytes[0] === 2, { since, description: 'binary broadcast' });
      assert.deepEqual(decodeServerBinary(broadcast.bytes), { kind: 2, topic, event: 'blob', payload: Buffer.from([9, 8, 7]) });
      const texts = client.frames.slice(since).filter((f) => !f.binary && f.json && (f.json[3] === 'phx_reply' || f.json[3] === 'blob'));
      assert.deepEqual(texts.map((f) => f.text), [], 'binary pushes are answered in binary frames only');
    });
  });

  describe('heartbeat', () => {
    it('answers socket.ping', async () => {
      const socket = await connected();
      const rtt = await new Promise((resolve, reject) => {
        if (!socket.ping(resolve)) reject(new Error('ping was not sent'));
      });
      assert.equal(typeof rtt, 'number');
      assert.ok(rtt >= 0);
    });

    it('keeps a client with a short heartbeat interval connected', async () => {
      const socket = newSocket(server.wsUrl, { heartbeatIntervalMs: 100 });
      let closes = 0;
      let heartbeatReplies = 0;
      socket.onClose(() => { closes += 1; });
      socket.onMessage((msg) => {
        if (msg.topic === 'phoenix' && msg.event === 'phx_reply' && msg.payload.status === 'ok') heartbeatReplies += 1;
      });
      await connectSocket(socket);
      await waitFor(() => heartbeatReplies >= 3, 3000, 'three heartbeat replies');
      assert.equal(closes, 0);
      assert.ok(socket.isConnected());
    });

    it('replies with the exact frame [null, ref, "phoenix", "phx_reply", ok {}] with no channel joined', async () => {
      const client = await raw();
      client.sendV2(null, '7', 'phoenix', 'heartbeat', {});
      const reply = await client.waitV2({ ref: '7' });
      assert.equal(reply.binary, false);
      assert.deepEqual(reply.json, [null, '7', 'phoenix', 'phx_reply', OK_EMPTY]);
    });
  });

  describe('refs', () => {
    it('echoes join_ref and ref as the exact strings received (join_ref != ref)', async () => {
      const client = await raw();
      const join = await client.joinV2('room:refs', '11', '1');
      assert.deepEqual(join.json.slice(0, 4), ['11', '1', 'room:refs', 'phx_reply']);
      assert.equal(join.json[4].status, 'ok');
      assertObject(join.json[4].response, 'join response');
      const since = client.frames.length;
      client.sendV2('11', '007', 'room:refs', 'shout', {});
      const reply = await client.waitV2({ ref: '007' }, { since });
      assert.deepEqual(reply.json, ['11', '007', 'room:refs', 'phx_reply', OK_EMPTY]);
    });

    it('ignores events that carry a stale join_ref', async () => {
      const client = await raw();
      assert.equal((await client.joinV2('room:stale-event', '21')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendV2('20', '22', 'room:stale-event', 'shout', { stale: true });
      // Presence frames may arrive meanwhile; only a reply or the broadcast would be wrong.
      await assertNothing(client, (f) => f.json && (f.json[1] === '22' || f.json[3] === 'shout'), since, 'reply or broadcast for a stale join_ref push');
    });

    it('accepts a null join_ref on an event for a joined topic', async () => {
      const client = await raw();
      assert.equal((await client.joinV2('room:nil-join-ref', '31')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendV2(null, '32', 'room:nil-join-ref', 'shout', {});
      const reply = await client.waitV2({ ref: '32' }, { since });
      assert.deepEqual(reply.json, ['31', '32', 'room:nil-join-ref', 'phx_reply', OK_EMPTY]);
    });
  });

  describe('duplicate join', () => {
    it('replies to the new join first, then closes the old join with its own join_ref', async () => {
      const client = await raw();
      const topic = 'room:duplicate';
      assert.equal((await client.joinV2(topic, '71')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendV2('72', '72', topic, 'phx_join', {});
      const reply = await client.waitV2({ ref: '72', event: 'phx_reply' }, { since });
      const close = await client.waitV2({ topic, event: 'phx_close' }, { since });
      assert.deepEqual(reply.json.slice(0, 4), ['72', '72', topic, 'phx_reply']);
      assert.equal(reply.json[4].status, 'ok');
      assert.deepEqual(close.json, ['71', '71', topic, 'phx_close', {}]);
      assert.ok(reply.index < close.index, `new join reply (#${reply.index}) must precede the old phx_close (#${close.index})`);

      // The new join is the live one: the old join_ref is stale, the new one works.
      const after = client.frames.length;
      client.sendV2('71', '73', topic, 'shout', {});
      client.sendV2('72', '74', topic, 'shout', {});
      const ok = await client.waitV2({ ref: '74' }, { since: after });
      assert.deepEqual(ok.json, ['72', '74', topic, 'phx_reply', OK_EMPTY]);
      await assertNothing(client, (f) => f.json && f.json[1] === '73', after, 'reply to the stale join_ref');
      await assertNothing(client, (f) => f.json && f.json[3] === 'phx_close', after, 'further phx_close');
    });
  });

  describe('leave', () => {
    it('replies ok, then sends phx_close with ref = join_ref', async () => {
      const client = await raw();
      const topic = 'room:leave';
      assert.equal((await client.joinV2(topic, '41')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendV2('41', '42', topic, 'phx_leave', {});
      const reply = await client.waitV2({ ref: '42' }, { since });
      const close = await client.waitV2({ event: 'phx_close' }, { since });
      assert.deepEqual(reply.json, ['41', '42', topic, 'phx_reply', OK_EMPTY]);
      assert.deepEqual(close.json, ['41', '41', topic, 'phx_close', {}]);
      assert.ok(reply.index < close.index, 'leave reply must precede phx_close');

      // The channel is gone: a push is now on an unjoined topic.
      const after = client.frames.length;
      client.sendV2('41', '43', topic, 'shout', {});
      const unmatched = await client.waitV2({ ref: '43' }, { since: after });
      assert.deepEqual(unmatched.json, [null, '43', topic, 'phx_reply', UNMATCHED]);
    });

    it('replies ok only for a topic that is not joined', async () => {
      const client = await raw();
      const topic = 'room:never-joined';
      const since = client.frames.length;
      client.sendV2('51', '52', topic, 'phx_leave', {});
      const reply = await client.waitV2({ ref: '52' }, { since });
      assert.deepEqual(reply.json, ['51', '52', topic, 'phx_reply', OK_EMPTY]);
      await assertNothing(client, (f) => f.json && f.json[3] === 'phx_close', since, 'phx_close');
    });

    it('ignores a leave with a stale join_ref', async () => {
      const client = await raw();
      const topic = 'room:leave-stale';
      assert.equal((await client.joinV2(topic, '61')).json[4].status, 'ok');
      const since = client.frames.length;
      client.sendV2('60', '62', topic, 'phx_leave', {});
      await assertNothing(client, (f) => f.json && (f.json[1] === '62' || f.json[3] === 'phx_close'), since, 'reply or phx_close after a stale leave');
      const after = client.frames.length;
      client.sendV2('61', '63', topic, 'shout', {});
      const reply = await client.waitV2({ ref: '63' }, { since: after });
      assert.deepEqual(reply.json, ['61', '63', topic, 'phx_reply', OK_EMPTY], 'the channel is still joined');
    });

    it('closes the channel for the phoenix client', async () => {
      const socket = await connected();
      const channel = socket.channel('room:client-leave', {});
      assert.equal((await joinChannel(channel)).status, 'ok');
      const closed = new Promise((resolve) => channel.onClose(resolve));
      const left = await new Promise((resolve) => channel.leave().receive('ok', () => resolve('ok')));
      assert.equal(left, 'ok');
      await closed;
      assert.equal(channel.state, 'closed');
      assert.ok(!socket.channels.includes(channel));
    });
  });

  describe('unmatched topic', () => {
    it('refuses a join with join_ref null', async () => {
      const client = await raw();
      const reply = await client.joinV2('nosuch:topic', '81');
      assert.deepEqual(reply.json, [null, '81', 'nosuch:topic', 'phx_reply', UNMATCHED]);
    });

    it('refuses a push on a topic that is not joined', async () => {
      const client = await raw();
      const since = client.frames.length;
      client.sendV2('82', '83', 'room:not-joined', 'shout', { text: 'x' });
      const reply = await client.waitV2({ ref: '83' }, { since });
      assert.deepEqual(reply.json, [null, '83', 'room:not-joined', 'phx_reply', UNMATCHED]);
    });

    it('reports it to the phoenix client as a join error', async () => {
      const socket = await connected();
      const channel = socket.channel('nosuch:topic', {});
      const outcome = await joinChannel(channel);
      channel.leave();
      assert.deepEqual(outcome, UNMATCHED);
    });
  });

  describe('channel limit', () => {
    it('refuses the 101st channel with "too many channels joined"', async () => {
      const client = await raw();
      const since = client.frames.length;
      for (let i = 0; i < 100; i++) client.sendV2(`${1000 + i}`, `${1000 + i}`, `room:many-${i}`, 'phx_join', {});
      for (let i = 0; i < 100; i++) {
        const reply = await client.waitV2({ ref: `${1000 + i}` }, { since });
        assert.equal(reply.json[4].status, 'ok', `join #${i + 1}: ${reply.text}`);
      }
      const refused = await client.joinV2('room:many-100', '2000');
      assert.deepEqual(refused.json, ['2000', '2000', 'room:many-100', 'phx_reply', { status: 'error', response: { reason: 'too many channels joined' } }]);

      // Leaving one frees a slot.
      const after = client.frames.length;
      client.sendV2('1000', '2001', 'room:many-0', 'phx_leave', {});
      await client.waitV2({ topic: 'room:many-0', event: 'phx_close' }, { since: after });
      const accepted = await client.joinV2('room:many-100', '2002');
      assert.equal(accepted.json[4].status, 'ok', accepted.text);
    });
  });

  describe('serializer versions', () => {
    for (const vsn of [null, '1.0.0']) {
      it(`speaks V1 JSON objects without join_ref when vsn is ${vsn === null ? 'missing' : vsn}`, async () => {
        const client = await raw({ vsn });
        const topic = `room:v1-${vsn === null ? 'none' : 'explicit'}`;
        client.sendJSON({ topic, event: 'phx_join', payload: {}, ref: '1', join_ref: '1' });
        const join = await client.waitFrame((f) => f.json && f.json.ref === '1', { description: 'V1 join reply' });
        assert.deepEqual(Object.keys(join.json).sort(), ['event', 'payload', 'ref', 'topic']);
        assert.equal(join.json.topic, topic);
        assert.equal(join.json.event, 'phx_reply');
        assert.equal(join.json.payload.status, 'ok');

        client.sendJSON({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '2' });
        const heartbeat = await client.waitFrame((f) => f.json && f.json.ref === '2', { description: 'V1 heartbeat reply' });
        assert.deepEqual(heartbeat.json, { topic: 'phoenix', event: 'phx_reply', payload: OK_EMPTY, ref: '2' });

        client.sendJSON({ topic, event: 'shout', payload: { a: 1 }, ref: '3', join_ref: '1' });
        const reply = await client.waitFrame((f) => f.json && f.json.ref === '3', { description: 'V1 push reply' });
        assert.deepEqual(reply.json, { topic, event: 'phx_reply', payload: OK_EMPTY, ref: '3' });
        const broadcast = await client.waitFrame((f) => f.json && f.json.event === 'shout', { description: 'V1 broadcast' });
        const clientId = assertAnonymousSender(broadcast.json.payload && broadcast.json.payload.sender);
        assert.deepEqual(broadcast.json, { topic, event: 'shout', payload: { a: 1, sender: { client_id: clientId, authenticated: false } }, ref: null });

        assert.deepEqual(client.frames.filter((f) => f.binary || Array.isArray(f.json)).map((f) => f.text), [], 'no V2 frames on a V1 socket');
      });
    }

    it('refuses vsn 123.1.1 with HTTP 403', async () => {
      const result = await tryConnect(socketUrl(server.wsUrl, { vsn: '123.1.1' }));
      if (result.ok) result.client.close();
      assert.equal(result.status, 403, `expected 403, got ${result.ok ? 'an open socket' : (result.status || result.error)}`);
    });
  });

  describe('channel pushes', () => {
    it('sends the join reply before the first push, which carries the join_ref and ref null', async () => {
      const client = await raw();
      const topic = 'room:push-order';
      const since = client.frames.length;
      client.sendV2('91', '91', topic, 'phx_join', {});
      const reply = await client.waitV2({ ref: '91', event: 'phx_reply' }, { since });
      const push = await client.waitV2({ topic, event: 'presence_state' }, { since });
      assert.ok(reply.index < push.index, 'the join reply precedes the presence_state push (§7.16)');
      assert.deepEqual(push.json.slice(0, 3), ['91', null, topic]);
      assertObject(push.json[4], 'presence_state payload');
    });
  });

  describe('hostile input', () => {
    it('stays healthy after malformed frames', async () => {
      const victim = await raw();
      victim.sendText('not json');
      victim.sendText('["1","1","room:x"]');
      victim.sendText('{"topic":1}');
      victim.sendBinary([0, 200, 200, 200, 200, 1]);
      victim.sendBinary([7]);
      victim.sendBinary([]);
      await victim.framesWithin(100);
      const bystander = await raw();
      bystander.sendV2(null, '5', 'phoenix', 'heartbeat', {});
      const reply = await bystander.waitV2({ ref: '5' });
      assert.deepEqual(reply.json, [null, '5', 'phoenix', 'phx_reply', OK_EMPTY]);
      const replies = victim.frames.filter((f) => f.json && f.json[3] === 'phx_reply' && f.json[4] && f.json[4].status === 'ok');
      assert.deepEqual(replies.map((f) => f.text), [], 'malformed frames are never answered ok');
    });
  });

  describe('server pushes to the phoenix client', () => {
    it('delivers a broadcast to a channel callback via nextMessage', async () => {
      const [alice, bob] = await Promise.all([connected(), connected()]);
      const aliceChannel = alice.channel('room:next-message', {});
      const bobChannel = bob.channel('room:next-message', {});
      assert.equal((await joinChannel(aliceChannel)).status, 'ok');
      assert.equal((await joinChannel(bobChannel)).status, 'ok');
      const arriving = nextMessage(bobChannel, 'greet');
      await pushAsync(aliceChannel, 'greet', { hi: 'bob' });
      const payload = await arriving;
      assert.equal(payload.hi, 'bob');
    });
  });
});

describe('server restart', () => {
  let server;
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  it('lets the phoenix client reconnect and rejoin with a new join ref, closing with a reconnect code', async () => {
    server = await startServer();
    const socket = newSocket(server.wsUrl);
    let opens = 0;
    socket.onOpen(() => { opens += 1; });
    await connectSocket(socket);
    const channel = socket.channel('room:restart', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    const firstJoinRef = channel.joinRef();
    const rawClient = await connectRaw(socketUrl(server.wsUrl));

    await server.restart();

    await waitFor(() => channel.state === 'joined' && channel.joinRef() !== firstJoinRef, 10000, 'a rejoin after the restart');
    assert.ok(opens >= 2, `socket opened ${opens} times`);
    assert.deepEqual(await pushAsync(channel, 'shout', { after: 'restart' }), OK_EMPTY);

    // Checked last so a wrong close code does not hide whether the rejoin works (§7.12).
    const closed = await rawClient.waitClosed(1000);
    assert.ok(closed, 'the server closed the raw connection on shutdown');
    assert.ok([1001, 1012].includes(closed.code), `close code should ask clients to reconnect (1001/1012), got ${closed.code} ${closed.reason}`);
  });
});
