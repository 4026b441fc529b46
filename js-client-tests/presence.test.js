'use strict';
// Presence with the unmodified phoenix Presence class and exact wire frames
// (shared/reference/phoenix-protocol.md §5, channels-and-permissions.md §5).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./helpers/server');
const {
  Presence, connectSocket, disconnectAll, disconnectSocket, joinChannel, newSocket, pushAsync, quietPeriod, waitFor,
} = require('./helpers/phoenix');
const { connectRaw, socketUrl } = require('./helpers/rawws');
const { UUID_RE } = require('./helpers/fixtures');
const { presenceFrames, tokenFor } = require('./helpers/scenarios');

const QUIET_MS = 300;
const OK_EMPTY = { status: 'ok', response: {} };

const CONFIG = `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "test-secret", algorithms: [HS256], claims: {presence: [name]}}}
limits: {max_channels_per_socket: 100}
channels:
  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging, presence]}
`;

/** A phoenix member with a Presence instance recording every callback. */
class Watcher {
  constructor(socket, channel) {
    this.socket = socket;
    this.channel = channel;
    this.presence = new Presence(channel);
    this.joins = [];
    this.leaves = [];
    this.syncs = 0;
    this.presence.onJoin((key, current, added) => this.joins.push({ key, current, added }));
    this.presence.onLeave((key, current, removed) => this.leaves.push({ key, current, removed }));
    this.presence.onSync(() => { this.syncs += 1; });
  }

  /** key → metas, from presence.list(). */
  state() {
    const out = {};
    this.presence.list((key, { metas }) => { out[key] = metas; });
    return out;
  }

  keys() { return Object.keys(this.state()).sort(); }

  /** Waits until the listed keys are exactly keys (sorted comparison). */
  async waitKeys(keys, what = `presence keys ${JSON.stringify(keys)}`) {
    const want = JSON.stringify([...keys].sort());
    await waitFor(() => this.syncs > 0 && JSON.stringify(this.keys()) === want, 3000, `${what}; have ${JSON.stringify(this.keys())}`);
  }
}

