'use strict';
// Two phxserver nodes sharing Redis (engine.type: redis): clients on different nodes see each
// other's messages and presence, and a private message reaches a member on the other node.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./helpers/server');
const { haveRedis, startRedis } = require('./helpers/redis');
const { Presence, newSocket, connectSocket, joinChannel, pushAsync, nextMessage, waitFor, disconnectAll } = require('./helpers/phoenix');

const skip = !haveRedis() && !process.env.CI ? 'redis-server is not installed' : false;

let redis;
let nodeA;
let nodeB;

function config(url) {
  return `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "test-secret", algorithms: [HS256]}}
engine: {type: redis, redis: {url: "${url}"}, presence_window: 20ms}
channels:
  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging, client_private_messaging, presence]}
`;
}

before(async () => {
  if (skip) return;
  redis = await startRedis();
  nodeA = await startServer({ config: config(redis.url) });
  nodeB = await startServer({ config: config(redis.url) });
});

after(async () => {
  await disconnectAll();
  if (nodeA) await nodeA.stop();
  if (nodeB) await nodeB.stop();
  if (redis) await redis.stop();
});

async function member(server, topic) {
  const socket = newSocket(server.wsUrl);
  await connectSocket(socket);
  const channel = socket.channel(topic, {});
  const presence = new Presence(channel);
  const reply = await joinChannel(channel);
  assert.equal(reply.status, 'ok');
  return { socket, channel, presence };
}

test('messages cross nodes both ways', { skip }, async () => {
  const a = await member(nodeA, 'room:cross');
  const b = await member(nodeB, 'room:cross');
  await waitFor(() => b.presence.list().length === 2, 3000, 'node B sees both members');
  const atB = nextMessage(b.channel, 'shout');
  assert.equal((await pushAsync(a.channel, 'shout', { from: 'a' })).status, 'ok');
  const got = await atB;
  assert.equal(got.from, 'a');
  assert.equal(got.sender.client_id.length, 36);
  const atA = nextMessage(a.channel, 'shout');
  await pushAsync(b.channel, 'shout', { from: 'b' });
  assert.equal((await atA).from, 'b');
});

test('presence is replicated across nodes, including leaves', { skip }, async () => {
  const a = await member(nodeA, 'room:presence');
  const b = await member(nodeB, 'room:presence');
  await waitFor(() => a.presence.list().length === 2 && b.presence.list().length === 2, 3000, 'both nodes list both members');
  b.channel.leave();
  await waitFor(() => a.presence.list().length === 1, 3000, 'node A sees the leave from node B');
});

test('a private message reaches a tracked member on the other node only', { skip }, async () => {
  const a = await member(nodeA, 'room:dm');
  const b = await member(nodeB, 'room:dm');
  const c = await member(nodeB, 'room:dm');
  await waitFor(() => a.presence.list().length === 3, 3000, 'node A lists all three');
  // B learns its own client id from the sender object of its echo.
  const echo = nextMessage(b.channel, 'whoami');
  await pushAsync(b.channel, 'whoami', {});
  const bClientId = (await echo).sender.client_id;
  let cGot = 0;
  c.channel.on('psst', () => { cGot += 1; });
  const atB = nextMessage(b.channel, 'psst');
  const reply = await pushAsync(a.channel, 'psst', { target_client_id: bClientId });
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  assert.equal((await atB).target_client_id, bClientId);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(cGot, 0, 'a bystander on the same node received the private message');
});
