'use strict';
// /metrics, scraped after real activity and parsed with a strict Prometheus text-format
// (0.0.4) parser written here: every line must be valid, every sample must belong to a family
// declared with # TYPE, series must be unique and histogram buckets cumulative.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { httpGet, startServer } = require('./helpers/server');
const {
  connectSocket, disconnectAll, disconnectSocket, joinChannel, newSocket, pushAsync,
} = require('./helpers/phoenix');

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

function parseValue(text, where) {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** Parses `{a="x",b="y"}` starting at text[i] === '{'; returns [labels, index after '}']. */
function parseLabels(text, i, where) {
  const labels = {};
  i++; // '{'
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: duplicate label ${name}`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const esc = text[j + 1];
        if (esc === 'n') value += '\n';
        else if (esc === '\\' || esc === '"') value += esc;
        else throw new Error(`${where}: bad escape \\${esc}`);
        j += 2;
      } else {
        value += c;
        j++;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected ',' or '}' after a label`);
  }
  return [labels, i + 1];
}

/** Strict parse of the text exposition format into Map<family, {type, help, samples[]}>. */
function parsePrometheusText(body) {
  assert.ok(body.endsWith('\n'), 'exposition must end with a newline');
  const families = new Map();
  const seriesSeen = new Set();
  let current = null;
  const family = (name) => {
    if (!families.has(name)) families.set(name, { name, type: 'untyped', help: '', samples: [], typed: false });
    return families.get(name);
  };
  body.slice(0, -1).split('\n').forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      const fam = family(name);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: bad type ${rest}`);
        if (fam.typed || fam.samples.length) throw new Error(`${where}: TYPE for ${name} repeated or after its samples`);
        fam.type = rest;
        fam.typed = true;
      } else {
        fam.help = rest;
      }
      current = fam;
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`${where}: no sample value`);
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
    let labels = {};
    let i = nameEnd;
    if (line[i] === '{') [labels, i] = parseLabels(line, i, where);
    if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
    const parts = line.slice(i + 1).split(' ');
    if (parts.length > 2) throw new Error(`${where}: trailing fields`);
    const value = parseValue(parts[0], where);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
    if (!current) throw new Error(`${where}: sample ${name} before any # TYPE`);
    const suffixes = SUFFIXES[current.type] || [''];
    if (!suffixes.some((s) => name === current.name + s)) {
      throw new Error(`${where}: sample ${name} does not belong to family ${current.name} (${current.type})`);
    }
    const key = name + JSON.stringify(Object.entries(labels).sort());
    if (seriesSeen.has(key)) throw new Error(`${where}: duplicate series ${key}`);
    seriesSeen.add(key);
    current.samples.push({ name, labels, value });
  });
  for (const fam of families.values()) {
    if (fam.type === 'histogram') checkHistogram(fam);
    if (fam.type === 'counter') fam.samples.forEach((s) => assert.ok(s.value >= 0, `${s.name} is a negative counter`));
  }
  return families;
}

/** Buckets of each series are cumulative and end with le="+Inf" equal to _count. */
function checkHistogram(fam) {
  const groups = new Map();
  for (const s of fam.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!groups.has(key)) groups.set(key, { buckets: [], count: undefined });
    const g = groups.get(key);
    if (s.name.endsWith('_bucket')) g.buckets.push([parseValue(le, fam.name), s.value]);
    if (s.name.endsWith('_count')) g.count = s.value;
  }
  for (const [key, g] of groups) {
    for (let i = 1; i < g.buckets.length; i++) {
      assert.ok(g.buckets[i][0] > g.buckets[i - 1][0] && g.buckets[i][1] >= g.buckets[i - 1][1], `${fam.name}${key} buckets not cumulative`);
    }
    const last = g.buckets[g.buckets.length - 1];
    assert.ok(last && last[0] === Infinity && last[1] === g.count, `${fam.name}${key} must end with le="+Inf" equal to _count`);
  }
}

