'use strict';
// The unmodified @xano/js-sdk@3.0.1 against phxserver.
//
// The SDK dials wss://<hostname>:443/rt/<canonical> and keeps one process-wide socket, so:
// - startXanoServer runs phxserver with a TLS listener on 127.0.0.1:443 (self-signed cert);
// - every SDK client lives in its own child `node` process (this file run as a script: the
//   driver), started with NODE_EXTRA_CA_CERTS so the certificate is trusted. The parent sends
//   commands as JSON lines on stdin and reads replies and SDK callbacks as JSON lines on stdout.

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const DEFAULT_WAIT_MS = 3000;
/** The loopback address the SDK dials (instanceBaseUrl https://127.0.0.1 → wss://127.0.0.1:443). */
const XANO_HOST = '127.0.0.1';
/** A canonical of the Xano shape (27 base64url characters). */
const TEST_CANONICAL = 'Dl3HlakmBZDhezv6yml7hliTM20';

// ---------------------------------------------------------------------------------------------
// Parent side.

/**
 * Starts phxserver with a TLS listener on 127.0.0.1:443 serving /rt/<canonical>.
 * channelsYaml is the `channels:` list (YAML lines, each starting with "  - ").
 * @returns {Promise<object>} the startServer handle plus cert (from generateSelfSignedCert) and canonical.
 */
async function startXanoServer({ channelsYaml, canonical = TEST_CANONICAL, secret, extraServerYaml = '' } = {}) {
  const { startServer, TEST_JWT_SECRET } = require('./server');
  const { generateSelfSignedCert } = require('./tls');
  const cert = generateSelfSignedCert();
  const config = `server:
  socket_path: /socket
  demo: false
  tls: {listen: "${XANO_HOST}:443", cert_file: "${cert.certFile}", key_file: "${cert.keyFile}"}
  xano: {canonicals: ["${canonical}"]}
${extraServerYaml}auth: {invalid_token: reject, jwt: {secret: "${secret || TEST_JWT_SECRET}", algorithms: [HS256], claims: {presence: [name]}}}
limits: {max_channels_per_socket: 100}
channels:
${channelsYaml}
`;
  const server = await startServer({ config });
  await waitTlsListening(server);
  return { ...server, cert, canonical, xanoUrl: `wss://${XANO_HOST}/rt/${canonical}` };
}

/** Restarts the server (SIGTERM drain, then a new process) and waits for its TLS listener. */
async function restartXanoServer(server) {
  const seen = tlsListeningCount(server);
  await server.restart();
  await waitTlsListening(server, 5000, seen + 1);
}

function tlsListeningCount(server) {
  return server.logs.filter((l) => l.line.includes('listening (TLS)')).length;
}

/** The TLS listener starts right after the HTTP one: wait for its (count-th) log line. */
async function waitTlsListening(server, timeoutMs = 5000, count = 1) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (tlsListeningCount(server) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`phxserver TLS listener not up:\n${server.logs.map((l) => l.line).join('\n')}`);
}

