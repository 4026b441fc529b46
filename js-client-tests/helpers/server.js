'use strict';
// Starts bin/phxserver as a child process for black-box tests: one config file
// in a temp dir, a free loopback port, log capture and a /healthz readiness wait.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SERVER_BIN = process.env.PHXSERVER_BIN || path.join(REPO_ROOT, 'bin', 'phxserver');
const READY_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 15000;

// The lead's conformance config: anonymous chat on room:*, members-only on members:*.
const TEST_CONFIG = `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "test-secret", algorithms: [HS256]}}
limits: {max_channels_per_socket: 100}
channels:
  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging, presence]}
  - {pattern: "members:*", permissions: [authenticated_only_public_messaging]}
`;
const TEST_JWT_SECRET = 'test-secret';

// Every child still alive; killed synchronously when the test process goes away,
// so a crashed or cancelled test file never leaves a server behind.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
}

/** Returns a loopback port that was free a moment ago (bind :0, read it, close). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Writes the config (YAML text, or an object written as JSON, which is valid YAML). */
function writeConfig(dir, config) {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  const file = path.join(dir, 'phxserver.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** GET http://127.0.0.1:port/path → {status, body}; rejects on connection errors. */
function httpGet(port, urlPath, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Splits a stream into lines and records each one (parsed when it is JSON). */
function captureLines(stream, streamName, logs) {
  let pending = '';
  stream.setEncoding('utf8');
  const record = (line) => {
    if (line === '') return;
    let json;
    try { json = JSON.parse(line); } catch { json = undefined; }
    logs.push({ stream: streamName, line, json });
    if (process.env.PHXSERVER_TEST_LOGS) process.stderr.write(`[phxserver ${streamName}] ${line}\n`);
  };
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    lines.forEach(record);
  });
  stream.on('end', () => { record(pending); pending = ''; });
}

function describeExit(proc) {
  return `exit code ${proc.exitCode}, signal ${proc.signalCode}`;
}

function tail(logs, n = 20) {
  return logs.slice(-n).map((entry) => `  [${entry.stream}] ${entry.line}`).join('\n');
}

/**
 * Starts phxserver with the given config and waits until /healthz answers 200.
 * @param {{config?: string|object, env?: object, args?: string[], port?: number}} options
 * @returns {Promise<{port:number, url:string, wsUrl:string, configFile:string, logs:Array,
 *   process: import('node:child_process').ChildProcess, stop: () => Promise<void>,
 *   restart: () => Promise<void>}>}
 */
async function startServer(options = {}) {
  const config = options.config === undefined ? TEST_CONFIG : options.config;
  if (!fs.existsSync(SERVER_BIN)) {
    throw new Error(`phxserver binary not found at ${SERVER_BIN}: run "make build" or set PHXSERVER_BIN`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phxserver-test-'));
  const configFile = writeConfig(dir, config);
  const port = options.port || await freePort();
  const logs = [];
  const handle = {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/socket`,
    configFile,
    dir,
    logs,
    process: null,
    stop,
    restart,
  };

  async function launch() {
    const args = ['--config', configFile, '--listen', `127.0.0.1:${port}`, ...(options.args || [])];
    const proc = spawn(SERVER_BIN, args, {
      cwd: dir,
      env: { ...process.env, ...(options.env || {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(proc);
    proc.exited = new Promise((resolve) => proc.once('exit', () => {
      liveChildren.delete(proc);
      resolve();
    }));
    proc.once('error', (err) => logs.push({ stream: 'spawn', line: String(err), json: undefined }));
    captureLines(proc.stdout, 'stdout', logs);
    captureLines(proc.stderr, 'stderr', logs);
    handle.process = proc;
    await waitHealthy(proc);
  }

  async function waitHealthy(proc) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError = 'no answer';
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`phxserver exited before it was healthy (${describeExit(proc)}):\n${tail(logs)}`);
      }
      try {
        const res = await httpGet(port, '/healthz');
        if (res.status === 200) return;
        lastError = `status ${res.status}`;
      } catch (err) {
        lastError = err.message;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stop();
    throw new Error(`phxserver not healthy on port ${port} within ${READY_TIMEOUT_MS} ms (${lastError}):\n${tail(logs)}`);
  }

  async function stop() {
    const proc = handle.process;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await proc.exited;
    clearTimeout(timer);
  }

  async function restart() {
    await stop();
    await launch();
  }

  await launch();
  return handle;
}

/**
 * Runs phxserver once with the given arguments (e.g. ["check", "--config", f]).
 * @returns {Promise<{code:number|null, signal:string|null, stdout:string, stderr:string}>}
 */
function runServerCommand(args, { timeoutMs = 10000, env } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(SERVER_BIN, args, { env: { ...process.env, ...(env || {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    proc.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

module.exports = {
  REPO_ROOT,
  SERVER_BIN,
  TEST_CONFIG,
  TEST_JWT_SECRET,
  freePort,
  httpGet,
  runServerCommand,
  startServer,
  writeConfig,
};
