'use strict';
// The seed's five permission scenarios and the routing rules of
// shared/design/channels-and-permissions.md §2–§4, end to end with the unmodified phoenix client,
// each with anonymous and authenticated (HS256) members.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./helpers/server');
const { disconnectAll, pushAsync, quietPeriod, waitFor } = require('./helpers/phoenix');
const { assertAnonymousSender, assertObject, UUID_RE } = require('./helpers/fixtures');
const { httpRequest, joinedMember, member, tokenFor } = require('./helpers/scenarios');

const QUIET_MS = 300;
const OK_EMPTY = { status: 'ok', response: {} };
const refused = (reason) => ({ status: 'error', response: { reason } });

const CONFIG = `server: {socket_path: /socket, demo: false}
auth: {invalid_token: reject, jwt: {secret: "test-secret", algorithms: [HS256], claims: {presence: [name]}}}
api: {keys: ["test-key"]}
limits: {max_channels_per_socket: 100}
channels:
  - {pattern: "public-chat", permissions: [anonymous_clients, client_public_messaging, presence]}
  - {pattern: "moderated-chat/*", permissions: [anonymous_clients, authenticated_only_public_messaging, presence]}
  - {pattern: "notifications/*", permissions: [anonymous_clients, presence]}
  - {pattern: "team/{team_id}/workspace/*", permissions: [authenticated_only_public_messaging, authenticated_only_private_messaging, presence]}
  - pattern: "support/session/*"
    permissions: [authenticated_only_public_messaging]
    roles:
      agent: [authenticated_only_public_messaging, authenticated_only_private_messaging, presence]
  - {pattern: "authmsg/*", permissions: [anonymous_clients, client_authenticated_messaging]}
  - {pattern: "mixed/*", permissions: [anonymous_clients, client_public_messaging, client_authenticated_messaging]}
  - {pattern: "dm/*", permissions: [anonymous_clients, client_private_messaging, presence]}
  - {pattern: "inactive/*", active: false, permissions: [anonymous_clients, client_public_messaging]}
  - {pattern: "shadow/*", permissions: [anonymous_clients]}
  - {pattern: "shadow/x/*", active: false, permissions: [anonymous_clients, client_public_messaging]}
  - {pattern: "chatroom/*", permissions: [anonymous_clients]}
  - {pattern: "chatroom/vip/*", permissions: [anonymous_clients, client_public_messaging]}
`;

