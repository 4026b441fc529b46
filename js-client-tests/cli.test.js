'use strict';
// The phxserver command line: check, version, and /healthz of a running server.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { TEST_CONFIG, httpGet, runServerCommand, startServer, writeConfig } = require('./helpers/server');

describe('phxserver CLI', () => {
  let dir;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phxserver-cli-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('check accepts a valid config and prints the permission table', async () => {
    const file = writeConfig(fs.mkdtempSync(path.join(dir, 'ok-')), TEST_CONFIG);
    const result = await runServerCommand(['check', '--config', file]);
    assert.equal(result.code, 0, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    for (const expected of ['room:*', 'members:*', 'anonymous_clients', 'authenticated_only_public_messaging']) {
      assert.ok(result.stdout.includes(expected), `check output should mention ${expected}:\n${result.stdout}`);
    }
  });

  describe('check refuses a bad config naming file and line', () => {
    const cases = [
      {
        name: 'unknown key',
        line: 3,
        text: 'server: {socket_path: /socket, demo: false}\nauth: {invalid_token: reject, jwt: {secret: "s", algorithms: [HS256]}}\nnot_a_key: 1\nchannels:\n  - {pattern: "room:*", permissions: [anonymous_clients]}\n',
        mentions: 'not_a_key',
      },
      {
        name: 'unknown permission',
        line: 5,
        text: 'server: {socket_path: /socket, demo: false}\nauth: {invalid_token: reject, jwt: {secret: "s", algorithms: [HS256]}}\nchannels:\n  - pattern: "room:*"\n    permissions: [anonymous_clients, fly_to_the_moon]\n',
        mentions: 'fly_to_the_moon',
      },
    ];
    for (const { name, line, text, mentions } of cases) {
      it(name, async () => {
        const file = writeConfig(fs.mkdtempSync(path.join(dir, 'bad-')), text);
        const result = await runServerCommand(['check', '--config', file]);
        const output = result.stdout + result.stderr;
        assert.notEqual(result.code, 0, `check should fail:\n${output}`);
        assert.ok(output.includes(`${path.basename(file)}:${line}`), `output should name ${path.basename(file)}:${line}:\n${output}`);
        assert.ok(output.includes(mentions), `output should name ${mentions}:\n${output}`);
      });
    }
  });

  it('version prints a version and exits 0', async () => {
    const result = await runServerCommand(['version']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), /\S/);
  });

  it('serves /healthz with 200 and logs JSON lines by default', async () => {
    const server = await startServer();
    try {
      const res = await httpGet(server.port, '/healthz');
      assert.equal(res.status, 200);
      const lines = server.logs.filter((entry) => entry.stream !== 'spawn');
      assert.ok(lines.length > 0, 'the server logs at least its start');
      const notJson = lines.filter((entry) => entry.json === undefined).map((entry) => entry.line);
      assert.deepEqual(notJson, [], 'every log line is JSON');
    } finally {
      await server.stop();
    }
  });
});
