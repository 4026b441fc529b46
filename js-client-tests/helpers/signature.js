'use strict';
// Verifies phxserver's webhook signature the way a receiver would (n8n, Make.com, a backend):
// X-Phxserver-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.

const crypto = require('node:crypto');

/** True when header signs body with secret and its timestamp is within 5 minutes. */
function verifySignature(header, body, secret) {
  const parts = Object.fromEntries(String(header || '').split(',').map((kv) => kv.split('=', 2)));
  if (!parts.t || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const want = crypto.createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const got = Buffer.from(parts.v1, 'hex');
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

module.exports = { verifySignature };
