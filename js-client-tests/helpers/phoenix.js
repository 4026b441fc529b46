'use strict';
// The unmodified phoenix@1.8.16 client, wired to the `ws` package (Node 20 has no
// global WebSocket) with short timers so reconnects and rejoins happen quickly.

// The package's "exports" map only exposes the root; for require() it resolves to the
// shipped bundle priv/static/phoenix.cjs.js (checked below so a packaging change is loud).
const PHOENIX_ENTRY = require.resolve('phoenix');
if (!PHOENIX_ENTRY.endsWith(require('node:path').join('priv', 'static', 'phoenix.cjs.js'))) {
  throw new Error(`phoenix resolved to ${PHOENIX_ENTRY}, expected priv/static/phoenix.cjs.js`);
}
const { Socket, Channel, Presence } = require('phoenix');
const WebSocket = require('ws');

const FAST_OPTIONS = {
  transport: WebSocket,
  heartbeatIntervalMs: 1000,
  timeout: 1500,
  rejoinAfterMs: () => 200,
  reconnectAfterMs: () => 100,
};

// Sockets made by newSocket, so a test file can disconnect them all in after().
const openSockets = new Set();

/** Creates a phoenix Socket for endpoint url (e.g. ws://127.0.0.1:4000/socket) with fast timers. */
function newSocket(url, opts = {}) {
  const socket = new Socket(url, { ...FAST_OPTIONS, ...opts });
  openSockets.add(socket);
  return socket;
}

/** Connects the socket and resolves once it is open (rejects on timeout). */
function connectSocket(socket, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket did not open within ${timeoutMs} ms`)), timeoutMs);
    socket.onOpen(() => { clearTimeout(timer); resolve(socket); });
    socket.connect();
  });
}

/** Disconnects one socket and resolves when it is closed. */
function disconnectSocket(socket) {
  openSockets.delete(socket);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    socket.disconnect(() => { clearTimeout(timer); resolve(); });
  });
}

/** Disconnects every socket made by newSocket. */
async function disconnectAll() {
  await Promise.all([...openSockets].map(disconnectSocket));
}

/**
 * Resolves with the outcome of a Push (join or push): {status: "ok"|"error"|"timeout", response}.
 * Only the first outcome counts; later rejoin replies are ignored.
 */
function pushOutcome(push) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status) => (response) => {
      if (settled) return;
      settled = true;
      resolve({ status, response });
    };
    push.receive('ok', settle('ok'))
      .receive('error', settle('error'))
      .receive('timeout', settle('timeout'));
  });
}

/** channel.join() as a promise of {status, response}. */
function joinChannel(channel, timeoutMs) {
  return pushOutcome(channel.join(timeoutMs));
}

/** channel.push(event, payload) as a promise of {status, response}. */
function pushAsync(channel, event, payload, timeoutMs) {
  return pushOutcome(channel.push(event, payload, timeoutMs));
}

/**
 * Polls predicate until it returns a truthy value, which is resolved; rejects after timeoutMs
 * with the description. Use this for synchronisation instead of fixed sleeps.
 */
function waitFor(predicate, timeoutMs = 3000, description = 'condition') {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      let value;
      try {
        value = predicate();
      } catch (err) {
        reject(err);
        return;
      }
      if (value) {
        resolve(value);
      } else if (Date.now() > deadline) {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
      } else {
        setTimeout(poll, 10);
      }
    };
    poll();
  });
}

/** Resolves with the payload of the next `event` the channel delivers (rejects on timeout). */
function nextMessage(channel, event, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.off(event, ref);
      reject(new Error(`no "${event}" on ${channel.topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const ref = channel.on(event, (payload) => {
      clearTimeout(timer);
      channel.off(event, ref);
      resolve(payload);
    });
  });
}

/** Records every payload of `event` on the channel into an array (for "nothing arrived" checks). */
function collect(channel, event) {
  const received = [];
  channel.on(event, (payload) => received.push(payload));
  return received;
}

/** Resolves after ms; only for asserting that nothing happens within a window. */
function quietPeriod(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  Channel,
  Presence,
  Socket,
  WebSocket,
  collect,
  connectSocket,
  disconnectAll,
  disconnectSocket,
  joinChannel,
  newSocket,
  nextMessage,
  pushAsync,
  pushOutcome,
  quietPeriod,
  waitFor,
};