/** One SDK client in a child process; events[] holds every SDK callback in arrival order. */
class XanoDriver {
  /** @param {{certFile:string}} cert the test certificate (trusted via NODE_EXTRA_CA_CERTS)  @param {string} name for messages */
  constructor(cert, name = 'xano') {
    this.name = name;
    this.events = [];
    this.pending = new Map();
    this.nextId = 1;
    this.waiters = new Set();
    this.stderr = '';
    this.proc = spawn(process.execPath, [__filename, '--driver'], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.certFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stderr.setEncoding('utf8').on('data', (c) => { this.stderr += c; });
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => this.onLine(line));
    this.proc.once('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`${this.name} driver exited: ${this.stderr}`));
      this.pending.clear();
    });
  }

  onLine(line) {
    let msg;
    try { msg = JSON.parse(line); } catch { return; }
    if (msg.reply !== undefined) {
      const p = this.pending.get(msg.reply);
      if (!p) return;
      this.pending.delete(msg.reply);
      if (msg.error) p.reject(new Error(`${this.name}: ${msg.error}`));
      else p.resolve(msg.result);
      return;
    }
    this.events.push({ index: this.events.length, ...msg });
    for (const w of [...this.waiters]) w();
  }

  /** Runs one driver command; resolves its result. */
  call(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  }

  /** Configures the SDK client (instanceBaseUrl https://127.0.0.1, canonical, optional token). */
  init(canonical, token) { return this.call('init', { canonical, token }); }

  /** client.channel(name, options).on(fn, errFn); waits for the socket to be open first. */
  channel(name, options = {}) { return this.call('channel', { name, options }); }

  /** channel.message(payload, options). */
  message(name, payload, options) { return this.call('message', { name, payload, options }); }

  /** Finds socketId in channel.getPresence() and calls that presence client's message(). */
  privateMessage(name, socketId, payload) { return this.call('privateMessage', { name, socketId, payload }); }

  /** channel.getPresence() as plain client objects. */
  presence(name) { return this.call('presence', { name }); }

  history(name) { return this.call('history', { name }); }

  destroy(name) { return this.call('destroy', { name }); }

  setRealtimeAuthToken(token) { return this.call('setToken', { token }); }

  realtimeReconnect() { return this.call('reconnect'); }

  /** Resolves once the SDK socket is open (readyState 1). */
  waitOpen(timeoutMs = DEFAULT_WAIT_MS) { return this.call('waitOpen', { timeoutMs }); }

  /** The first event (index >= since) matching predicate; rejects after timeoutMs listing what came. */
  waitEvent(predicate, { timeoutMs = DEFAULT_WAIT_MS, since = 0, description = 'a matching event' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(since).find(predicate);
        if (found) { cleanup(); resolve(found); }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: no ${description} within ${timeoutMs} ms; events:\n${this.describe(since)}`));
      }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for an SDK callback of `action` on channel `name` (kind: "on" or "error"). */
  waitAction(name, action, { kind = 'on', match = () => true, ...opts } = {}) {
    return this.waitEvent(
      (e) => e.type === kind && e.channel === name && e.action && e.action.action === action && match(e.action),
      { description: `${kind} ${action} on ${name}`, ...opts },
    );
  }

  /** The events (index >= since) matching predicate that arrived within ms. */
  async eventsWithin(ms, predicate = () => true, since = 0) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.events.slice(since).filter(predicate);
  }

  describe(since = 0) {
    const lines = this.events.slice(since).map((e) => `  #${e.index} ${JSON.stringify(e)}`);
    return lines.length ? lines.join('\n') : '  (none)';
  }

  /** Ends the child process (the SDK socket dies with it). */
  async close() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.stdin.end();
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * Opens a raw `ws` connection to /rt/<canonical> trusting the test certificate (no env needed).
 * Resolves {ok:true, client} (a rawws RawClient with handshakeHeaders) or {ok:false, error}.
 */
function rawXano(server, { canonical = server.canonical, protocols } = {}) {
  const WebSocket = require('ws');
  const { RawClient } = require('./rawws');
  return new Promise((resolve) => {
    const socket = new WebSocket(`wss://${XANO_HOST}/rt/${canonical}`, protocols, { ca: server.cert.cert, handshakeTimeout: DEFAULT_WAIT_MS });
    const client = new RawClient(socket);
    socket.once('upgrade', (res) => { client.handshakeHeaders = res.headers; });
    socket.once('open', () => resolve({ ok: true, client }));
    socket.once('error', (error) => resolve({ ok: false, error, client }));
  });
}

// ---------------------------------------------------------------------------------------------
// Driver side (this file run as `node xano.js --driver`).

function runDriver() {
  const WS = require('ws');
  const out = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

  // Instrumented WebSocket: the SDK's own socket, reporting each dial and close so tests can
  // count connection attempts and see close codes. Behaviour is unchanged.
  class CountingWebSocket extends WS {
    constructor(url, protocols, options) {
      super(url, protocols, options);
      out({ type: 'socket', url: String(url), protocols: protocols || null });
      this.addEventListener('open', () => out({ type: 'open', protocol: this.protocol }));
      this.addEventListener('close', (e) => out({ type: 'close', code: e.code, reason: e.reason }));
    }
  }
  globalThis.WebSocket = CountingWebSocket;
  const { XanoNodeClient } = require('@xano/js-sdk');
  const { XanoRealtimeState } = require('@xano/js-sdk/lib/models/realtime-state');

  let client = null;
  const channels = new Map();

  const plain = (c) => ({ socketId: c.socketId, extras: c.extras, permissions: c.permissions });
  const socket = () => XanoRealtimeState.getInstance().getSocket();
  const channelOf = (name) => {
    const ch = channels.get(name);
    if (!ch) throw new Error(`no channel ${name}`);
    return ch;
  };

  /** Creating a channel while the socket is CONNECTING throws in the SDK: wait it out. */
  async function waitNotConnecting(timeoutMs = DEFAULT_WAIT_MS) {
    const deadline = Date.now() + timeoutMs;
    while (socket() && socket().readyState === 0) {
      if (Date.now() > deadline) throw new Error('socket stuck in CONNECTING');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function waitOpen({ timeoutMs = DEFAULT_WAIT_MS }) {
    const deadline = Date.now() + timeoutMs;
    while (!socket() || socket().readyState !== 1) {
      if (Date.now() > deadline) throw new Error(`socket not open (readyState ${socket() ? socket().readyState : 'none'})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }

  const commands = {
    init({ canonical, token }) {
      const config = { instanceBaseUrl: `https://${XANO_HOST}`, realtimeConnectionCanonical: canonical };
      if (token) config.realtimeAuthToken = token;
      client = new XanoNodeClient(config);
      return true;
    },
    async channel({ name, options }) {
      await waitNotConnecting();
      const ch = client.channel(name, options);
      ch.on(
        (action) => out({ type: 'on', channel: name, action }),
        (action) => out({ type: 'error', channel: name, action }),
      );
      channels.set(name, ch);
      return true;
    },
    message({ name, payload, options }) { channelOf(name).message(payload, options); return true; },
    privateMessage({ name, socketId, payload }) {
      const target = channelOf(name).getPresence().find((c) => c.socketId === socketId);
      if (!target) throw new Error(`${socketId} not in the presence of ${name}`);
      target.message(payload);
      return true;
    },
    presence({ name }) { return channelOf(name).getPresence().map(plain); },
    history({ name }) { channelOf(name).history(); return true; },
    destroy({ name }) { channelOf(name).destroy(); channels.delete(name); return true; },
    setToken({ token }) { client.setRealtimeAuthToken(token); return true; },
    reconnect() { client.realtimeReconnect(); return true; },
    waitOpen,
  };

  readline.createInterface({ input: process.stdin }).on('line', async (line) => {
    let req;
    try { req = JSON.parse(line); } catch { return; }
    try {
      const fn = commands[req.cmd];
      if (!fn) throw new Error(`unknown command ${req.cmd}`);
      out({ reply: req.id, result: await fn(req.args || {}) });
    } catch (err) {
      out({ reply: req.id, error: String(err && err.stack ? err.stack : err) });
    }
  }).on('close', () => process.exit(0));
}

if (require.main === module && process.argv.includes('--driver')) {
  runDriver();
}

module.exports = { TEST_CANONICAL, XANO_HOST, XanoDriver, rawXano, restartXanoServer, startXanoServer };