describe('presence with the phoenix client', () => {
  let server;
  const raws = [];

  before(async () => { server = await startServer({ config: CONFIG }); });
  after(async () => {
    raws.forEach((r) => r.close());
    await disconnectAll();
    if (server) await server.stop();
  });

  /** Connects (token optional) and joins topic with a Watcher. */
  async function watcher(topic, { token, payload = {} } = {}) {
    const socket = newSocket(server.wsUrl, token ? { params: { token } } : {});
    await connectSocket(socket);
    const w = new Watcher(socket, socket.channel(topic, payload));
    const outcome = await joinChannel(w.channel);
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
    return w;
  }

  async function raw(params) {
    const client = await connectRaw(socketUrl(server.wsUrl, { params }));
    raws.push(client);
    return client;
  }

  /** A raw client joined to topic: resolves {client, reply, state} (state = the presence_state frame). */
  async function rawJoin(topic, joinRef, params, payload = {}) {
    const client = await raw(params);
    const since = client.frames.length;
    client.sendV2(joinRef, joinRef, topic, 'phx_join', payload);
    const reply = await client.waitV2({ ref: joinRef, event: 'phx_reply' }, { since });
    assert.equal(reply.json[4].status, 'ok', reply.text);
    const state = await client.waitV2({ topic, event: 'presence_state' }, { since });
    return { client, reply, state };
  }

  it('shows two clients each other with onJoin, onLeave, onSync and list()', async () => {
    const topic = 'room:two';
    const a = await watcher(topic);
    await waitFor(() => a.keys().length === 1, 2000, 'a sees itself');
    const [aKey] = a.keys();
    assert.match(aKey, UUID_RE);
    const b = await watcher(topic);
    await waitFor(() => a.keys().length === 2 && b.keys().length === 2, 2000, 'both see two entries');
    const bKey = a.keys().find((k) => k !== aKey);
    assert.deepEqual(b.keys(), [aKey, bKey].sort());
    assert.ok(a.joins.some((j) => j.key === bKey && j.current === undefined), 'a got onJoin for b as a new key');
    assert.ok(a.syncs >= 2, 'onSync fired for the state and the diff');

    await disconnectSocket(b.socket);
    await a.waitKeys([aKey]);
    const leave = a.leaves.find((l) => l.key === bKey);
    assert.ok(leave, 'onLeave for b');
    assert.deepEqual(leave.current.metas, [], 'no metas remain for b');
    assert.equal(leave.removed.metas.length, 1);
  });

  it('groups one user on two connections under one key with two metas', async () => {
    const topic = 'room:multi';
    const observer = await watcher(topic, { token: tokenFor('observer') });
    const first = await watcher(topic, { token: tokenFor('multi') });
    const second = await watcher(topic, { token: tokenFor('multi') });
    await observer.waitKeys(['multi', 'observer']);
    await waitFor(() => (observer.state().multi || []).length === 2, 2000, 'two metas for multi');
    const metas = observer.state().multi;
    assert.notEqual(metas[0].client_id, metas[1].client_id);
    assert.notEqual(metas[0].phx_ref, metas[1].phx_ref);

    const leavesBefore = observer.leaves.length;
    await disconnectSocket(first.socket);
    await waitFor(() => (observer.state().multi || []).length === 1, 2000, 'one meta left for multi');
    const leave = observer.leaves.slice(leavesBefore).find((l) => l.key === 'multi');
    assert.ok(leave, 'onLeave for multi');
    assert.equal(leave.current.metas.length, 1, 'onLeave reports the remaining meta');
    assert.equal(leave.removed.metas.length, 1);
    assert.notEqual(leave.current.metas[0].phx_ref, leave.removed.metas[0].phx_ref);

    await disconnectSocket(second.socket);
    await observer.waitKeys(['observer']);
  });

  it('encodes anonymous and authenticated metas exactly', async () => {
    const topic = 'room:metas';
    const { client: anon, state: anonState } = await rawJoin(topic, '1');
    const anonEntries = Object.entries(anonState.json[4]);
    assert.equal(anonEntries.length, 1, anonState.text);
    const [[anonKey, { metas: [anonMeta] }]] = anonEntries;
    assert.match(anonKey, UUID_RE);
    assert.deepEqual(Object.keys(anonMeta).sort(), ['client_id', 'online_at', 'phx_ref']);
    assert.equal(anonMeta.client_id, anonKey, 'anonymous entries are keyed by client_id');
    assert.equal(typeof anonMeta.phx_ref, 'string');
    assert.ok(anonMeta.phx_ref.length > 0);

    const token = tokenFor('meta-user', { role: 'admin', name: 'Ada', email: 'ada@example.com' });
    const { state } = await rawJoin(topic, '2', { token });
    const entry = state.json[4]['meta-user'];
    assert.ok(entry, `keyed by user_id: ${state.text}`);
    const [meta] = entry.metas;
    assert.deepEqual(Object.keys(meta).sort(), ['client_id', 'name', 'online_at', 'phx_ref', 'role', 'user_id']);
    assert.match(meta.client_id, UUID_RE);
    assert.deepEqual({ user_id: meta.user_id, role: meta.role, name: meta.name }, { user_id: 'meta-user', role: 'admin', name: 'Ada' });
    assert.ok(!('email' in meta), 'claims not listed in auth.jwt.claims.presence stay private');
    assert.ok(state.json[4][anonKey], 'the state lists the anonymous member too');
    anon.close();
  });

  it('does not list a member that opted out, but still sends it presence', async () => {
    const topic = 'room:optout';
    const a = await watcher(topic);
    await waitFor(() => a.keys().length === 1, 2000, 'a sees itself');
    const [aKey] = a.keys();
    const hidden = await watcher(topic, { payload: { presence: false } });
    await hidden.waitKeys([aKey], 'the opted-out member receives presence_state with a');
    const b = await watcher(topic);
    await waitFor(() => hidden.keys().length === 2, 2000, 'the opted-out member receives the diff for b');
    await waitFor(() => a.keys().length === 2, 2000, 'a sees b');
    await quietPeriod(QUIET_MS);
    assert.equal(a.keys().length, 2, `a lists only a and b, not the opted-out member: ${JSON.stringify(a.keys())}`);
    assert.deepEqual(hidden.keys(), a.keys());
    assert.deepEqual(b.keys(), a.keys());
  });

  it('merges presence_meta into the own meta without overriding server fields', async () => {
    const topic = 'room:presence-meta';
    const forged = { status: 'busy', client_id: 'forged-client', user_id: 'forged-user', online_at: 'forged' };
    const { state: anonState } = await rawJoin(topic, '1', undefined, { presence_meta: forged });
    const [[anonKey, { metas: [anonMeta] }]] = Object.entries(anonState.json[4]);
    assert.equal(anonMeta.status, 'busy');
    assert.match(anonMeta.client_id, UUID_RE);
    assert.equal(anonMeta.client_id, anonKey);
    assert.notEqual(anonMeta.online_at, 'forged');

    const { state } = await rawJoin(topic, '2', { token: tokenFor('meta-owner') }, { presence_meta: forged });
    const entry = state.json[4]['meta-owner'];
    assert.ok(entry, `keyed by the real user_id: ${state.text}`);
    assert.ok(!state.json[4]['forged-user'], 'no entry under the forged user_id');
    const [meta] = entry.metas;
    assert.equal(meta.status, 'busy');
    assert.equal(meta.user_id, 'meta-owner');
    assert.match(meta.client_id, UUID_RE);
    assert.notEqual(meta.online_at, 'forged');
  });

  // The contract (§5) says only "server fields cannot be overridden"; whether user_id/role count as
  // server fields in an anonymous meta is not spelled out; the server strips them (decision).
  it('does not let an anonymous member claim user_id or role in its meta', async () => {
    const { state } = await rawJoin('room:anon-claims', '1', undefined, { presence_meta: { user_id: 'admin', role: 'admin' } });
    const [[, { metas: [meta] }]] = Object.entries(state.json[4]);
    assert.ok(!('user_id' in meta) && !('role' in meta), `anonymous meta: ${JSON.stringify(meta)}`);
  });

  it('applies presence_update as one diff with joins and leaves (phx_ref_prev = old phx_ref)', async () => {
    const topic = 'room:update';
    const { client: observer } = await rawJoin(topic, '1');
    const watching = await watcher(topic);
    const actor = await watcher(topic, { token: tokenFor('updater', { name: 'Upd' }) });
    await waitFor(() => (watching.state().updater || []).length === 1, 2000, 'updater listed at the watcher');
    const oldRef = watching.state().updater[0].phx_ref;
    const since = observer.frames.length;
    const joinsBefore = watching.joins.length;
    const leavesBefore = watching.leaves.length;

    assert.deepEqual(await pushAsync(actor.channel, 'presence_update', { status: 'away' }), OK_EMPTY);
    const diff = await observer.waitFrame(
      // The diff that joins the *updated* meta (the raw observer may still be receiving the
      // diff of the actor's original join).
      (f) => Array.isArray(f.json) && f.json[3] === 'presence_diff' && f.json[4] && f.json[4].joins
        && f.json[4].joins.updater && f.json[4].joins.updater.metas.some((m) => m.status === 'away'),
      { since, description: 'a presence_diff for the update' },
    );
    const { joins, leaves } = diff.json[4];
    assert.deepEqual(Object.keys(joins), ['updater'], diff.text);
    assert.deepEqual(Object.keys(leaves), ['updater'], 'the same diff carries the leave of the old meta');
    const [newMeta] = joins.updater.metas;
    const [oldMeta] = leaves.updater.metas;
    assert.equal(oldMeta.phx_ref, oldRef);
    assert.equal(newMeta.phx_ref_prev, oldRef);
    assert.notEqual(newMeta.phx_ref, oldRef);
    assert.equal(newMeta.status, 'away');
    assert.equal(newMeta.user_id, 'updater');
    assert.equal(newMeta.name, 'Upd', 'shared claims stay in the updated meta');
    assert.equal(newMeta.client_id, oldMeta.client_id);

    await waitFor(() => (watching.state().updater || [])[0]?.status === 'away', 2000, 'the watcher sees the new meta');
    assert.equal(watching.state().updater.length, 1);
    const onJoin = watching.joins.slice(joinsBefore).find((j) => j.key === 'updater');
    const onLeave = watching.leaves.slice(leavesBefore).find((l) => l.key === 'updater');
    assert.ok(onJoin && onJoin.added.metas[0].status === 'away', 'onJoin with the new meta');
    assert.ok(onLeave && onLeave.removed.metas[0].phx_ref === oldRef, 'onLeave of the old ref');
  });

  it('sends presence_state after the join reply with the join_ref, and diffs with both joins and leaves', async () => {
    const topic = 'room:frames';
    const client = await raw();
    client.sendV2('7', '8', topic, 'phx_join', {});
    const reply = await client.waitV2({ ref: '8', event: 'phx_reply' });
    const state = await client.waitV2({ topic, event: 'presence_state' });
    assert.ok(reply.index < state.index, 'join reply first');
    assert.deepEqual(state.json.slice(0, 4), ['7', null, topic, 'presence_state']);

    // Generate joins, an update and leaves, then check every diff frame's shape.
    const other = await watcher(topic, { token: tokenFor('framer') });
    await waitFor(() => presenceFrames(client, topic).some((f) => f.json[3] === 'presence_diff'), 2000, 'a join diff');
    assert.deepEqual(await pushAsync(other.channel, 'presence_update', { status: 'x' }), OK_EMPTY);
    await waitFor(() => presenceFrames(client, topic).some((f) => f.json[3] === 'presence_diff' && f.json[4].joins.framer && f.json[4].leaves.framer), 2000, 'the update diff');
    await disconnectSocket(other.socket);
    await waitFor(() => presenceFrames(client, topic).some((f) => f.json[3] === 'presence_diff' && !f.json[4].joins.framer && f.json[4].leaves.framer), 2000, 'the leave diff');
    for (const f of presenceFrames(client, topic).filter((fr) => fr.json[3] === 'presence_diff')) {
      assert.equal(f.json[0], null, `diffs are broadcasts with join_ref null: ${f.text}`);
      assert.deepEqual(Object.keys(f.json[4]).sort(), ['joins', 'leaves'], f.text);
    }
    // Frames seen by every raw client of this file, too.
    for (const r of raws) {
      for (const f of r.frames.filter((fr) => Array.isArray(fr.json) && fr.json[3] === 'presence_diff')) {
        assert.ok(f.json[4] && 'joins' in f.json[4] && 'leaves' in f.json[4], f.text);
      }
    }
  });
});

