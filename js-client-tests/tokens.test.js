'use strict';
// Token lifetime and authentication modes (channels-and-permissions.md §1 and §6) and live
// configuration reload on SIGHUP, with the unmodified phoenix client and raw WebSockets.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { startServer, TEST_JWT_SECRET } = require('./helpers/server');
const {
  collect, connectSocket, disconnectAll, joinChannel, newSocket, pushAsync, quietPeriod, waitFor,
} = require('./helpers/phoenix');
const { connectRaw, socketUrl, tryConnect } = require('./helpers/rawws');
const { assertAnonymousSender } = require('./helpers/fixtures');
const { signHS256 } = require('./helpers/jwt');
const { tokenFor } = require('./helpers/scenarios');

const OK_EMPTY = { status: 'ok', response: {} };
const refused = (reason) => ({ status: 'error', response: { reason } });

/** A config with the given auth.jwt extras and invalid_token mode; channels optional. */
function configWith({ jwtExtra = '', invalidToken = 'reject', channels } = {}) {
  return `server: {socket_path: /socket, demo: false}
auth: {invalid_token: ${invalidToken}, jwt: {secret: "${TEST_JWT_SECRET}", algorithms: [HS256]${jwtExtra}}}
limits: {max_channels_per_socket: 100}
channels:
${channels || `  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging, presence]}
  - {pattern: "members:*", permissions: [authenticated_only_public_messaging]}
`}`;
}

/** A token for sub expiring in seconds (whole seconds, as JWT exp is). */
function expiringToken(sub, seconds, claims = {}) {
  return tokenFor(sub, { exp: Math.floor(Date.now() / 1000) + seconds, ...claims });
}

/** Resolves 403-or-not for a raw upgrade with token in params. */
async function upgradeStatus(server, token) {
  const result = await tryConnect(socketUrl(server.wsUrl, { params: { token } }));
  if (result.ok) {
    result.client.close();
    return 'open';
  }
  return result.status || String(result.error);
}

