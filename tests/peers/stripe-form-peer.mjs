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

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import qs from 'qs';

const specPath = process.argv[2] ??
  join(process.env.PLAYALTER_FIXTURES ?? '', 'openapi', 'stripe.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const apiVersion = spec.info.version;

// OpenAPI 3.0's `nullable` is not JSON Schema, and Stripe puts it beside
// anyOf and $ref, which ajv refuses: rewrite it as the JSON Schema it means.
function denull(node) {
  if (Array.isArray(node)) {
    node.forEach(denull);
    return;
  }
  if (!node || typeof node !== 'object')
    return;
  Object.values(node).forEach(denull);
  if (node.nullable !== true)
    return;
  delete node.nullable;
  if (typeof node.type === 'string' && !node.$ref) {
    node.type = [node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null))
      node.enum.push(null);
    return;
  }
  const inner = { ...node };
  for (const key of Object.keys(node))
    delete node[key];
  node.anyOf = [inner, { type: 'null' }];
}
denull(spec);
const SPEC_ID = 'stripe.json';

// Requests: coerce form strings to the schema's types, as Stripe does.
const requestAjv = new Ajv({ strict: false, coerceTypes: true, allErrors: true });
// Responses: exact types, so what we send back really fits the contract.
const responseAjv = new Ajv({ strict: false, allErrors: true });
for (const ajv of [requestAjv, responseAjv]) {
  addFormats(ajv);
  ajv.addFormat('unix-time', true);
  ajv.addFormat('decimal', true);
  ajv.addSchema(spec, SPEC_ID);
}

