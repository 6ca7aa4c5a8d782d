// workflow-peer.mjs — Stripe payment links and Replicate predictions, with their effects counted
//
// SPDX-License-Identifier: MIT
//
// A scripted peer for the platforms a durable workflow touches, so a test
// can kill the client at any moment and then ask what really happened.
// Both halves follow the official contracts in the shared fixtures:
//
// - Stripe ($PLAYALTER_FIXTURES/openapi/stripe.json): POST /v1/payment_links
//   and POST /v1/payment_links/{id}, checked by lib/stripe-contract.mjs
//   (Bearer key, Stripe-Version = the spec's version, Idempotency-Key on
//   every POST, the form body against the operation's schema), answered
//   with objects that validate against the 200 schema. Idempotency as
//   Stripe documents it: the first request with a key has the effect and
//   its answer is stored; the same key with the same method, path and body
//   gets that answer again with `Idempotent-Replayed: true` and no effect;
//   the same key with another path or body gets a 400 idempotency_error.
//
// - Replicate ($PLAYALTER_FIXTURES/openapi/replicate.json), under /v1:
//   POST /v1/predictions, POST /v1/models/{owner}/{name}/predictions,
//   GET /v1/predictions/{id}, GET /v1/predictions (newest first, with
//   created_after/created_before, `results`/`next`/`previous`), POST
//   /v1/predictions/{id}/cancel. Bearer key required; bodies and queries
//   validated with ajv against the spec; every prediction sent back is
//   validated against its prediction schema. A prediction goes starting →
//   processing → succeeded over $PEER_PREDICTION_MS (default 1200) ms of
//   wall time, and its output is a URL derived from its version and input.
//   GET /v1/health-check answers 404, as the real API does, so a client
//   that probes for a Cog server stays in API mode.
//
// Every answer can be held back (--latency-ms N or $PEER_LATENCY_MS, 0 by
// default) after the request took effect, as a real network does.
//
// GET /__peer/effects tells what happened:
//   {"payment_links": {"<idempotency key>": {"effects": 1, "replays": N}},
//    "payment_link_updates": {...the same shape...},
//    "predictions_created": N, "predictions_by_input": {"<input hash>": N},
//    "predictions_canceled": N, "predictions_listed": N, "health_checks": N,
//    "rejected": [{method, path, status, reason}, ...]}
// where "rejected" lists every request that broke the contract.
//
// Usage: PORT=N node workflow-peer.mjs [--latency-ms N] [--prediction-ms N]

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { loadStripeContract, sendJson, stripeErrorObject } from './lib/stripe-contract.mjs';
import { canonical, REPLAYED_HEADERS, StripeIdempotency } from './lib/stripe-idempotency.mjs';

const fixtures = process.env.PLAYALTER_FIXTURES ?? '';
const stripe = loadStripeContract(join(fixtures, 'openapi', 'stripe.json'));
const { values: options } = parseArgs({
  options: {
    'prediction-ms': { type: 'string', default: process.env.PEER_PREDICTION_MS ?? '1200' },
    'latency-ms': { type: 'string', default: process.env.PEER_LATENCY_MS ?? '0' },
  },
});
const predictionMs = Number(options['prediction-ms']);
const latencyMs = Number(options['latency-ms']);

// Every platform answer leaves this long after the request was carried
// out, as over a real network: a client killed in between has had the
// effect without seeing it, which is the moment retries must not repeat.
function reply(res, status, object, headers) {
  setTimeout(() => sendJson(res, status, object, headers), latencyMs);
}

const effects = {
  payment_links: {},
  payment_link_updates: {},
  predictions_created: 0,
  predictions_by_input: {},
  predictions_canceled: 0,
  predictions_listed: 0,
  health_checks: 0,
  rejected: [],
};

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

function reject(req, url, status, reason) {
  effects.rejected.push({ method: req.method, path: url.pathname, status, reason });
}

// ---- Stripe -----------------------------------------------------------------

const idempotency = new StripeIdempotency();
const paymentLinks = new Map();  // id → the link as last answered

