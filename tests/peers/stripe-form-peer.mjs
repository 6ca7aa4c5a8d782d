// stripe-form-peer.mjs — a Stripe API peer that validates form bodies against stripe.json
//
// SPDX-License-Identifier: MIT
//
// Prism cannot read Stripe's bracketed form fields (line_items[0][price],
// expand[]): it answers 415/422 to valid requests. This peer reads them the
// way Stripe does (`qs` nesting), validates the decoded body and query with
// `ajv` against the request schemas of the SAME official spec, and answers
// with a response shaped by that operation's 200 schema. Anything that
// breaks the contract gets Stripe's own error object (400), so the test
// that sent it fails.
//
// Usage: PORT=N node stripe-form-peer.mjs [path/to/stripe.json]
//   (default: $PLAYALTER_FIXTURES/openapi/stripe.json)
//
// Rules PlayAlter holds itself to, checked on every request: a
// Stripe-Version header equal to the spec's version, a Bearer key, and an
// Idempotency-Key on every POST.
//
// GET /__peer/requests lists what was received (decoded), for assertions.
//
// The contract itself (decoding, validation, answers) is in
// lib/stripe-contract.mjs, shared with workflow-peer.mjs.

import { createServer } from 'node:http';
import { join } from 'node:path';

import { loadStripeContract, sendJson, stripeErrorObject } from './lib/stripe-contract.mjs';

const specPath = process.argv[2] ??
  join(process.env.PLAYALTER_FIXTURES ?? '', 'openapi', 'stripe.json');
const contract = loadStripeContract(specPath);
const { apiVersion, operations } = contract;

// ---- the server ------------------------------------------------------------

const received = [];

function stripeError(res, status, type, message, param, code) {
  sendJson(res, status, stripeErrorObject(type, message, param, code));
}

function handle(req, res, raw) {
  const url = new URL(req.url, 'http://127.0.0.1');

  if (req.method === 'GET' && url.pathname === '/__peer/requests')
    return sendJson(res, 200, received);

  const seen = {};
  const checked = contract.checkRequest(req, url, raw, seen);
  seen.status = 0;
  // Only requests for a known operation are listed.
  if (seen.operation !== null)
    received.push(seen);
  if (checked.error) {
    if (seen.operation !== null)
      seen.status = checked.status;
    return sendJson(res, checked.status, checked.error);
  }

  let response;
  try {
    response = contract.respond(checked.op, checked.body);
  } catch (e) {
    seen.status = 500;
    return stripeError(res, 500, 'api_error', e.message);
  }
  seen.status = 200;
  sendJson(res, 200, response);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      handle(req, res, Buffer.concat(chunks));
    } catch (e) {
      stripeError(res, 500, 'api_error', `peer failure: ${e.stack}`);
    }
  });
});

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('stripe-form-peer: set PORT');
  process.exit(2);
}
server.listen(port, '127.0.0.1', () => {
  console.log(`stripe-form-peer: ${operations.length} operations of ${specPath} (API ${apiVersion}) on 127.0.0.1:${port}`);
});
// Keep-alive connections would hold server.close() open: just go.
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
