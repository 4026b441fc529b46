'use strict';
// Minimal HS256 JWT signing with node:crypto, so tests can mint tokens without a dependency.

const crypto = require('node:crypto');

function base64url(input) {
  return Buffer.from(input).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Signs claims as an HS256 JWT. iat and exp (one hour) are added unless given;
 * pass exp: null to omit it. header lets a test override fields (e.g. alg).
 */
function signHS256(claims, secret, { header = {} } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iat: now, exp: now + 3600, ...claims };
  if (body.exp === null) delete body.exp;
  const head = { alg: 'HS256', typ: 'JWT', ...header };
  const signingInput = `${base64url(JSON.stringify(head))}.${base64url(JSON.stringify(body))}`;
  const signature = crypto.createHmac('sha256', secret).update(signingInput).digest();
  return `${signingInput}.${base64url(signature)}`;
}

module.exports = { base64url, signHS256 };
