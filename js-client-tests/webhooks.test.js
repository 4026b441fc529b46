'use strict';
// Outgoing webhooks (config `webhooks:`): a receiver started by the test gets signed `join`
// and `message` events for the channels it subscribed to, and nothing for the others.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { startServer, TEST_JWT_SECRET } = require('./helpers/server');
const { verifySignature } = require('./helpers/signature');
const { connectSocket, disconnectAll, joinChannel, newSocket, pushAsync, quietPeriod, waitFor } = require('./helpers/phoenix');
const { UUID_RE, validToken } = require('./helpers/fixtures');

const WEBHOOK_SECRET = 'webhook-secret';

/** A receiver recording every delivery with whether its signature verified. */
function startReceiver() {
  const deliveries = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      deliveries.push({
        path: req.url,
        signed: verifySignature(req.headers['x-phxserver-signature'], body, WEBHOOK_SECRET),
        contentType: req.headers['content-type'],
        event: JSON.parse(body),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, deliveries }));
  });
}

function configFor(port) {
  return `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "${TEST_JWT_SECRET}", algorithms: [HS256]}}
channels:
  - {pattern: "notifications:*", permissions: [anonymous_clients, client_public_messaging]}
  - {pattern: "quiet:*", permissions: [anonymous_clients, client_public_messaging]}
webhooks:
  - url: "http://127.0.0.1:${port}/events"
    channels: ["notifications:*"]
    events: [join, message]
    secret: "${WEBHOOK_SECRET}"
`;
}

describe('outgoing webhooks', () => {
  let server;
  let receiver;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({ config: configFor(receiver.port) });
  });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
    if (receiver) await new Promise((resolve) => receiver.server.close(resolve));
  });

  const find = (event, channel) => receiver.deliveries.find((d) => d.event.event === event && d.event.channel === channel);

  it('delivers signed join and message events', async () => {
    const socket = newSocket(server.wsUrl, { params: { token: validToken({ role: 'admin' }) } });
    await connectSocket(socket);
    const channel = socket.channel('notifications:orders', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    assert.equal((await pushAsync(channel, 'order_created', { order: 42 })).status, 'ok');

    const join = await waitFor(() => find('join', 'notifications:orders'), 5000, 'the join event');
    const message = await waitFor(() => find('message', 'notifications:orders'), 5000, 'the message event');
    for (const delivery of [join, message]) {
      assert.equal(delivery.signed, true, `signature of ${delivery.event.event} verifies`);
      assert.equal(delivery.path, '/events');
      assert.match(delivery.contentType, /^application\/json/);
      assert.match(delivery.event.id, UUID_RE);
      assert.ok(Math.abs(Date.parse(delivery.event.time) - Date.now()) < 60000, `time ${delivery.event.time}`);
      assert.deepEqual(
        { ...delivery.event.client, client_id: undefined },
        { client_id: undefined, authenticated: true, user_id: 'user-1', role: 'admin' },
      );
      assert.match(delivery.event.client.client_id, UUID_RE);
    }
    assert.notEqual(join.event.id, message.event.id);
    assert.equal(message.event.message_event, 'order_created');
    assert.equal(message.event.payload.order, 42);
    assert.equal(join.event.payload, undefined);
  });

  it('sends nothing for unsubscribed channels and events', async () => {
    const socket = newSocket(server.wsUrl);
    await connectSocket(socket);
    const quiet = socket.channel('quiet:room', {});
    assert.equal((await joinChannel(quiet)).status, 'ok');
    assert.equal((await pushAsync(quiet, 'hello', { x: 1 })).status, 'ok');
    const subscribed = socket.channel('notifications:leaving', {});
    assert.equal((await joinChannel(subscribed)).status, 'ok');
    await waitFor(() => find('join', 'notifications:leaving'), 5000, 'the join event');
    await new Promise((resolve) => subscribed.leave().receive('ok', resolve));
    await quietPeriod(300);
    assert.equal(receiver.deliveries.filter((d) => d.event.channel === 'quiet:room').length, 0);
    assert.equal(find('leave', 'notifications:leaving'), undefined, 'leave is not subscribed');
  });
});
