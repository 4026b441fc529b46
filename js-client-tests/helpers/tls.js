'use strict';
// Self-signed certificate for localhost/127.0.0.1 made with the openssl CLI (for TLS listener tests).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * Generates a one-day self-signed EC certificate valid for localhost and 127.0.0.1.
 * @returns {{dir:string, certFile:string, keyFile:string, cert:string, key:string}}
 */
function generateSelfSignedCert(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phxserver-tls-'))) {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-nodes', '-days', '1',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile,
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return {
    dir,
    certFile,
    keyFile,
    cert: fs.readFileSync(certFile, 'utf8'),
    key: fs.readFileSync(keyFile, 'utf8'),
  };
}

module.exports = { generateSelfSignedCert };
