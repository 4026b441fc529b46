'use strict';
// Shared pieces of the permission, presence and token conformance files: tokens for named
// users, phoenix members of a topic, raw presence frames and a small HTTP client.

const assert = require('node:assert/strict');
const http = require('node:http');
const { TEST_JWT_SECRET } = require('./server');
const { signHS256 } = require('./jwt');
const { Presence, collect, connectSocket, joinChannel, newSocket } = require('./phoenix');

/** An HS256 token for user sub (extra claims merged; secret defaults to the test secret). */
function tokenFor(sub, claims = {}, secret = TEST_JWT_SECRET) {
  return signHS256({ sub, ...claims }, secret);
}

/**
 * Connects a phoenix socket (authenticated when token is given) and joins topic.
 * Resolves {socket, channel, outcome, messages(event)}; a refused join is left (no rejoin loop).
 * Pass listen: [events] to record those events from the join on (received[event]), and
 * presence: true for a phoenix Presence made before the join (m.presence).
 */
async function member(server, topic, { token, payload = {}, listen = [], presence = false } = {}) {
  const socket = newSocket(server.wsUrl, token ? { params: { token } } : {});
  await connectSocket(socket);
  const channel = socket.channel(topic, payload);
  const received = {};
  for (const event of listen) received[event] = collect(channel, event);
  const tracker = presence ? new Presence(channel) : null;
  const outcome = await joinChannel(channel);
  if (outcome.status !== 'ok') channel.leave();
  return { socket, channel, outcome, received, presence: tracker };
}

/** Like member but asserts the join succeeded. */
async function joinedMember(server, topic, options) {
  const m = await member(server, topic, options);
  assert.equal(m.outcome.status, 'ok', `join of ${topic} should succeed: ${JSON.stringify(m.outcome)}`);
  return m;
}

/** An HTTP request to the server: resolves {status, headers, body, json}. */
function httpRequest(port, method, urlPath, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request({
      host: '127.0.0.1', port, method, path: urlPath, timeout: 2000,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** The V2 presence frames (presence_state / presence_diff) of a raw client on topic. */
function presenceFrames(rawClient, topic, since = 0) {
  return rawClient.frames.slice(since).filter((f) => Array.isArray(f.json) && f.json[2] === topic
    && (f.json[3] === 'presence_state' || f.json[3] === 'presence_diff'));
}

module.exports = { httpRequest, joinedMember, member, presenceFrames, tokenFor };