function handleStripe(req, res, url, raw) {
  const seen = {};
  const checked = stripe.checkRequest(req, url, raw, seen);
  const fail = (status, error) => {
    reject(req, url, status, error.error.message);
    reply(res, status, error);
  };

  if (checked.error)
    return fail(checked.status, checked.error);
  const { op, values, body } = checked;

  let ledger;
  if (op.path === '/v1/payment_links')
    ledger = effects.payment_links;
  else if (op.path === '/v1/payment_links/{payment_link}')
    ledger = effects.payment_link_updates;
  else
    return fail(404, stripeErrorObject('invalid_request_error',
                                       `This peer does not play ${req.method} ${op.path}.`));

  const key = seen.idempotency_key;
  const signature = StripeIdempotency.signature(req.method, url.pathname, body);
  const known = idempotency.check(key, signature);
  if (known?.conflict)
    return fail(400, known.conflict);
  if (known) {
    ledger[key].replays++;
    return reply(res, known.replay.status, known.replay.response, REPLAYED_HEADERS);
  }

  let response;
  if (op.path === '/v1/payment_links') {
    // The id and URL come from what is asked, not from the key: the same
    // workflow run twice with the same inputs then has equal outputs, which
    // is what the crash test compares. Stripe itself would make them unique.
    const digest = sha256(signature).slice(0, 24);
    response = stripe.respond(op, body, {
      id: `plink_${digest}`,
      url: `https://buy.stripe.com/test_${digest}`,
    });
  } else {
    const link = paymentLinks.get(values.payment_link);
    if (!link)
      return fail(404, stripeErrorObject('invalid_request_error',
                                         `No such payment_link: '${values.payment_link}'`,
                                         'payment_link', 'resource_missing'));
    response = stripe.respond(op, body, { id: link.id, url: link.url });
  }
  paymentLinks.set(response.id, response);
  ledger[key] ??= { effects: 0, replays: 0 };
  ledger[key].effects++;
  idempotency.remember(key, signature, 200, response);
  reply(res, 200, response);
}

// ---- Replicate --------------------------------------------------------------

const replicateSpec = JSON.parse(readFileSync(join(fixtures, 'openapi', 'replicate.json'), 'utf8'));
const REPLICATE_ID = 'replicate.json';
const replicateAjv = new Ajv({ strict: false, allErrors: true });
addFormats(replicateAjv);
replicateAjv.addSchema(replicateSpec, REPLICATE_ID);

const schema = (name) => replicateAjv.compile({ $ref: `${REPLICATE_ID}#/components/schemas/${name}` });
const validateVersionRequest = schema('schemas_version_prediction_request');
const validateModelRequest = schema('schemas_prediction_request');
const validatePredictionSchema = schema('schemas_prediction_response');
const listParameters = replicateSpec.paths['/predictions'].get.parameters;
const validateListQuery = replicateAjv.compile({
  type: 'object',
  properties: {
    ...Object.fromEntries(listParameters.map((p) => [p.name, p.schema])),
    // Not a documented parameter, but it is how the `next` URLs the API
    // sends page on.
    cursor: { type: 'string', pattern: '^[0-9]+$' },
  },
  additionalProperties: false,
});
const validatePrefer = replicateAjv.compile(
  replicateSpec.components.parameters.parameters_prefer_header.schema);

const PAGE_SIZE = 100;
const VERSION_ID = /^[0-9a-f]{64}$/;
const MODEL = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function validatePrediction(prediction) {
  if (!validatePredictionSchema(prediction))
    throw new Error(`prediction ${prediction.id} does not fit the spec: ` +
                    replicateAjv.errorsText(validatePredictionSchema.errors));
  return prediction;
}

const predictions = new Map();   // id → {id, model, version, input, created, canceled, sequence}
const sentBefore = new Map();    // content hash → how many creates carried it
let sequence = 0;

function replicateError(res, req, url, status, detail) {
  reject(req, url, status, detail);
  reply(res, status, { title: status === 404 ? 'Not found' : 'Invalid request', detail, status });
}