describe('token lifetime (auth.jwt.leeway: 0s)', () => {
  let server;
  const raws = [];
  before(async () => { server = await startServer({ config: configWith({ jwtExtra: ', leeway: 0s' }) }); });
  after(async () => {
    raws.forEach((r) => r.close());
    await disconnectAll();
    if (server) await server.stop();
  });

  it('closes the socket with 1001 at expiry, and the phoenix client reconnects', async () => {
    const token = expiringToken('expiring', 2);
    const rawClient = await connectRaw(socketUrl(server.wsUrl, { params: { token } }));
    raws.push(rawClient);
    assert.equal((await rawClient.joinV2('members:exp', '1')).json[4].status, 'ok');

    // The phoenix client reads its params through a closure, so it reconnects with a fresh token.
    let current = token;
    const socket = newSocket(server.wsUrl, { params: () => ({ token: current }) });
    let opens = 0;
    let closes = 0;
    socket.onOpen(() => { opens += 1; });
    socket.onClose(() => { closes += 1; current = tokenFor('expiring'); });
    await connectSocket(socket);
    const channel = socket.channel('members:exp', {});
    assert.equal((await joinChannel(channel)).status, 'ok');

    const closed = await rawClient.waitClosed(4000);
    assert.ok(closed, 'the server closed the expired connection');
    assert.equal(closed.code, 1001, `close code ${closed.code} ${closed.reason}`);
    await waitFor(() => closes >= 1 && opens >= 2 && channel.state === 'joined', 5000, 'a phoenix reconnect and rejoin');
    assert.deepEqual(await pushAsync(channel, 'shout', {}), OK_EMPTY);
  });

  it('keeps the socket open past expiry after an in-band access_token refresh', async () => {
    const socket = newSocket(server.wsUrl, { params: { token: expiringToken('refresher', 2) } });
    let closes = 0;
    socket.onClose(() => { closes += 1; });
    await connectSocket(socket);
    const channel = socket.channel('members:refresh', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    const echoes = collect(channel, 'shout');

    assert.deepEqual(await pushAsync(channel, 'access_token', { access_token: tokenFor('refresher', { role: 'pro' }) }), OK_EMPTY);
    await quietPeriod(3000);
    assert.equal(closes, 0, 'the socket was not closed at the first token\'s expiry');
    assert.ok(socket.isConnected());
    assert.deepEqual(await pushAsync(channel, 'shout', { after: 'refresh' }), OK_EMPTY);
    await waitFor(() => echoes.length === 1, 2000, 'the echo');
    assert.equal(echoes[0].sender.role, 'pro', 'the sender reflects the new token');
  });

  it('refuses a refresh with another user\'s token or an invalid token', async () => {
    const socket = newSocket(server.wsUrl, { params: { token: tokenFor('owner') } });
    await connectSocket(socket);
    const channel = socket.channel('members:thief', {});
    assert.equal((await joinChannel(channel)).status, 'ok');
    assert.deepEqual(await pushAsync(channel, 'access_token', { access_token: tokenFor('someone-else') }),
      refused('token belongs to another user'));
    const bad = await pushAsync(channel, 'access_token', { access_token: 'not-a-jwt' });
    assert.equal(bad.status, 'error', JSON.stringify(bad));
    assert.equal(typeof bad.response.reason, 'string');
    assert.deepEqual(await pushAsync(channel, 'shout', {}), OK_EMPTY, 'the channel is still joined as the owner');
  });

  it('closes, with phx_close, the channels a refreshed token no longer authorizes', async () => {
    const client = await connectRaw(socketUrl(server.wsUrl, { params: { token: tokenFor('narrowed') } }));
    raws.push(client);
    assert.equal((await client.joinV2('members:kept', '1')).json[4].status, 'ok');
    assert.equal((await client.joinV2('members:lost', '2')).json[4].status, 'ok');
    const since = client.frames.length;
    client.sendV2('1', '3', 'members:kept', 'access_token', { access_token: tokenFor('narrowed', { authorized_channels: ['members:kept'] }) });
    const reply = await client.waitV2({ ref: '3' }, { since });
    assert.deepEqual(reply.json, ['1', '3', 'members:kept', 'phx_reply', OK_EMPTY]);
    const close = await client.waitV2({ topic: 'members:lost', event: 'phx_close' }, { since });
    assert.deepEqual(close.json, ['2', '2', 'members:lost', 'phx_close', {}]);
    await quietPeriod(200);
    assert.deepEqual(client.frames.slice(since).filter((f) => f.json && f.json[3] === 'phx_close').map((f) => f.text), [close.text],
      'the still-authorized channel stays joined');
  });

  it('refuses an invalid token at connect with HTTP 403', async () => {
    const expired = signHS256({ sub: 'u', iat: 1, exp: Math.floor(Date.now() / 1000) - 1 }, TEST_JWT_SECRET);
    assert.deepEqual(
      [await upgradeStatus(server, 'garbage'), await upgradeStatus(server, tokenFor('u', {}, 'wrong-secret')), await upgradeStatus(server, expired)],
      [403, 403, 403],
    );
  });
});

describe('auth.invalid_token: anonymous', () => {
  let server;
  before(async () => { server = await startServer({ config: configWith({ invalidToken: 'anonymous' }) }); });
  after(async () => {
    await disconnectAll();
    if (server) await server.stop();
  });

  it('accepts a connection with an invalid token as anonymous', async () => {
    const socket = newSocket(server.wsUrl, { params: { token: 'not-a-jwt' } });
    await connectSocket(socket);
    const room = socket.channel('room:anon-fallback', {});
    assert.equal((await joinChannel(room)).status, 'ok');
    const echoes = collect(room, 'shout');
    assert.deepEqual(await pushAsync(room, 'shout', { x: 1 }), OK_EMPTY);
    await waitFor(() => echoes.length === 1, 2000, 'the echo');
    assertAnonymousSender(echoes[0].sender);
    const members = socket.channel('members:x', {});
    const outcome = await joinChannel(members);
    members.leave();
    assert.deepEqual(outcome, refused('anonymous clients cannot join this channel'));
  });

  it('still authenticates a valid token', async () => {
    const socket = newSocket(server.wsUrl, { params: { token: tokenFor('valid-user') } });
    await connectSocket(socket);
    assert.equal((await joinChannel(socket.channel('members:ok', {}))).status, 'ok');
  });
});

describe('auth.jwt.require_token_type: realtime', () => {
  let server;
  before(async () => { server = await startServer({ config: configWith({ jwtExtra: ', require_token_type: realtime' }) }); });
  after(async () => { if (server) await server.stop(); });

  it('accepts only tokens with token_type "realtime"', async () => {
    assert.deepEqual({
      missing: await upgradeStatus(server, tokenFor('typed')),
      api: await upgradeStatus(server, tokenFor('typed', { token_type: 'api' })),
      realtime: await upgradeStatus(server, tokenFor('typed', { token_type: 'realtime' })),
    }, { missing: 403, api: 403, realtime: 'open' });
  });
});

describe('live reload on SIGHUP', () => {
  let server;
  const raws = [];
  const channels = `  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging]}
  - {pattern: "secret/*", permissions: [anonymous_clients, client_public_messaging]}
`;
  before(async () => { server = await startServer({ config: configWith({ channels }) }); });
  after(async () => {
    raws.forEach((r) => r.close());
    if (server) await server.stop();
  });

  const logLines = (re) => server.logs.filter((l) => re.test(l.line));

  it('closes members of a removed channel set and keeps the old rules on a bad file', async () => {
    assert.equal(typeof server.process.kill, 'function', 'helpers/server.js exposes the child process');
    const member = await connectRaw(socketUrl(server.wsUrl));
    raws.push(member);
    assert.equal((await member.joinV2('secret/x', '11')).json[4].status, 'ok');
    assert.equal((await member.joinV2('room:stays', '12')).json[4].status, 'ok');
    const since = member.frames.length;
    const reloadsBefore = logLines(/configuration reloaded/).length;

    fs.writeFileSync(server.configFile, configWith({ channels: '  - {pattern: "room:*", permissions: [anonymous_clients, client_public_messaging]}\n' }));
    server.process.kill('SIGHUP');

    const close = await member.waitV2({ topic: 'secret/x', event: 'phx_close' }, { since, timeoutMs: 3000 });
    assert.deepEqual(close.json, ['11', '11', 'secret/x', 'phx_close', {}]);
    await waitFor(() => logLines(/configuration reloaded/).length > reloadsBefore, 2000, 'the reload log line');
    const afterClose = member.frames.length;
    member.sendV2('12', '13', 'room:stays', 'shout', {});
    assert.deepEqual((await member.waitV2({ ref: '13' }, { since: afterClose })).json, ['12', '13', 'room:stays', 'phx_reply', OK_EMPTY]);
    assert.deepEqual((await member.joinV2('secret/y', '14')).json[4], refused('unmatched topic'));
    assert.deepEqual(member.frames.slice(since).filter((f) => f.json && f.json[3] === 'phx_close').map((f) => f.text),
      [close.text], 'only the removed channel was closed');

    // A bad file: the reload fails, is logged, and the rules in force stay.
    const errorsBefore = server.logs.filter((l) => l.json && l.json.level === 'error').length;
    fs.writeFileSync(server.configFile, `${configWith({ channels })}\n  - {pattern: "broken/*", permissions: [no_such_permission]}\n`);
    server.process.kill('SIGHUP');
    await waitFor(() => server.logs.filter((l) => l.json && l.json.level === 'error').length > errorsBefore, 3000,
      `an error log line for the bad file; logs:\n${server.logs.slice(-5).map((l) => l.line).join('\n')}`);
    assert.equal(server.process.exitCode, null, 'the server keeps running');
    const fresh = await connectRaw(socketUrl(server.wsUrl));
    raws.push(fresh);
    assert.equal((await fresh.joinV2('room:after-bad-reload', '1')).json[4].status, 'ok');
    assert.deepEqual((await fresh.joinV2('secret/z', '2')).json[4], refused('unmatched topic'), 'the bad file\'s sets were not installed');
  });
});
