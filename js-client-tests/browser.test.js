'use strict';
// Real-browser tests of the demo chat page and the live dashboard: headless Chromium (Debian's
// /usr/bin/chromium) driven by playwright-core, against bin/phxserver on the embedded default
// configuration. Screenshots go to <repo>/artifacts/. Set UPDATE_DOCS_SCREENSHOT=1 to refresh
// docs/demo.png.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { REPO_ROOT, httpGet, startServer } = require('./helpers/server');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const ARTIFACTS = path.join(REPO_ROOT, 'artifacts');
// The embedded default (server.demo: true); --listen overrides its loopback port.
const DEFAULT_CONFIG = fs.readFileSync(path.join(REPO_ROOT, 'cmd', 'phxserver', 'config', 'default.yaml'), 'utf8');
const WAIT_MS = 10000;

// Without Chromium the file skips locally; in CI (CI set) a missing browser is a failure.
const skip = !fs.existsSync(CHROMIUM) && !process.env.CI
  ? `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`
  : false;

// Makes every WebSocket fail to connect, as a proxy that blocks upgrades would: an error and
// an abnormal close, never an open. The phoenix client must then fall back to LongPoll.
function blockWebSocket() {
  class BlockedWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.binaryType = 'blob';
      setTimeout(() => {
        this.readyState = 3;
        if (this.onerror) this.onerror(new Event('error'));
        if (this.onclose) this.onclose({ code: 1006, reason: '', wasClean: false });
      }, 20);
    }
    send() { throw new Error('WebSocket blocked'); }
    close() { this.readyState = 3; }
  }
  Object.assign(BlockedWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = BlockedWebSocket;
}