// What a prediction looks like now: its status follows the wall clock.
function predictionView(p, base) {
  const age = Date.now() - p.created;
  const iso = (ms) => new Date(ms).toISOString();
  const view = {
    id: p.id,
    model: p.model,
    version: p.version,
    input: p.input,
    logs: '',
    output: null,
    data_removed: false,
    error: null,
    status: 'starting',
    created_at: iso(p.created),
    source: 'api',
    urls: {
      web: `https://replicate.com/p/${p.id}`,
      get: `${base}/v1/predictions/${p.id}`,
      cancel: `${base}/v1/predictions/${p.id}/cancel`,
    },
  };
  if (p.canceled !== null) {
    view.status = 'canceled';
    view.completed_at = iso(p.canceled);
  } else if (age >= predictionMs) {
    view.status = 'succeeded';
    view.started_at = iso(p.created + predictionMs / 3);
    view.completed_at = iso(p.created + predictionMs);
    view.metrics = { total_time: predictionMs / 1000 };
    view.output = `https://replicate.delivery/peer/${p.inputHash.slice(0, 32)}/output.png`;
  } else if (age >= predictionMs / 3) {
    view.status = 'processing';
    view.started_at = iso(p.created + predictionMs / 3);
  }
  return validatePrediction(view);
}

function createPrediction(req, res, url, raw, base, model) {
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return replicateError(res, req, url, 400, 'The request body is not JSON.');
  }
  const validate = model ? validateModelRequest : validateVersionRequest;
  if (!validate(body))
    return replicateError(res, req, url, 422, replicateAjv.errorsText(validate.errors));
  if (req.headers.prefer !== undefined && !validatePrefer(req.headers.prefer))
    return replicateError(res, req, url, 400, `Invalid Prefer header: ${req.headers.prefer}`);

  let version = 'hidden';
  if (!model) {
    // The three forms the spec's `version` description allows.
    const colon = body.version.lastIndexOf(':');
    if (colon >= 0 && MODEL.test(body.version.slice(0, colon)) && VERSION_ID.test(body.version.slice(colon + 1))) {
      model = body.version.slice(0, colon);
      version = body.version.slice(colon + 1);
    } else if (VERSION_ID.test(body.version)) {
      model = 'peer/versioned-model';
      version = body.version;
    } else if (MODEL.test(body.version)) {
      model = body.version;
    } else {
      return replicateError(res, req, url, 422,
                            `version must be owner/name, owner/name:<64 hex> or <64 hex>, not ${body.version}`);
    }
  }

  // Every create is a new prediction (Replicate takes no idempotency key),
  // and a client tells its predictions apart by id, so ids are unique. They
  // are still derived from the request and how often it came before, not
  // drawn at random, so a run of the test can be repeated exactly.
  const inputHash = sha256(canonical({ model, version, input: body.input }));
  const content = sha256(`${req.method} ${url.pathname} ${canonical(body)}`);
  const n = sentBefore.get(content) ?? 0;
  sentBefore.set(content, n + 1);
  const id = sha256(`${content}#${n}`).slice(0, 26);

  const prediction = { id, model, version, input: body.input, inputHash,
                       created: Date.now(), canceled: null, sequence: ++sequence };
  predictions.set(id, prediction);
  effects.predictions_created++;
  effects.predictions_by_input[inputHash] = (effects.predictions_by_input[inputHash] ?? 0) + 1;
  reply(res, 201, predictionView(prediction, base));
}

