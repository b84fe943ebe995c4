// An independent Standard Webhooks verifier (node's crypto only), as a receiver of Flowgate's webhooks
// would write it. Reads one JSON case per line on stdin: {"secret", "headers": {...}, "body_base64", "now"}
// and prints one line per case: "ok" or "refused: <why>". Used by WebhookDeliveryTest.
'use strict';
const crypto = require('crypto');
const readline = require('readline');

const TOLERANCE_SECONDS = 5 * 60;

function verify(secret, headers, rawBody, now) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return 'refused: missing webhook-id, webhook-timestamp or webhook-signature';
  const t = Number(timestamp);
  if (!Number.isInteger(t) || Math.abs(now - t) > TOLERANCE_SECONDS) return 'refused: timestamp outside the tolerance (replay?)';
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  for (const signature of signatures.split(' ')) {
    const [version, value] = signature.split(',');
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return 'ok';
  }
  return 'refused: no valid v1 signature';
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  console.log(verify(c.secret, c.headers, Buffer.from(c.body_base64, 'base64'), c.now));
});
