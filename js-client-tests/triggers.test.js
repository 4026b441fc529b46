'use strict';
// Trigger functions (config `functions:` + `channels[].triggers`) seen by the unmodified
// phoenix client: rate_limit, a moderation webhook that rewrites and blocks, claim_match.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { startServer, TEST_JWT_SECRET } = require('./helpers/server');
const { verifySignature } = require('./helpers/signature');
const { connectSocket, disconnectAll, joinChannel, newSocket, nextMessage, pushAsync } = require('./helpers/phoenix');
const { validToken } = require('./helpers/fixtures');

const MODERATION_SECRET = 'moderation-secret';

/**
 * A moderation receiver: "badword" is blocked, text in capitals is rewritten to lower case,
 * anything else passes. Requests with a bad signature are answered 401 (→ on_error: deny).
 */
function startModerator() {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const signed = verifySignature(req.headers['x-phxserver-signature'], body, MODERATION_SECRET);
      const event = JSON.parse(body);
      requests.push({ signed, event });
      res.setHeader('Content-Type', 'application/json');
      if (!signed) {
        res.statusCode = 401;
        res.end('{}');
        return;
      }
      const text = String(event.payload && event.payload.body);
      if (text.includes('badword')) {
        res.end(JSON.stringify({ allow: false, reason: 'no bad words here' }));
      } else if (text !== text.toLowerCase()) {
        res.end(JSON.stringify({ allow: true, payload: { body: text.toLowerCase(), moderated: true } }));
      } else {
        res.end(JSON.stringify({ allow: true }));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, requests }));
  });
}

function configFor(moderatorPort) {
  return `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "${TEST_JWT_SECRET}", algorithms: [HS256]}}
channels:
  - pattern: "limited:*"
    permissions: [anonymous_clients, client_public_messaging]
    triggers: [{event: message, function: five_per_minute}]
  - pattern: "moderated:*"
    permissions: [anonymous_clients, client_public_messaging]
    triggers: [{event: message, function: moderate}]
  - pattern: "team/{team_id}/workspace/*"
    permissions: [authenticated_only_public_messaging]
    triggers: [{event: join, function: team_member}]
functions:
  five_per_minute: {type: rate_limit, limit: 5, per: 1m}
  team_member: {type: claim_match, segment: team_id, claim: team_ids}
  moderate: {type: webhook, url: "http://127.0.0.1:${moderatorPort}/moderate", timeout: 2s, on_error: deny, secret: "${MODERATION_SECRET}"}
`;
}

describe('trigger functions', () => {
  let server;
  let moderator;

  before(async () => {
    moderator = await startModerator();
    server = await startServer({ config: configFor(moderator.port) });
  });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
    if (moderator) await new Promise((resolve) => moderator.server.close(resolve));
  });

  async function joined(topic, opts) {
    const socket = newSocket(server.wsUrl, opts);
    await connectSocket(socket);
    const channel = socket.channel(topic, {});
    const outcome = await joinChannel(channel);
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
    return channel;
  }

  it('refuses the 6th message within a minute with the rate limit reason', async () => {
    const channel = await joined('limited:room');
    for (let i = 1; i <= 5; i += 1) {
      const outcome = await pushAsync(channel, 'shout', { n: i });
      assert.equal(outcome.status, 'ok', `message ${i}: ${JSON.stringify(outcome)}`);
    }
    const sixth = await pushAsync(channel, 'shout', { n: 6 });
    assert.deepEqual(sixth, { status: 'error', response: { reason: 'rate limit exceeded: 5 messages per 1m0s' } });
  });

  it('keeps a separate bucket per anonymous client', async () => {
    const channel = await joined('limited:other');
    const outcome = await pushAsync(channel, 'shout', { n: 1 });
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
  });

  it('delivers the payload rewritten by the moderation webhook', async () => {
    const listener = await joined('moderated:lobby');
    const sender = await joined('moderated:lobby');
    const delivered = nextMessage(listener, 'shout');
    const outcome = await pushAsync(sender, 'shout', { body: 'HELLO THERE' });
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
    const payload = await delivered;
    assert.equal(payload.body, 'hello there');
    assert.equal(payload.moderated, true);
    const seen = moderator.requests.find((r) => r.event.payload && r.event.payload.body === 'HELLO THERE');
    assert.ok(seen, 'the moderator saw the original message');
    assert.equal(seen.signed, true, 'signature verifies');
    assert.equal(seen.event.event, 'message');
    assert.equal(seen.event.channel, 'moderated:lobby');
    assert.equal(seen.event.client.authenticated, false);
    assert.match(seen.event.client.client_id, /^[0-9a-f-]{36}$/);
  });

  it('blocks a message with the webhook reason and delivers nothing', async () => {
    const listener = await joined('moderated:blocked');
    const sender = await joined('moderated:blocked');
    const received = [];
    listener.on('shout', (payload) => received.push(payload));
    const outcome = await pushAsync(sender, 'shout', { body: 'this has a badword' });
    assert.deepEqual(outcome, { status: 'error', response: { reason: 'no bad words here' } });
    // A later allowed message arrives and is the first one: the blocked one was never delivered.
    const next = nextMessage(listener, 'shout');
    assert.equal((await pushAsync(sender, 'shout', { body: 'fine' })).status, 'ok');
    assert.equal((await next).body, 'fine');
    assert.deepEqual(received.map((p) => p.body), ['fine']);
  });

  it('admits team members to their team workspace only', async () => {
    const token = validToken({ team_ids: [7] });
    const socket = newSocket(server.wsUrl, { params: { token } });
    await connectSocket(socket);
    const own = await joinChannel(socket.channel('team/7/workspace/x', {}));
    assert.equal(own.status, 'ok', JSON.stringify(own));
    const otherChannel = socket.channel('team/8/workspace/x', {});
    const other = await joinChannel(otherChannel);
    otherChannel.leave(); // stop the client's rejoin loop
    assert.deepEqual(other, { status: 'error', response: { reason: 'not a member of team_id 8' } });
  });

  it('compares claims as strings (a "7" claim admits team 7)', async () => {
    const socket = newSocket(server.wsUrl, { params: { token: validToken({ team_ids: ['7'] }) } });
    await connectSocket(socket);
    const outcome = await joinChannel(socket.channel('team/7/workspace/y', {}));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
  });
});
