'use strict';
// Shared test fixtures: tokens for the test config and small assertion helpers.

const assert = require('node:assert/strict');
const { TEST_JWT_SECRET } = require('./server');
const { signHS256 } = require('./jwt');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A valid token for the test config's HS256 secret. */
function validToken(claims = {}) {
  return signHS256({ sub: 'user-1', ...claims }, TEST_JWT_SECRET);
}

/** The Sec-WebSocket-Protocol entry phoenix 1.8 sends for authToken (standard base64, no padding). */
function authTokenProtocol(token) {
  return `base64url.bearer.phx.${Buffer.from(token, 'latin1').toString('base64').replace(/=+$/, '')}`;
}

/** Asserts value is a plain JSON object (not null, not an array). */
function assertObject(value, what = 'value') {
  assert.equal(typeof value, 'object', `${what} should be an object, got ${JSON.stringify(value)}`);
  assert.notEqual(value, null, `${what} should not be null`);
  assert.ok(!Array.isArray(value), `${what} should not be an array`);
}

/** Asserts an anonymous server-set sender object and returns its client_id. */
function assertAnonymousSender(sender) {
  assertObject(sender, 'sender');
  assert.match(String(sender.client_id), UUID_RE, `sender.client_id should be a UUID: ${JSON.stringify(sender)}`);
  assert.deepEqual(sender, { client_id: sender.client_id, authenticated: false });
  return sender.client_id;
}

/** Converts an ArrayBuffer (or view) to a Buffer for byte comparisons. */
function bytesOf(arrayBuffer) {
  assert.ok(arrayBuffer instanceof ArrayBuffer, `expected an ArrayBuffer, got ${Object.prototype.toString.call(arrayBuffer)}`);
  return Buffer.from(arrayBuffer);
}

module.exports = { UUID_RE, assertAnonymousSender, assertObject, authTokenProtocol, bytesOf, validToken };