function listPredictions(req, res, url, base) {
  const query = Object.fromEntries(url.searchParams);
  if (url.searchParams.size !== Object.keys(query).length || !validateListQuery(query))
    return replicateError(res, req, url, 400,
                          `Invalid query: ${replicateAjv.errorsText(validateListQuery.errors)}`);
  effects.predictions_listed++;
  const after = query.created_after ? Date.parse(query.created_after) : -Infinity;
  const before = query.created_before ? Date.parse(query.created_before) : Infinity;
  // The spec: created_after is "at or after", created_before is "before".
  const all = [...predictions.values()]
    .filter((p) => query.source !== 'web' && p.created >= after && p.created < before)
    .sort((a, b) => b.created - a.created || b.sequence - a.sequence);
  const offset = Number(query.cursor ?? 0);
  const page = all.slice(offset, offset + PAGE_SIZE);
  const link = (at) => {
    const next = new URL(`${base}/v1/predictions`);
    for (const [name, value] of Object.entries(query))
      if (name !== 'cursor')
        next.searchParams.set(name, value);
    next.searchParams.set('cursor', String(at));
    return next.toString();
  };
  reply(res, 200, {
    results: page.map((p) => predictionView(p, base)),
    next: offset + PAGE_SIZE < all.length ? link(offset + PAGE_SIZE) : null,
    previous: offset > 0 ? link(Math.max(0, offset - PAGE_SIZE)) : null,
  });
}

function handleReplicate(req, res, url, raw) {
  const base = `http://${req.headers.host}`;
  const path = url.pathname;

  if (req.method === 'GET' && path === '/v1/health-check') {
    effects.health_checks++;
    return reply(res, 404, { title: 'Not found', detail: 'Not found.', status: 404 });
  }
  if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
    return replicateError(res, req, url, 401, 'You did not pass a valid authentication token');
  if (req.method === 'POST' && !(req.headers['content-type'] ?? '').startsWith('application/json') &&
      raw.length > 0)
    return replicateError(res, req, url, 415, `Bodies must be application/json, got ${req.headers['content-type']}`);

  let match;
  if (req.method === 'POST' && path === '/v1/predictions')
    return createPrediction(req, res, url, raw, base, null);
  if (req.method === 'POST' && (match = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path)))
    return createPrediction(req, res, url, raw, base, `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`);
  if (req.method === 'GET' && path === '/v1/predictions')
    return listPredictions(req, res, url, base);
  if ((match = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(path)) &&
      (req.method === (match[2] ? 'POST' : 'GET'))) {
    const prediction = predictions.get(decodeURIComponent(match[1]));
    if (!prediction)
      return replicateError(res, req, url, 404, `No prediction ${match[1]}.`);
    if (match[2] && predictionView(prediction, base).status !== 'succeeded' && prediction.canceled === null) {
      prediction.canceled = Date.now();
      effects.predictions_canceled++;
    }
    return reply(res, 200, predictionView(prediction, base));
  }
  return replicateError(res, req, url, 404, `This peer does not play ${req.method} ${path}.`);
}

// ---- the server ---------------------------------------------------------------

function handle(req, res, raw) {
  const url = new URL(req.url, 'http://127.0.0.1');

  if (req.method === 'GET' && url.pathname === '/__peer/effects')
    return sendJson(res, 200, effects);
  if (url.pathname.startsWith('/v1/payment_links'))
    return handleStripe(req, res, url, raw);
  return handleReplicate(req, res, url, raw);
}

const server = createServer((req, res) => {
  const chunks = [];
  // A client killed mid-request only loses its own answer: a request that
  // did not arrive whole has no effect, one that did is carried out.
  req.on('error', () => {});
  res.on('error', () => {});
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      handle(req, res, Buffer.concat(chunks));
    } catch (e) {
      effects.rejected.push({ method: req.method, path: req.url, status: 500, reason: `peer failure: ${e.stack}` });
      if (!res.headersSent)
        sendJson(res, 500, { title: 'Internal error', detail: `peer failure: ${e.message}`, status: 500 });
    }
  });
});
server.on('clientError', (error, socket) => socket.destroy());

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('workflow-peer: set PORT');
  process.exit(2);
}
server.listen(port, '127.0.0.1', () => {
  console.log(`workflow-peer: Stripe API ${stripe.apiVersion} and Replicate ${replicateSpec.info.version} ` +
              `on 127.0.0.1:${port}, predictions take ${predictionMs} ms, answers ${latencyMs} ms`);
});
// Keep-alive connections would hold server.close() open: just go.
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
