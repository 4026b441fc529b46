'use strict';
// A raw WebSocket client (the `ws` package) that records every frame, for exact-frame
// assertions the phoenix client would hide: refs, join_refs, frame order, V1 objects, binary layout.

const WebSocket = require('ws');

const DEFAULT_WAIT_MS = 2000;

/**
 * Opens a WebSocket and reports the handshake outcome instead of throwing:
 * {ok:true, client} on 101, {ok:false, status, headers, body} on an HTTP refusal,
 * {ok:false, error} when the handshake failed otherwise.
 */
function tryConnect(url, { protocols, headers, timeoutMs = 3000 } = {}) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols, { headers, handshakeTimeout: timeoutMs });
    const client = new RawClient(socket);
    let done = false;
    const finish = (result) => { if (!done) { done = true; resolve(result); } };
    socket.once('upgrade', (res) => {
      client.handshakeHeaders = res.headers;
    });
    socket.once('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => finish({ ok: false, status: res.statusCode, headers: res.headers, body }));
      res.on('error', () => finish({ ok: false, status: res.statusCode, headers: res.headers, body }));
      req.destroy();
    });
    socket.once('open', () => finish({ ok: true, client }));
    socket.once('error', (error) => finish({ ok: false, error }));
  });
}

/** Like tryConnect but rejects unless the connection opens; resolves the RawClient. */
async function connectRaw(url, options) {
  const result = await tryConnect(url, options);
  if (!result.ok) {
    const why = result.status ? `HTTP ${result.status} ${result.body || ''}` : String(result.error);
    throw new Error(`raw WebSocket to ${url} failed: ${why}`);
  }
  return result.client;
}

/** Builds the Phoenix socket URL for an endpoint with a query (vsn omitted when null). */
function socketUrl(endpoint, { vsn = '2.0.0', params = {} } = {}) {
  const query = new URLSearchParams(params);
  if (vsn !== null) query.set('vsn', vsn);
  const qs = query.toString();
  return `${endpoint}/websocket${qs ? `?${qs}` : ''}`;
}

/** Whether a decoded V2 frame matches [join_ref, ref, topic, event] (undefined = any). */
function v2Matches(frame, { joinRef, ref, topic, event } = {}) {
  if (!frame.json || !Array.isArray(frame.json)) return false;
  const [fj, fr, ft, fe] = frame.json;
  return (joinRef === undefined || fj === joinRef)
    && (ref === undefined || fr === ref)
    && (topic === undefined || ft === topic)
    && (event === undefined || fe === event);
}

/** A connected raw client; frames[] holds every received frame in arrival order. */
class RawClient {
  constructor(socket) {
    this.socket = socket;
    this.frames = [];
    this.handshakeHeaders = {};
    this.closed = null;
    this.waiters = new Set();
    socket.on('message', (data, isBinary) => {
      const frame = { index: this.frames.length, binary: isBinary, at: Date.now() };
      if (isBinary) {
        frame.bytes = Buffer.from(data);
      } else {
        frame.text = data.toString('utf8');
        try { frame.json = JSON.parse(frame.text); } catch { frame.json = undefined; }
      }
      this.frames.push(frame);
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.notify();
    });
    socket.on('error', () => { /* surfaced through close */ });
  }

  /** The subprotocol the server selected ('' when none). */
  get protocol() { return this.socket.protocol; }

  notify() {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Sends a text frame with the JSON encoding of value (a V2 array or a V1 object). */
  sendJSON(value) { this.socket.send(JSON.stringify(value)); }

  /** Sends a V2 frame [join_ref, ref, topic, event, payload]. */
  sendV2(joinRef, ref, topic, event, payload = {}) { this.sendJSON([joinRef, ref, topic, event, payload]); }

  /** Sends raw text as one text frame. */
  sendText(text) { this.socket.send(text, { binary: false }); }

  /** Sends bytes as one binary frame. */
  sendBinary(bytes) { this.socket.send(Buffer.from(bytes), { binary: true }); }

  /**
   * Resolves the first frame (index >= since) for which predicate(frame) is true;
   * rejects after timeoutMs listing what did arrive.
   */
  waitFrame(predicate, { timeoutMs = DEFAULT_WAIT_MS, since = 0, description = 'a matching frame' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.slice(since).find(predicate);
        if (found) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${description} within ${timeoutMs} ms; frames received:\n${this.describeFrames(since)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for a V2 text frame matching {joinRef, ref, topic, event}. */
  waitV2(match, options = {}) {
    return this.waitFrame((f) => v2Matches(f, match), { description: `V2 frame ${JSON.stringify(match)}`, ...options });
  }

  /** Resolves the frames (index >= since) matching predicate that arrive within ms. */
  async framesWithin(ms, predicate = () => true, since = 0) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames.slice(since).filter(predicate);
  }

  /** Sends a V2 join and resolves its reply frame (matched by ref). */
  async joinV2(topic, joinRef, ref = joinRef, payload = {}) {
    const since = this.frames.length;
    this.sendV2(joinRef, ref, topic, 'phx_join', payload);
    return this.waitV2({ ref, topic, event: 'phx_reply' }, { since });
  }

  /** Resolves when the connection has closed (or after timeoutMs with null). */
  waitClosed(timeoutMs = DEFAULT_WAIT_MS) {
    return new Promise((resolve) => {
      const check = () => {
        if (this.closed) { cleanup(); resolve(this.closed); }
      };
      const timer = setTimeout(() => { cleanup(); resolve(null); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Closes the connection (idempotent). */
  close(code = 1000) {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code);
    }
  }

  describeFrames(since = 0) {
    const lines = this.frames.slice(since).map((f) => `  #${f.index} ${f.binary ? `binary ${f.bytes.toString('hex')}` : `text ${f.text}`}`);
    if (this.closed) lines.push(`  (closed ${this.closed.code} ${this.closed.reason})`);
    return lines.length ? lines.join('\n') : '  (none)';
  }
}

/** Encodes a client→server binary push (kind 0): join_ref, ref, topic, event, payload. */
function encodeBinaryPush(joinRef, ref, topic, event, payload) {
  const fields = [joinRef || '', ref || '', topic, event].map((s) => Buffer.from(s, 'utf8'));
  return Buffer.concat([Buffer.from([0, ...fields.map((f) => f.length)]), ...fields, Buffer.from(payload)]);
}

/**
 * Decodes a server→client binary frame: kind 0 push {joinRef, topic, event, payload},
 * kind 1 reply {joinRef, ref, topic, status, payload}, kind 2 broadcast {topic, event, payload}.
 * Returns null when the bytes do not fit the layout.
 */
function decodeServerBinary(bytes) {
  const layouts = { 0: ['joinRef', 'topic', 'event'], 1: ['joinRef', 'ref', 'topic', 'status'], 2: ['topic', 'event'] };
  if (bytes.length < 1) return null;
  const kind = bytes[0];
  const names = layouts[kind];
  if (!names) return null;
  if (bytes.length < 1 + names.length) return null;
  const out = { kind };
  let offset = 1 + names.length;
  for (let i = 0; i < names.length; i++) {
    const len = bytes[1 + i];
    if (offset + len > bytes.length) return null;
    out[names[i]] = bytes.subarray(offset, offset + len).toString('utf8');
    offset += len;
  }
  out.payload = bytes.subarray(offset);
  return out;
}

module.exports = {
  RawClient,
  connectRaw,
  decodeServerBinary,
  encodeBinaryPush,
  socketUrl,
  tryConnect,
  v2Matches,
};