describe('channel permissions with the phoenix client', () => {
  let server;

  before(async () => { server = await startServer({ config: CONFIG }); });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  const anon = (topic, opts = {}) => member(server, topic, opts);
  const user = (sub, topic, { claims = {}, ...opts } = {}) => member(server, topic, { token: tokenFor(sub, claims), ...opts });
  const joinedAnon = (topic, opts = {}) => joinedMember(server, topic, opts);
  const joinedUser = (sub, topic, { claims = {}, ...opts } = {}) => joinedMember(server, topic, { token: tokenFor(sub, claims), ...opts });

  /** Waits until every list has at least n entries. */
  async function delivered(lists, n = 1, what = 'the message') {
    await waitFor(() => lists.every((l) => l.length >= n), 2000, `${what} at every receiver`);
  }

  /** Asserts the lists stay at their current length for QUIET_MS. */
  async function nothingMore(lists, what) {
    const before = lists.map((l) => l.length);
    await quietPeriod(QUIET_MS);
    assert.deepEqual(lists.map((l) => l.length), before, `expected no further ${what}`);
  }

  /** Asserts an authenticated sender object and returns its client_id. */
  function assertUserSender(sender, userId, role) {
    assertObject(sender, 'sender');
    assert.match(String(sender.client_id), UUID_RE);
    const expected = { client_id: sender.client_id, authenticated: true, user_id: userId };
    if (role !== undefined) expected.role = role;
    assert.deepEqual(sender, expected);
    return sender.client_id;
  }

  describe('scenario 1: public-chat (anonymous_clients, client_public_messaging, presence)', () => {
    it('lets anonymous and authenticated members send and receive, with server-set senders and a presence list', async () => {
      const a = await joinedAnon('public-chat', { listen: ['message'], presence: true });
      const b = await joinedAnon('public-chat', { listen: ['message'] });
      const carol = await joinedUser('carol', 'public-chat', { claims: { role: 'member', name: 'Carol' }, listen: ['message'] });
      const all = [a.received.message, b.received.message, carol.received.message];

      assert.deepEqual(await pushAsync(a.channel, 'message', { text: 'hi from anon' }), OK_EMPTY);
      await delivered(all, 1);
      const aId = assertAnonymousSender(b.received.message[0].sender);
      for (const list of all) assert.deepEqual(list[0], { text: 'hi from anon', sender: { client_id: aId, authenticated: false } });

      assert.deepEqual(await pushAsync(carol.channel, 'message', { text: 'hi from carol' }), OK_EMPTY);
      await delivered(all, 2);
      const carolId = assertUserSender(a.received.message[1].sender, 'carol', 'member');
      for (const list of all) assert.deepEqual(list[1], { text: 'hi from carol', sender: { client_id: carolId, authenticated: true, user_id: 'carol', role: 'member' } });

      const bId = await (async () => {
        await pushAsync(b.channel, 'message', { text: 'b' });
        await delivered(all, 3);
        return assertAnonymousSender(a.received.message[2].sender);
      })();
      const keys = await waitFor(() => {
        const k = a.presence.list((key) => key).sort();
        return k.length === 3 ? k : null;
      }, 2000, 'three presence entries');
      assert.deepEqual(keys, [aId, bId, 'carol'].sort());
    });
  });

  describe('scenario 2: moderated-chat/* (anonymous read, authenticated write)', () => {
    it('lets an anonymous member join and receive but refuses its push, delivering nothing', async () => {
      const a = await joinedAnon('moderated-chat/general', { listen: ['message'] });
      const u = await joinedUser('mod-user', 'moderated-chat/general', { listen: ['message'] });
      assert.deepEqual(await pushAsync(a.channel, 'message', { text: 'spam' }), refused('anonymous clients cannot send messages'));
      await nothingMore([a.received.message, u.received.message], 'message after a refused push');
      assert.equal(a.received.message.length, 0);

      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'welcome' }), OK_EMPTY);
      await delivered([a.received.message, u.received.message]);
      assert.equal(a.received.message[0].text, 'welcome');
      assertUserSender(a.received.message[0].sender, 'mod-user');
      assert.deepEqual(u.received.message[0], a.received.message[0]);
    });

    it('matches nested channels (moderated-chat/a/b)', async () => {
      const a = await anon('moderated-chat/a/b');
      assert.equal(a.outcome.status, 'ok', JSON.stringify(a.outcome));
    });
  });

  describe('scenario 3: notifications/* (read-only)', () => {
    it('refuses every client push, anonymous or authenticated, and delivers nothing', async () => {
      const a = await joinedAnon('notifications/user-123', { listen: ['message'] });
      const u = await joinedUser('notify-user', 'notifications/user-123', { listen: ['message'] });
      const reason = refused('public messages are not allowed in this channel');
      assert.deepEqual(await pushAsync(a.channel, 'message', { text: 'x' }), reason);
      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'y' }), reason);
      await nothingMore([a.received.message, u.received.message], 'message');
      assert.equal(a.received.message.length + u.received.message.length, 0);
    });

    it('delivers a server broadcast (POST /api/broadcast) to anonymous and authenticated members', async () => {
      const a = await joinedAnon('notifications/api', { listen: ['notification'] });
      const u = await joinedUser('notify-api', 'notifications/api', { listen: ['notification'] });
      const res = await httpRequest(server.port, 'POST', '/api/broadcast', {
        headers: { authorization: 'Bearer test-key' },
        body: { channel: 'notifications/api', event: 'notification', payload: { title: 'deploy done', priority: 'high' } },
      });
      assert.equal(res.status, 202, res.body);
      await delivered([a.received.notification, u.received.notification], 1, 'the notification');
      for (const list of [a.received.notification, u.received.notification]) {
        assert.equal(list[0].title, 'deploy done');
        assert.equal(list[0].priority, 'high');
      }
    });
  });

  describe('scenario 4: team/{team_id}/workspace/* (authenticated only, public and private)', () => {
    const topic = 'team/42/workspace/general';

    it('refuses an anonymous join', async () => {
      const a = await anon(topic);
      assert.deepEqual(a.outcome, refused('anonymous clients cannot join this channel'));
    });

    it('routes public and private messages between authenticated members', async () => {
      const listen = ['message', 'dm'];
      const alice = await joinedUser('alice', topic, { listen });
      const bob = await joinedUser('bob', topic, { listen });
      const carol = await joinedUser('carol-bystander', topic, { listen });
      await joinedUser('dave', 'team/42/workspace/other');

      // Public: everyone, sender included; each learns the other's client_id from the sender.
      assert.deepEqual(await pushAsync(alice.channel, 'message', { text: 'standup' }), OK_EMPTY);
      const publics = [alice, bob, carol].map((m) => m.received.message);
      await delivered(publics);
      const aliceId = assertUserSender(bob.received.message[0].sender, 'alice');
      assert.deepEqual(await pushAsync(bob.channel, 'message', { text: 'here' }), OK_EMPTY);
      await delivered(publics, 2);
      const bobId = assertUserSender(alice.received.message[1].sender, 'bob');
      assert.notEqual(aliceId, bobId);

      // Private by client_id: only bob, no echo.
      const dms = [alice, bob, carol].map((m) => m.received.dm);
      assert.deepEqual(await pushAsync(alice.channel, 'dm', { text: 'psst', target_client_id: bobId }), OK_EMPTY);
      await delivered([bob.received.dm]);
      assert.deepEqual(bob.received.dm[0], { text: 'psst', target_client_id: bobId, sender: { client_id: aliceId, authenticated: true, user_id: 'alice' } });

      // Private by user_id: only alice, no echo.
      assert.deepEqual(await pushAsync(bob.channel, 'dm', { text: 'ack', target_user_id: 'alice' }), OK_EMPTY);
      await delivered([alice.received.dm]);
      assert.deepEqual(alice.received.dm[0], { text: 'ack', target_user_id: 'alice', sender: { client_id: bobId, authenticated: true, user_id: 'bob' } });
      await nothingMore(dms, 'private message');
      assert.deepEqual(dms.map((l) => l.length), [1, 1, 0], 'each private message reached only its target');

      // Targets that are not members of this channel.
      // (dave is connected, but a member of another channel only.)
      const outcomes = [];
      for (const target of [{ target_client_id: '00000000-0000-4000-8000-000000000000' }, { target_user_id: 'nobody' }, { target_user_id: 'dave' }]) {
        outcomes.push(await pushAsync(alice.channel, 'dm', { text: 'x', ...target }));
      }
      assert.deepEqual(outcomes, Array(3).fill(refused('target not in channel')));
      await nothingMore(dms, 'private message after refusals');
    });
  });

  describe('scenario 5: support/session/* (roles)', () => {
    const topic = 'support/session/s1';

    it('refuses an anonymous join', async () => {
      const a = await anon(topic);
      assert.deepEqual(a.outcome, refused('anonymous clients cannot join this channel'));
    });

    it('lets a customer send public only, agents message privately, and shows presence to agents only', async () => {
      const listen = ['message', 'dm', 'presence_state', 'presence_diff'];
      const customer = await joinedUser('cust-1', topic, { listen });
      const agent1 = await joinedUser('agent-1', topic, { claims: { role: 'agent' }, listen, presence: true });
      const agent2 = await joinedUser('agent-2', topic, { claims: { role: 'agent' }, listen });

      assert.deepEqual(await pushAsync(customer.channel, 'message', { text: 'help' }), OK_EMPTY);
      await delivered([customer, agent1, agent2].map((m) => m.received.message));
      assertUserSender(agent1.received.message[0].sender, 'cust-1');

      assert.deepEqual(await pushAsync(customer.channel, 'dm', { text: 'x', target_user_id: 'agent-1' }),
        refused('private messages are not allowed in this channel'));

      assert.deepEqual(await pushAsync(agent1.channel, 'dm', { text: 'take this one?', target_user_id: 'agent-2' }), OK_EMPTY);
      await delivered([agent2.received.dm]);
      assert.equal(agent2.received.dm[0].text, 'take this one?');
      assertUserSender(agent2.received.dm[0].sender, 'agent-1', 'agent');

      // Presence: the agent role grants it; the customer (set permissions) neither sees nor is seen.
      await waitFor(() => agent1.received.presence_state.length >= 1, 2000, 'presence_state at agent-1');
      const keys = await waitFor(() => {
        const k = agent1.presence.list((key) => key).sort();
        return k.length === 2 ? k : null;
      }, 2000, 'both agents in agent-1 presence');
      assert.deepEqual(keys, ['agent-1', 'agent-2']);
      await quietPeriod(QUIET_MS);
      assert.deepEqual(customer.received.presence_state, [], 'the customer gets no presence_state');
      assert.deepEqual(customer.received.presence_diff, [], 'the customer gets no presence_diff');
      assert.deepEqual(customer.received.dm, []);
      assert.deepEqual(agent1.received.dm, [], 'a private message is not echoed');
    });
  });

  describe('client_authenticated_messaging', () => {
    it('delivers authenticated messages to authenticated members only (explicit and by default)', async () => {
      const topic = 'authmsg/room';
      const a = await joinedAnon(topic, { listen: ['message'] });
      const u = await joinedUser('auth-u', topic, { listen: ['message'] });
      const v = await joinedUser('auth-v', topic, { listen: ['message'] });

      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'default audience' }), OK_EMPTY);
      await delivered([u.received.message, v.received.message]);
      assert.deepEqual(v.received.message[0], u.received.message[0], 'echoed to the sender too');
      assertUserSender(v.received.message[0].sender, 'auth-u');

      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'explicit', authenticated: true }), OK_EMPTY);
      await delivered([u.received.message, v.received.message], 2);
      assert.equal(v.received.message[1].authenticated, true, 'routing keys stay in the payload');
      await nothingMore([a.received.message], 'message at the anonymous member');
      assert.deepEqual(a.received.message, [], 'anonymous members never receive authenticated messages');

      assert.deepEqual(await pushAsync(a.channel, 'message', { text: 'x' }), refused('public messages are not allowed in this channel'));
      assert.deepEqual(await pushAsync(a.channel, 'message', { text: 'x', authenticated: true }), refused('anonymous clients cannot send authenticated messages'));
    });

    it('keeps the public default when a public permission is granted too', async () => {
      const topic = 'mixed/room';
      const a = await joinedAnon(topic, { listen: ['message'] });
      const u = await joinedUser('mixed-u', topic, { listen: ['message'] });
      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'public' }), OK_EMPTY);
      await delivered([a.received.message, u.received.message]);
      assert.equal(a.received.message[0].text, 'public');

      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'members', authenticated: true }), OK_EMPTY);
      await delivered([u.received.message], 2);
      await nothingMore([a.received.message], 'authenticated message at the anonymous member');
      assert.equal(a.received.message.length, 1);
    });
  });

  describe('client_private_messaging', () => {
    it('lets anonymous members message one member privately, and refuses a target outside the channel', async () => {
      const topic = 'dm/room';
      const join = (label) => joinedAnon(topic, { listen: ['dm'], presence: true, payload: { presence_meta: { label } } });
      const members = { a: await join('a'), b: await join('b'), c: await join('c') };
      // Client ids come from presence: each member labelled itself with presence_meta.
      const idOf = await waitFor(() => {
        const ids = {};
        members.a.presence.list((key, { metas }) => { ids[metas[0].label] = metas[0].client_id; });
        return Object.keys(ids).length === 3 ? ids : null;
      }, 2000, 'three labelled presence entries');

      assert.deepEqual(await pushAsync(members.a.channel, 'dm', { text: 'to b', target_client_id: idOf.b }), OK_EMPTY);
      await delivered([members.b.received.dm]);
      assert.deepEqual(members.b.received.dm[0], { text: 'to b', target_client_id: idOf.b, sender: { client_id: idOf.a, authenticated: false } });

      assert.deepEqual(await pushAsync(members.a.channel, 'dm', { text: 'x', target_client_id: '00000000-0000-4000-8000-000000000000' }),
        refused('target not in channel'));
      assert.deepEqual(await pushAsync(members.a.channel, 'message', { text: 'x' }), refused('public messages are not allowed in this channel'));
      const lists = ['a', 'b', 'c'].map((k) => members[k].received.dm);
      await nothingMore(lists, 'private message');
      assert.deepEqual(lists.map((l) => l.length), [0, 1, 0], 'only the target received, no echo');
    });
  });

  describe('joins', () => {
    it('honours authorized_channels in the token', async () => {
      const claims = { authorized_channels: ['team/7/*'] };
      const ok = await user('scoped', 'team/7/workspace/a', { claims });
      assert.equal(ok.outcome.status, 'ok', JSON.stringify(ok.outcome));
      const no = await user('scoped', 'team/8/workspace/a', { claims });
      assert.deepEqual(no.outcome, refused('channel not authorized by token'));
      const unscoped = await user('unscoped', 'team/8/workspace/a');
      assert.equal(unscoped.outcome.status, 'ok', 'a token without the claim may join any matching set');
    });

    for (const who of ['anonymous', 'authenticated']) {
      it(`refuses an unmatched topic (${who})`, async () => {
        const opts = who === 'anonymous' ? {} : { token: tokenFor('u-unmatched') };
        const m = await member(server, 'nosuch/topic', opts);
        assert.deepEqual(m.outcome, refused('unmatched topic'));
      });

      it(`treats an inactive set as absent (${who})`, async () => {
        const opts = who === 'anonymous' ? {} : { token: tokenFor('u-inactive') };
        const m = await member(server, 'inactive/x', opts);
        assert.deepEqual(m.outcome, refused('unmatched topic'));
        // shadow/x/* is inactive, so shadow/* (join and receive only) decides.
        const s = await member(server, 'shadow/x/y', opts);
        assert.equal(s.outcome.status, 'ok', JSON.stringify(s.outcome));
        assert.deepEqual(await pushAsync(s.channel, 'message', {}), refused('public messages are not allowed in this channel'));
      });
    }

    it('applies the most specific set, whatever the file order', async () => {
      const general = await joinedAnon('chatroom/general');
      assert.deepEqual(await pushAsync(general.channel, 'message', { text: 'x' }), refused('public messages are not allowed in this channel'));
      const vip = await joinedAnon('chatroom/vip/lounge', { listen: ['message'] });
      assert.deepEqual(await pushAsync(vip.channel, 'message', { text: 'y' }), OK_EMPTY);
      await delivered([vip.received.message]);
    });
  });

  describe('sender object', () => {
    const forged = { client_id: 'forged', authenticated: true, user_id: 'admin', role: 'admin' };

    it('replaces a forged sender from an anonymous member', async () => {
      const a = await joinedAnon('public-chat', { listen: ['message'] });
      const b = await joinedAnon('public-chat', { listen: ['message'] });
      assert.deepEqual(await pushAsync(a.channel, 'message', { text: 'me', sender: forged }), OK_EMPTY);
      await delivered([b.received.message]);
      const got = b.received.message.find((p) => p.text === 'me');
      const id = assertAnonymousSender(got.sender);
      assert.deepEqual(got, { text: 'me', sender: { client_id: id, authenticated: false } });
    });

    it('replaces a forged sender from an authenticated member, with user_id and role', async () => {
      const u = await joinedUser('real-user', 'public-chat', { claims: { role: 'editor' }, listen: ['message'] });
      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'signed', sender: forged }), OK_EMPTY);
      await waitFor(() => u.received.message.find((p) => p.text === 'signed'), 2000, 'the echo');
      const got = u.received.message.find((p) => p.text === 'signed');
      assertUserSender(got.sender, 'real-user', 'editor');
    });

    it('omits role for an authenticated member without a role claim', async () => {
      const u = await joinedUser('no-role', 'public-chat', { listen: ['message'] });
      assert.deepEqual(await pushAsync(u.channel, 'message', { text: 'plain' }), OK_EMPTY);
      await waitFor(() => u.received.message.find((p) => p.text === 'plain'), 2000, 'the echo');
      assertUserSender(u.received.message.find((p) => p.text === 'plain').sender, 'no-role');
    });
  });
});