describe('presence after a server restart', () => {
  let server;
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  it('rebuilds a fresh state after the phoenix clients reconnect', async () => {
    server = await startServer({ config: CONFIG });
    const topic = 'room:restart';
    const make = async (sub) => {
      const socket = newSocket(server.wsUrl, { params: { token: tokenFor(sub) } });
      await connectSocket(socket);
      const w = new Watcher(socket, socket.channel(topic, {}));
      assert.equal((await joinChannel(w.channel)).status, 'ok');
      return w;
    };
    const a = await make('r-a');
    const b = await make('r-b');
    await a.waitKeys(['r-a', 'r-b']);
    const oldRefs = Object.values(a.state()).flat().map((m) => m.phx_ref);
    const firstJoinRef = a.channel.joinRef();

    await server.restart();

    await waitFor(() => a.channel.state === 'joined' && a.channel.joinRef() !== firstJoinRef && b.channel.state === 'joined', 10000, 'both rejoined');
    await waitFor(() => {
      const st = a.state();
      return Object.keys(st).sort().join() === 'r-a,r-b'
        && Object.values(st).every((metas) => metas.length === 1 && !oldRefs.includes(metas[0].phx_ref));
    }, 5000, `fresh state with one new meta per user; have ${JSON.stringify(a.state())}`);
    await b.waitKeys(['r-a', 'r-b']);
  });
});