describe('browser: demo chat and dashboard', { skip }, () => {
  let server;
  let context;
  let userDataDir;

  before(async () => {
    const { chromium } = require('playwright-core');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ config: DEFAULT_CONFIG });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phxserver-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1100, height: 700 },
    });
  });

  after(async () => {
    if (context) await context.close();
    if (server) await server.stop();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Opens the chat page (query: user, channel) and waits until its socket is connected. */
  async function openChat(query, { blockWs = false } = {}) {
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.pageErrors = pageErrors;
    if (blockWs) await page.addInitScript(blockWebSocket);
    await page.goto(`${server.url}/?${new URLSearchParams(query)}`);
    await page.waitForSelector('#status[data-state="connected"]', { timeout: WAIT_MS });
    return page;
  }

  async function presenceNames(page) {
    return page.$$eval('#presence li', (lis) => lis.map((li) => li.textContent));
  }

  async function waitPresence(page, count) {
    await page.waitForFunction((n) => document.querySelectorAll('#presence li').length === n, count, { timeout: WAIT_MS });
  }

  async function send(page, text) {
    await page.fill('#message-input', text);
    await page.press('#message-input', 'Enter');
  }

  /** Waits for a message list entry containing text; returns its kind (message/private/notice). */
  async function waitMessage(page, text) {
    const li = await page.waitForSelector(`#messages li:has-text(${JSON.stringify(text)})`, { timeout: WAIT_MS });
    return li.getAttribute('data-kind');
  }

  async function transportOf(page) {
    return page.getAttribute('#status', 'data-transport');
  }

  it('two signed-in pages see each other in presence and exchange public and private messages', async () => {
    const alice = await openChat({ user: 'alice', channel: 'room:lobby' });
    const bob = await openChat({ user: 'bob', channel: 'room:lobby' });
    try {
      await waitPresence(alice, 2);
      await waitPresence(bob, 2);
      assert.deepEqual((await presenceNames(alice)).sort(), ['Alice (you)', 'Bob']);
      assert.deepEqual((await presenceNames(bob)).sort(), ['Alice', 'Bob (you)']);
      assert.equal(await transportOf(alice), 'websocket');

      await send(alice, 'hello from alice');
      assert.equal(await waitMessage(bob, 'hello from alice'), 'message');
      await send(bob, 'hi alice, bob here');
      assert.equal(await waitMessage(alice, 'hi alice, bob here'), 'message');
      // The sender shown is the verified user, not the client-written "user" field.
      assert.match(await bob.textContent('#messages li:has-text("hello from alice")'), /Alice ✓/);

      await alice.click('#presence li:has-text("Bob")');
      await alice.waitForSelector('#target:not([hidden])');
      await send(alice, 'psst, private');
      assert.equal(await waitMessage(bob, 'psst, private'), 'private');
      assert.equal(await waitMessage(alice, 'psst, private'), 'private');

      await alice.screenshot({ path: path.join(ARTIFACTS, 'chat-alice.png') });
      await bob.screenshot({ path: path.join(ARTIFACTS, 'chat-bob.png') });
      if (process.env.UPDATE_DOCS_SCREENSHOT) {
        await alice.screenshot({ path: path.join(REPO_ROOT, 'docs', 'demo.png') });
      }
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('shows the server reason when a send is refused', async () => {
    const guest = await openChat({ channel: 'chatroom/general' });
    try {
      await guest.waitForSelector('#topic-title:has-text("chatroom/general")');
      await waitPresence(guest, 1);
      await send(guest, 'anonymous write attempt');
      const error = await guest.waitForSelector('#errors li', { timeout: WAIT_MS });
      assert.match(await error.textContent(), /^Message refused: \S/);
      await guest.screenshot({ path: path.join(ARTIFACTS, 'chat-refused.png') });
    } finally {
      await guest.close();
    }
  });

  it('falls back to LongPoll when WebSocket is blocked and still chats', async () => {
    const blocked = await openChat({ channel: 'public-chat' }, { blockWs: true });
    const normal = await openChat({ channel: 'public-chat' });
    try {
      assert.equal(await transportOf(blocked), 'longpoll');
      assert.equal(await transportOf(normal), 'websocket');
      await waitPresence(blocked, 2);
      await waitPresence(normal, 2);

      await send(blocked, 'sent over longpoll');
      await waitMessage(normal, 'sent over longpoll');
      await send(normal, 'received over longpoll');
      await waitMessage(blocked, 'received over longpoll');

      const metrics = await httpGet(server.port, '/metrics');
      assert.match(metrics.body, /^phxserver_connections\{dialect="[^"]+",transport="longpoll"\} [1-9]/m);
      await blocked.screenshot({ path: path.join(ARTIFACTS, 'chat-longpoll.png') });
      assert.deepEqual(blocked.pageErrors, []);
    } finally {
      await blocked.close();
      await normal.close();
    }
  });

  it('the dashboard connection count follows a page that connects and leaves', async () => {
    const dashboard = await context.newPage();
    try {
      await dashboard.goto(`${server.url}/dashboard`);
      await dashboard.waitForSelector('#status[data-state="live"]', { timeout: WAIT_MS });
      const count = async () => Number(await dashboard.textContent('#connections'));
      const waitCount = (want) => dashboard.waitForFunction(
        (n) => Number(document.getElementById('connections').textContent) === n, want, { timeout: WAIT_MS },
      ).catch(async (err) => {
        throw new Error(`dashboard connections stayed ${await count()}, expected ${want}: ${err.message}`);
      });
      const before = await count();
      assert.ok(before >= 1, `the dashboard counts its own connection (got ${before})`);

      const chat = await openChat({ channel: 'public-chat' });
      await waitCount(before + 1);
      await dashboard.waitForSelector('#top-channels tr:has-text("public-chat")', { timeout: WAIT_MS });
      await dashboard.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png') });
      await chat.close();
      await waitCount(before);
    } finally {
      await dashboard.close();
    }
  });

  it('refuses the dashboard channel outside demo mode without a valid API key', async () => {
    const closed = await startServer({
      config: DEFAULT_CONFIG.replace('demo: true', 'demo: false'),
      env: { PHX_API_KEY: 'dash-key-for-tests' },
    });
    const page = await context.newPage();
    try {
      assert.equal((await httpGet(closed.port, '/')).status, 404);
      await page.goto(`${closed.url}/dashboard?key=wrong`);
      await page.waitForSelector('#status[data-state="refused"]', { timeout: WAIT_MS });
      assert.match(await page.textContent('#errors'), /Dashboard refused: unauthorized/);
      await page.goto(`${closed.url}/dashboard?key=dash-key-for-tests`);
      await page.waitForSelector('#status[data-state="live"]', { timeout: WAIT_MS });
    } finally {
      await page.close();
      await closed.stop();
    }
  });
});
