// stripe-contract.mjs — Stripe's request and response contract, read from stripe.json
//
// SPDX-License-Identifier: MIT
//
// Shared by the scripted peers that play Stripe (stripe-form-peer.mjs,
// workflow-peer.mjs, stripe-account-peer.mjs). Requests are decoded the way Stripe does (`qs`
// nesting of bracketed form fields) and validated with `ajv` against the
// request schemas of the official spec; answers are shaped by the
// operation's 200 schema and validated against it before they are sent.
//
// Rules PlayAlter holds itself to, checked on every request: a
// Stripe-Version header equal to the spec's version, a Bearer key, and an
// Idempotency-Key on every POST.

import { readFileSync } from 'node:fs';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import qs from 'qs';

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

const SPEC_ID = 'stripe.json';

export function sendJson(res, status, object, headers = {}) {
  const body = JSON.stringify(object);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
                          ...headers });
  res.end(body);
}

export function stripeErrorObject(type, message, param, code) {
  const error = { type, message };
  if (param)
    error.param = param;
  if (code)
    error.code = code;
  return { error };
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

export function loadStripeContract(specPath) {
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const apiVersion = spec.info.version;

  denull(spec);

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

  // ---- operations ------------------------------------------------------

  // Compiling every operation's schemas up front takes seconds; most
  // peers use a few operations. A validator compiles on its first call
  // and, like ajv's own, leaves its errors in .errors.
  function lazy(compile) {
    let compiled = null;
    const validate = (data) => {
      compiled ??= compile();
      const ok = compiled(data);
      validate.errors = compiled.errors;
      return ok;
    };
    validate.errors = null;
    return validate;
  }

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
          pathSchemas[p.name] = lazy(() => requestAjv.compile({ $ref: pointer('paths', path, method, 'parameters', i, 'schema') }));
      });

      const form = op.requestBody?.content?.['application/x-www-form-urlencoded'];
      const ok = op.responses?.['200']?.content?.['application/json'];

      operations.push({
        method: method.toUpperCase(),
        path,
        regex,
        names,
        pathSchemas,
        validateQuery: lazy(() => requestAjv.compile(query)),
        validateBody: form
          ? lazy(() => requestAjv.compile({ $ref: pointer('paths', path, method, 'requestBody', 'content',
                                                          'application/x-www-form-urlencoded', 'schema') }))
          : null,
        bodyProperties: form ? Object.keys(resolve(form.schema).properties ?? {}) : [],
        responseSchema: ok ? resolve(ok.schema) : null,
        validateResponse: ok
          ? lazy(() => responseAjv.compile({ $ref: pointer('paths', path, method, 'responses', '200', 'content',
                                                          'application/json', 'schema') }))
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

  // ---- responses shaped by the schema ------------------------------------

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
  // currency…) when they still fit the response schema. @fixed members
  // (ids the caller derives) are set last, and must fit too.
  function respond(op, body, fixed = {}) {
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
    Object.assign(response, fixed);
    if (!op.validateResponse(response))
      throw new Error(`sampled response for ${op.method} ${op.path} does not fit the spec: ` +
                      responseAjv.errorsText(op.validateResponse.errors));
    return response;
  }

  // Checks one request against the contract, filling @seen (method, path,
  // operation, idempotency_key, stripe_version, content_type, query, body)
  // as far as it got. Returns { op, values, query, body } when it holds,
  // else { status, error } with Stripe's error object.
  function checkRequest(req, url, raw, seen) {
    const problem = (status, ...args) => ({ status, error: stripeErrorObject(...args) });

    Object.assign(seen, {
      method: req.method,
      path: url.pathname,
      operation: null,
      idempotency_key: req.headers['idempotency-key'] ?? null,
      stripe_version: req.headers['stripe-version'] ?? null,
      content_type: req.headers['content-type'] ?? null,
      query: null,
      body: null,
    });

    const found = findOperation(req.method, url.pathname);
    if (!found)
      return problem(404, 'invalid_request_error',
                     `Unrecognized request URL (${req.method}: ${url.pathname}).`);
    const { op, values } = found;
    seen.operation = op.path;

    if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
      return problem(401, 'invalid_request_error',
                     'You did not provide an API key (Authorization: Bearer).');
    if (seen.stripe_version !== apiVersion)
      return problem(400, 'invalid_request_error',
                     `Stripe-Version must be ${apiVersion}, got ${seen.stripe_version ?? 'none'}.`);

    for (const [name, value] of Object.entries(values)) {
      if (!op.pathSchemas[name](value))
        return problem(400, 'invalid_request_error', `Invalid path parameter ${name}.`, name);
    }

    const query = qs.parse(url.search.replace(/^\?/, ''), { depth: 10, arrayLimit: 100 });
    if (!op.validateQuery(query)) {
      const { param, text } = ajvProblem(op.validateQuery.errors, 'query');
      return problem(400, 'invalid_request_error', `Invalid query: ${text}`, param);
    }
    seen.query = query;

    let body = null;
    if (req.method === 'POST') {
      if (!seen.idempotency_key)
        return problem(400, 'invalid_request_error',
                       'This peer requires an Idempotency-Key on every POST (PlayAlter sends one).');
      if (raw.length > 0 && !(seen.content_type ?? '').startsWith('application/x-www-form-urlencoded'))
        return problem(400, 'invalid_request_error',
                       `Bodies must be application/x-www-form-urlencoded, got ${seen.content_type}.`);
      body = qs.parse(raw.toString('utf8'), { depth: 10, arrayLimit: 100, parameterLimit: 10000 });
      if (op.validateBody && !op.validateBody(body)) {
        const { param, text } = ajvProblem(op.validateBody.errors, 'body');
        return problem(400, 'invalid_request_error', `Invalid request: ${text}`, param);
      }
      seen.body = body;
    }

    return { op, values, query, body };
  }

  // ---- objects by component name ----------------------------------------

  const componentValidators = new Map();

  // A validator for components.schemas[@name] ("charge", "event"…), with
  // exact types like the answers'; its .errorsText() explains a failure.
  function componentValidator(name) {
    let validate = componentValidators.get(name);
    if (!validate) {
      if (!spec.components?.schemas?.[name])
        throw new Error(`stripe.json has no schema "${name}"`);
      validate = responseAjv.compile({ $ref: pointer('components', 'schemas', name) });
      validate.errorsText = () => responseAjv.errorsText(validate.errors);
      componentValidators.set(name, validate);
    }
    return validate;
  }

  // Throws unless @object fits components.schemas[@name]; returns it.
  function checkComponent(name, object) {
    const validate = componentValidator(name);
    if (!validate(object))
      throw new Error(`${name} ${object?.id ?? ''} does not fit the spec: ${validate.errorsText()}`);
    return object;
  }

  // An object of components.schemas[@name] with every required member
  // sampled as respond() does, then @fixed members set; it must fit.
  function sampleComponent(name, fixed = {}) {
    const object = sample(spec.components.schemas[name], name, 0);
    Object.assign(object, fixed);
    return checkComponent(name, object);
  }

  return { apiVersion, operations, findOperation, respond, checkRequest,
           componentValidator, checkComponent, sampleComponent };
}
