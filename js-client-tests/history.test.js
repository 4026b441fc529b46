'use strict';
// Channel history: the last N messages are returned on join ({history: true}) oldest first,
// filtered by what the member may receive, and survive a restart with engine.history_path.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startServer } = require('./helpers/server');
const { newSocket, connectSocket, joinChannel, pushAsync, disconnectAll } = require('./helpers/phoenix');
const { signHS256 } = require('./helpers/jwt');

let server;

before(async () => {
  const dir = require('node:fs').mkdtempSync(path.join(require('node:os').tmpdir(), 'phx-history-'));
  server = await startServer({ config: `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "test-secret", algorithms: [HS256]}}
engine: {history_path: "${path.join(dir, 'history.db')}"}
channels:
  - {pattern: "log:*", permissions: [anonymous_clients, client_public_messaging, client_authenticated_messaging], history: 3}
  - {pattern: "nohist:*", permissions: [anonymous_clients, client_public_messaging]}
` });
});

after(async () => {
  await disconnectAll();
  if (server) await server.stop();
});

async function joinWith(topic, params, payload) {
  const socket = newSocket(server.wsUrl, { params });
  await connectSocket(socket);
  const channel = socket.channel(topic, payload);
  const reply = await joinChannel(channel);
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  return { socket, channel, reply };
}

test('join with history returns the last N messages oldest first, filtered by audience', async () => {
  const token = signHS256({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 600 }, 'test-secret');
  const writer = await joinWith('log:a', { token }, {});
  for (let i = 1; i <= 4; i++) {
    assert.equal((await pushAsync(writer.channel, 'entry', { i })).status, 'ok');
  }
  assert.equal((await pushAsync(writer.channel, 'secret', { authenticated: true, s: 1 })).status, 'ok');

  const anon = await joinWith('log:a', {}, { history: true });
  const anonItems = anon.reply.response.history;
  assert.deepEqual(anonItems.map((h) => h.payload.i), [3, 4], 'anonymous sees public items only, oldest first');
  for (const h of anonItems) {
    assert.equal(h.event, 'entry');
    assert.equal(typeof h.seq, 'number');
    assert.ok(!Number.isNaN(Date.parse(h.at)));
    assert.equal(h.payload.sender.user_id, 'u1');
  }
  const authed = await joinWith('log:a', { token }, { history: true });
  assert.deepEqual(authed.reply.response.history.map((h) => h.event), ['entry', 'entry', 'secret']);

  const plain = await joinWith('log:a', {}, {});
  assert.equal(plain.reply.response.history, undefined, 'no history unless asked for');
  const none = await joinWith('nohist:a', {}, { history: true });
  assert.deepEqual(none.reply.response.history, [], 'a set without history returns an empty list');
});

test('history survives a restart with engine.history_path', async () => {
  const writer = await joinWith('log:durable', {}, {});
  for (let i = 1; i <= 2; i++) {
    assert.equal((await pushAsync(writer.channel, 'entry', { i })).status, 'ok');
  }
  await disconnectAll();
  await server.restart();
  const reader = await joinWith('log:durable', {}, { history: true });
  assert.deepEqual(reader.reply.response.history.map((h) => h.payload.i), [1, 2]);
});