/** Polls the async predicate until it is truthy; rejects after timeoutMs with the description. */
async function eventually(predicate, timeoutMs, description) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The value of the one sample of name whose labels include want (undefined when absent). */
function sample(families, name, want = {}) {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const fam = families.get(name) || families.get(base);
  if (!fam) return undefined;
  const hit = fam.samples.find((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v));
  return hit && hit.value;
}

describe('metrics', () => {
  let server;

  before(async () => { server = await startServer(); });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  async function scrape() {
    const res = await httpGet(server.port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(res.body);
  }

  const websocketConnections = (fams) => sample(fams, 'phxserver_connections', { transport: 'websocket', dialect: 'phoenix-v2' }) || 0;

  describe('the strict parser', () => {
    const bad = [
      ['sample before TYPE', 'x 1\n'],
      ['bad escape', '# TYPE x gauge\nx{a="\\q"} 1\n'],
      ['duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
      ['foreign sample', '# TYPE x gauge\ny 1\n'],
      ['bad value', '# TYPE x gauge\nx one\n'],
      ['non-cumulative histogram', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
      ['missing final newline', '# TYPE x gauge\nx 1'],
    ];
    for (const [name, text] of bad) {
      it(`rejects ${name}`, () => assert.throws(() => parsePrometheusText(text)));
    }
    it('accepts escapes, timestamps and a valid histogram', () => {
      const fams = parsePrometheusText('# HELP x help\n# TYPE x gauge\nx{a="q\\"\\n\\\\"} -1.5e3 123\n' +
        '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n');
      assert.equal(sample(fams, 'x', { a: 'q"\n\\' }), -1500);
      assert.equal(sample(fams, 'h_count'), 2);
    });
  });

  it('exposes the whole registry in a valid text format', async () => {
    const fams = await scrape();
    for (const name of ['go_goroutines', 'process_resident_memory_bytes', 'phxserver_channels', 'phxserver_joins_total',
      'phxserver_messages_in_total', 'phxserver_deliveries_total', 'phxserver_presence_entries',
      'phxserver_slow_consumer_disconnects_total', 'phxserver_trigger_denials_total']) {
      assert.ok(fams.has(name), `missing ${name}`);
    }
    assert.equal(fams.get('phxserver_messages_in_total').type, 'counter');
    assert.equal(fams.get('phxserver_channels').type, 'gauge');
  });

  it('the connection gauge rises and falls with a client, and the message counters increase', async () => {
    const before = await scrape();
    const socket = newSocket(server.wsUrl);
    await connectSocket(socket);
    let during;
    await eventually(async () => {
      during = await scrape();
      return websocketConnections(during) === websocketConnections(before) + 1;
    }, 3000, 'the websocket connection gauge to rise by one');

    const channel = socket.channel('room:metrics', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    assert.equal((await pushAsync(channel, 'message', { text: 'counted' })).status, 'ok');
    const refused = socket.channel('nowhere:at-all', {});
    assert.equal((await joinChannel(refused)).status, 'error');
    refused.leave();

    const after = await scrape();
    assert.equal(after.get('phxserver_connections').type, 'gauge');
    const grew = (name, labels) => (sample(after, name, labels) || 0) - (sample(before, name, labels) || 0);
    assert.equal(grew('phxserver_messages_in_total'), 1);
    assert.ok(grew('phxserver_deliveries_total') >= 1, 'the message was delivered (echoed to its sender)');
    assert.ok(grew('phxserver_joins_total') >= 1);
    assert.ok(grew('phxserver_join_refusals_total', { reason: 'unmatched topic' }) >= 1);
    assert.ok(sample(after, 'phxserver_channels') >= 1);

    await disconnectSocket(socket);
    await eventually(async () => websocketConnections(await scrape()) === websocketConnections(before), 3000,
      'the websocket connection gauge to fall back');
  });

  it('keeps /healthz and /readyz', async () => {
    assert.equal((await httpGet(server.port, '/healthz')).status, 200);
    assert.equal((await httpGet(server.port, '/readyz')).status, 200);
  });
});