const pointer = (...parts) =>
  `${SPEC_ID}#/${parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

function resolve(schema) {
  while (schema && schema.$ref) {
    const path = schema.$ref.replace(/^#\//, '').split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    schema = path.reduce((node, key) => node[key], spec);
  }
  return schema;
}

// ---- operations --------------------------------------------------------

const operations = [];
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (!['get', 'post', 'delete'].includes(method))
      continue;

    const names = [];
    const regex = new RegExp('^' + path.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{([^}]+)\\?\}/g, (_, name) => { names.push(name); return '([^/]+)'; }) + '$');
    const params = op.parameters ?? [];

    const query = { type: 'object', properties: {}, required: [], additionalProperties: false };
    params.forEach((p, i) => {
      if (p.in !== 'query')
        return;
      query.properties[p.name] = { $ref: pointer('paths', path, method, 'parameters', i, 'schema') };
      if (p.required)
        query.required.push(p.name);
    });

    const pathSchemas = {};
    params.forEach((p, i) => {
      if (p.in === 'path')
        pathSchemas[p.name] = requestAjv.compile({ $ref: pointer('paths', path, method, 'parameters', i, 'schema') });
    });

    const form = op.requestBody?.content?.['application/x-www-form-urlencoded'];
    const ok = op.responses?.['200']?.content?.['application/json'];

    operations.push({
      method: method.toUpperCase(),
      path,
      regex,
      names,
      pathSchemas,
      validateQuery: requestAjv.compile(query),
      validateBody: form
        ? requestAjv.compile({ $ref: pointer('paths', path, method, 'requestBody', 'content',
                                               'application/x-www-form-urlencoded', 'schema') })
        : null,
      bodyProperties: form ? Object.keys(resolve(form.schema).properties ?? {}) : [],
      responseSchema: ok ? resolve(ok.schema) : null,
      validateResponse: ok
        ? responseAjv.compile({ $ref: pointer('paths', path, method, 'responses', '200', 'content',
                                               'application/json', 'schema') })
        : null,
    });
  }
}

function findOperation(method, path) {
  for (const op of operations) {
    if (op.method !== method)
      continue;
    const match = op.regex.exec(path);
    if (match)
      return { op, values: Object.fromEntries(op.names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) };
  }
  return null;
}

// ---- responses shaped by the schema --------------------------------------

let counter = 0;

function sample(schema, name, depth) {
  schema = resolve(schema);
  if (!schema)
    return null;
  if (schema.anyOf || schema.oneOf) {
    // The first alternative that is not the "" unset marker.
    const options = (schema.anyOf ?? schema.oneOf).map(resolve);
    const pick = options.find((o) => !(o.enum && o.enum.length === 1 && o.enum[0] === '')) ?? options[0];
    return sample(pick, name, depth);
  }
  if (schema.enum)
    return schema.enum[0];
  if (depth > 8)
    return schema.type === 'object' ? {} : schema.type === 'array' ? [] : null;

  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out = {};
      for (const key of schema.required ?? [])
        out[key] = sample(schema.properties?.[key] ?? {}, key, depth + 1);
      if (out.object !== undefined && typeof out.id === 'string')
        out.id = `${out.object.replace(/\./g, '_')}_peer${++counter}`;
      return out;
    }
    case 'array':
      return depth < 3 && schema.items ? [sample(schema.items, name, depth + 1)] : [];
    case 'integer':
      return schema.format === 'unix-time' ? Math.floor(Date.now() / 1000) : 1;
    case 'number':
      return 1;
    case 'boolean':
      // true, so a false in a response (active=false) can only be an echo;
      // has_more false, so paging clients stop.
      return name !== 'has_more';
    case 'string':
      // Stripe's patterns are literal prefixes, e.g. "^/v1/subscriptions".
      if (schema.pattern && /^\^[\w/.-]*\$?$/.test(schema.pattern))
        return schema.pattern.replace(/^\^/, '').replace(/\$$/, '');
      if (name === 'currency')
        return 'usd';
      if (name === 'url' || name.endsWith('_url'))
        return 'https://peer.invalid/' + name;
      return `${name}_sample`;
    default:
      return null;
  }
}

// Request fields the response also has are echoed (metadata, active,
// currency…) when they still fit the response schema.
function respond(op, body) {
  const response = sample(op.responseSchema, 'response', 0);

  if (response && typeof response === 'object' && body) {
    for (const key of op.bodyProperties) {
      if (body[key] === undefined || !(key in (op.responseSchema.properties ?? {})))
        continue;
      const before = response[key];
      response[key] = body[key];
      if (!op.validateResponse(response))
        response[key] = before;
    }
  }
  if (!op.validateResponse(response))
    throw new Error(`sampled response for ${op.method} ${op.path} does not fit the spec: ` +
                    responseAjv.errorsText(op.validateResponse.errors));
  return response;
}

// ---- the server ------------------------------------------------------------

const received = [];

function send(res, status, object) {
  const body = JSON.stringify(object);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function stripeError(res, status, type, message, param, code) {
  const error = { type, message };
  if (param)
    error.param = param;
  if (code)
    error.code = code;
  send(res, status, { error });
}

// "/line_items/0/price" → "line_items[0][price]", as Stripe names params.
function formParam(instancePath) {
  const parts = instancePath.split('/').filter(Boolean);
  return parts.length ? parts[0] + parts.slice(1).map((p) => `[${p}]`).join('') : undefined;
}

function ajvProblem(errors, where) {
  const first = errors[0];
  let param = formParam(first.instancePath);
  if (first.keyword === 'required')
    param = formParam(`${first.instancePath}/${first.params.missingProperty}`);
  else if (first.keyword === 'additionalProperties')
    param = formParam(`${first.instancePath}/${first.params.additionalProperty}`);
  const text = errors.map((e) => `${where}${e.instancePath} ${e.message}` +
    (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : '') +
    (e.params?.missingProperty ? ` (${e.params.missingProperty})` : '')).join('; ');
  return { param, text };
}

function handle(req, res, raw) {
  const url = new URL(req.url, 'http://127.0.0.1');

  if (req.method === 'GET' && url.pathname === '/__peer/requests')
    return send(res, 200, received);

  const found = findOperation(req.method, url.pathname);
  if (!found)
    return stripeError(res, 404, 'invalid_request_error',
                       `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  const { op, values } = found;

  const seen = {
    method: req.method,
    path: url.pathname,
    operation: op.path,
    idempotency_key: req.headers['idempotency-key'] ?? null,
    stripe_version: req.headers['stripe-version'] ?? null,
    content_type: req.headers['content-type'] ?? null,
    query: null,
    body: null,
    status: 0,
  };
  received.push(seen);

  const fail = (status, ...args) => { seen.status = status; stripeError(res, status, ...args); };

  if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
    return fail(401, 'invalid_request_error',
                'You did not provide an API key (Authorization: Bearer).');
  if (seen.stripe_version !== apiVersion)
    return fail(400, 'invalid_request_error',
                `Stripe-Version must be ${apiVersion}, got ${seen.stripe_version ?? 'none'}.`);

  for (const [name, value] of Object.entries(values)) {
    if (!op.pathSchemas[name](value))
      return fail(400, 'invalid_request_error', `Invalid path parameter ${name}.`, name);
  }

  const query = qs.parse(url.search.replace(/^\?/, ''), { depth: 10, arrayLimit: 100 });
  if (!op.validateQuery(query)) {
    const { param, text } = ajvProblem(op.validateQuery.errors, 'query');
    return fail(400, 'invalid_request_error', `Invalid query: ${text}`, param);
  }
  seen.query = query;

  let body = null;
  if (req.method === 'POST') {
    if (!seen.idempotency_key)
      return fail(400, 'invalid_request_error',
                  'This peer requires an Idempotency-Key on every POST (PlayAlter sends one).');
    if (raw.length > 0 && !(seen.content_type ?? '').startsWith('application/x-www-form-urlencoded'))
      return fail(400, 'invalid_request_error',
                  `Bodies must be application/x-www-form-urlencoded, got ${seen.content_type}.`);
    body = qs.parse(raw.toString('utf8'), { depth: 10, arrayLimit: 100, parameterLimit: 10000 });
    if (op.validateBody && !op.validateBody(body)) {
      const { param, text } = ajvProblem(op.validateBody.errors, 'body');
      return fail(400, 'invalid_request_error', `Invalid request: ${text}`, param);
    }
    seen.body = body;
  }

  let response;
  try {
    response = respond(op, body);
  } catch (e) {
    return fail(500, 'api_error', e.message);
  }
  seen.status = 200;
  send(res, 200, response);
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
