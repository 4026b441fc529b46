'use strict';
// The unmodified phoenix@1.8.16 client over the LongPoll transport (Node 20: the client uses
// fetch), against bin/phxserver. Reference: shared/reference/phoenix-protocol.md §6, §7.14.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { LongPoll } = require('phoenix');
const { startServer } = require('./helpers/server');
const {
  Presence, collect, connectSocket, disconnectAll, joinChannel, newSocket, nextMessage, pushAsync, waitFor,
} = require('./helpers/phoenix');
const { bytesOf, validToken } = require('./helpers/fixtures');

/** Raw LongPoll request: {httpStatus, headers, body (parsed JSON)}. */
async function lpFetch(server, query, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(`${server.url}/socket/longpoll?${query}`, { method, headers, body });
  const text = await res.text();
  return { httpStatus: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe('phoenix client over LongPoll', () => {
  let server;

  before(async () => { server = await startServer(); });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  /** An open LongPoll socket (fast client timers from helpers/phoenix). */
  async function longPoll(opts = {}) {
    const socket = newSocket(server.wsUrl, { transport: LongPoll, ...opts });
    await connectSocket(socket);
    return socket;
  }

  /** An open WebSocket socket. */
  async function webSocket(opts = {}) {
    const socket = newSocket(server.wsUrl, opts);
    await connectSocket(socket);
    return socket;
  }

  it('creates a session with 410 and a token, and answers JSON with the required headers', async () => {
    const res = await lpFetch(server, 'vsn=2.0.0&');
    assert.equal(res.httpStatus, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.body.status, 410);
    assert.equal(typeof res.body.token, 'string');
    assert.deepEqual(res.body.messages, []);
  });

  it('joins, pushes and gets the reply', async () => {
    const socket = await longPoll();
    const channel = socket.channel('room:lp-join', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    const reply = await pushAsync(channel, 'hello', { n: 1 });
    assert.equal(reply.status, 'ok', JSON.stringify(reply));
  });

  it('broadcasts both ways with a WebSocket client on the same channel', async () => {
    const [lp, ws] = await Promise.all([longPoll(), webSocket()]);
    const lpChannel = lp.channel('room:lp-mixed', {});
    const wsChannel = ws.channel('room:lp-mixed', {});
    assert.equal((await joinChannel(lpChannel)).status, 'ok');
    assert.equal((await joinChannel(wsChannel)).status, 'ok');

    const atWs = nextMessage(wsChannel, 'from_lp');
    assert.equal((await pushAsync(lpChannel, 'from_lp', { text: 'hi ws' })).status, 'ok');
    assert.equal((await atWs).text, 'hi ws');

    const atLp = nextMessage(lpChannel, 'from_ws');
    assert.equal((await pushAsync(wsChannel, 'from_ws', { text: 'hi lp' })).status, 'ok');
    assert.equal((await atLp).text, 'hi lp');
  });

  it('keeps the order of a burst of pushes (one ndjson batch)', async () => {
    const [lp, ws] = await Promise.all([longPoll(), webSocket()]);
    const lpChannel = lp.channel('room:lp-burst', {});
    const wsChannel = ws.channel('room:lp-burst', {});
    assert.equal((await joinChannel(lpChannel)).status, 'ok');
    assert.equal((await joinChannel(wsChannel)).status, 'ok');
    const atWs = collect(wsChannel, 'seq');
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => pushAsync(lpChannel, 'seq', { i })));
    assert.ok(replies.every((r) => r.status === 'ok'), JSON.stringify(replies));
    await waitFor(() => atWs.length === 30, 3000, '30 pushes at the WebSocket member');
    assert.deepEqual(atWs.map((p) => p.i), Array.from({ length: 30 }, (_, i) => i));
  });

  it('lists both members in Presence (LongPoll and WebSocket)', async () => {
    const [lp, ws] = await Promise.all([longPoll(), webSocket()]);
    const lpChannel = lp.channel('room:lp-presence', {});
    const wsChannel = ws.channel('room:lp-presence', {});
    const lpPresence = new Presence(lpChannel);
    const wsPresence = new Presence(wsChannel);
    assert.equal((await joinChannel(lpChannel)).status, 'ok');
    assert.equal((await joinChannel(wsChannel)).status, 'ok');
    await waitFor(() => lpPresence.list().length === 2 && wsPresence.list().length === 2, 3000, 'both members at both clients');
  });

  it('sends a binary push as a base64 line, delivered to the WebSocket client as an ArrayBuffer', async () => {
    const [lp, ws] = await Promise.all([longPoll(), webSocket()]);
    const lpChannel = lp.channel('room:lp-binary', {});
    const wsChannel = ws.channel('room:lp-binary', {});
    assert.equal((await joinChannel(lpChannel)).status, 'ok');
    assert.equal((await joinChannel(wsChannel)).status, 'ok');
    const atWs = nextMessage(wsChannel, 'blob');
    const sent = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
    const reply = await pushAsync(lpChannel, 'blob', new Uint8Array(sent).buffer);
    assert.equal(reply.status, 'ok', JSON.stringify(reply)); // the empty binary ack, as JSON
    assert.deepEqual(bytesOf(await atWs), sent);
  });

  it('authenticates with authToken (X-Phoenix-AuthToken header)', async () => {
    const socket = await longPoll({ authToken: validToken() });
    const outcome = await joinChannel(socket.channel('members:lp', {}));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));

    const refused = await lpFetch(server, 'vsn=2.0.0&', { headers: { 'X-Phoenix-AuthToken': 'not-a-jwt' } });
    assert.deepEqual(refused.body, { status: 403 });
  });

  /** A GET 410 carries a fresh token (every GET response does, §7.14), never the one sent. */
  function assertGone(body, sent, message) {
    assert.equal(body.status, 410, message);
    assert.equal(typeof body.token, 'string', message);
    assert.notEqual(body.token, sent, message);
    assert.deepEqual(Object.keys(body).sort(), ['status', 'token'], message);
  }

  it('answers a forged or foreign session token with 410 on GET and POST', async () => {
    const { body: created } = await lpFetch(server, 'vsn=2.0.0&');
    const forged = `${created.token.slice(0, -4)}AAAA`;
    for (const token of [forged, 'phxlp1.0000.bm9kZQ.c2ln']) {
      const query = `vsn=2.0.0&token=${encodeURIComponent(token)}`;
      assertGone((await lpFetch(server, query)).body, token);
      const post = await lpFetch(server, query, {
        method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: '[null,"1","phoenix","heartbeat",{}]',
      });
      assert.deepEqual(post.body, { status: 410 });
    }
    const header = await lpFetch(server, 'vsn=2.0.0', { headers: { 'x-phoenix-longpoll-token': forged } });
    assertGone(header.body, forged);
  });

  it('answers the CORS preflight', async () => {
    const res = await fetch(`${server.url}/socket/longpoll?vsn=2.0.0`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Headers': 'x-phoenix-authtoken' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-headers'), 'x-phoenix-authtoken');
    assert.equal(res.headers.get('access-control-allow-methods'), 'get, post, options');
    assert.equal(res.headers.get('access-control-max-age'), '3600');
  });

  // Last: it restarts the server, which ends every session of the file.
  it('reconnects and rejoins after a server restart (410 → 3410 → new session)', async () => {
    const socket = await longPoll();
    const channel = socket.channel('room:lp-restart', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    const closes = [];
    socket.onClose((event) => closes.push(event.code));
    let opens = 0;
    socket.onOpen(() => { opens += 1; });
    const oldToken = socket.conn.token; // the LongPoll transport's session token
    assert.match(oldToken, /^phxlp1\./);
    await server.restart();
    await waitFor(() => opens >= 1 && channel.state === 'joined', 10000, 'reopen and rejoin');
    // 3410 when the drain's 410 reached the held poll, 1011 when the restart cut it first.
    assert.ok(closes.some((code) => code === 3410 || code === 1011), `closes: ${closes}`);
    const stale = await lpFetch(server, `vsn=2.0.0&token=${encodeURIComponent(oldToken)}`);
    assertGone(stale.body, undefined, 'a token of the previous process is gone');
    const reply = await pushAsync(channel, 'after_restart', {});
    assert.equal(reply.status, 'ok');
  });
});
