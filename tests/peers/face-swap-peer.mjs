// face-swap-peer.mjs — Replicate and a local Cog server, as a cloud face swap uses them
//
// SPDX-License-Identifier: MIT
//
// A scripted peer for what no contract can show: a face swap model's
// schema, its prediction running and ending, its output file (good,
// hostile, or a prediction that never ends until it is cancelled), and
// what the client sent on the way.
//
// - Replicate ($PLAYALTER_FIXTURES/openapi/replicate.json), under /v1:
//   GET /v1/models/{owner}/{name}, POST /v1/files (multipart: content,
//   filename, type), POST /v1/predictions (by version),
//   POST /v1/models/{owner}/{name}/predictions (official models),
//   GET /v1/predictions/{id}, POST /v1/predictions/{id}/cancel. A Bearer
//   key is required; bodies, multipart parts and Prefer are validated
//   with ajv against the spec, and every model, file and prediction sent
//   back is validated against its response schema. A prediction's input
//   is validated against its model's own Input schema (as Replicate
//   does), and a file input must be a file uploaded here. Models are the
//   MODELS table below, their openapi_schema written as Cog writes it
//   (a Path input is {"type": "string", "format": "uri"}). A prediction
//   goes starting → processing (with log lines) → succeeded over
//   --prediction-ms (default 600) ms; its output is a URL on this peer
//   whose bytes depend on the model's behaviour. GET /v1/health-check
//   answers 404, as the real API does, so a client that probes for a
//   Cog server stays in API mode.
//
// - A Cog server (Cog's HTTP API, docs/http.md in github.com/replicate/cog),
//   under /cog: GET /cog/health-check answers {"status": "READY", "setup":
//   {...}}; GET /cog/openapi.json describes the Input (the same fields as
//   cdingram/face-swap); POST /cog/predictions with {"input": {...}} runs
//   synchronously and answers the finished prediction (id null, output a
//   data: URL, as Cog answers without an upload URL); input that breaks
//   the Input schema gets FastAPI's 422 {"detail": [{loc, msg, type}]}.
//   Cog takes no key.
//
// GET /__peer/effects tells what happened:
//   {"files": [{id, filename, content_type, size, sha256}],
//    "predictions": [{id, route, model, version, input: {field: file id}}],
//    "cancels": [id…], "cog_predictions": [{input: {field: sha256}}],
//    "rejected": [{method, path, status, reason}]}
//
// Usage: PORT=N node face-swap-peer.mjs [--prediction-ms N]

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const fixtures = process.env.PLAYALTER_FIXTURES ?? '';
const { values: options } = parseArgs({
  options: {
    'prediction-ms': { type: 'string', default: process.env.PEER_PREDICTION_MS ?? '600' },
  },
});
const predictionMs = Number(options['prediction-ms']);

const effects = { files: [], predictions: [], cancels: [], cog_predictions: [], rejected: [] };
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function sendJson(res, status, object, headers = {}) {
  const body = Buffer.from(JSON.stringify(object));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers });
  res.end(body);
}

function reject(res, req, url, status, detail, body) {
  effects.rejected.push({ method: req.method, path: url.pathname, status, reason: detail });
  sendJson(res, status, body ?? { title: status === 404 ? 'Not found' : 'Invalid request', detail, status });
}

// ---- the models -------------------------------------------------------------

// A Cog Path input, as Cog writes it in openapi_schema.
const path = (title, description, order) => ({ type: 'string', format: 'uri', title, description, 'x-order': order });

function inputSchema(properties, required) {
  return {
    openapi: '3.0.2',
    info: { title: 'Cog', version: '0.1.0' },
    paths: {},
    components: {
      schemas: {
        Input: { type: 'object', title: 'Input', required, properties },
        Output: { type: 'string', format: 'uri', title: 'Output' },
      },
    },
  };
}

const FACE_SWAP_INPUT = inputSchema({
  input_image: path('Input Image', 'Target image', 0),
  swap_image: path('Swap Image', 'Swap image', 1),
}, ['input_image', 'swap_image']);

// behaviour: what the prediction does and what its output is.
//   swap:  succeeds; the output is the picture (or video) it was given
//   slow:  runs (and logs) until it is cancelled
//   html:  succeeds; the output is an HTML page that says it is a PNG
//   huge:  succeeds; the output declares a length of 16 TB
const MODELS = {
  'cdingram/face-swap': { schema: FACE_SWAP_INPUT, picture: 'input_image', behaviour: 'swap' },
  'playalter-test/custom-swap': {
    schema: inputSchema({
      portrait: path('Portrait', 'The face to use', 0),
      canvas: path('Canvas', 'The scene to put it in', 1),
      blend: { type: 'number', title: 'Blend', default: 0.5, 'x-order': 2 },
    }, ['portrait', 'canvas']),
    picture: 'canvas',
    behaviour: 'swap',
  },
  'playalter-test/video-swap': {
    schema: inputSchema({
      source_face: path('Source Face', 'A picture of the face', 0),
      target_video: path('Target Video', 'The video to put the face into', 1),
    }, ['source_face', 'target_video']),
    picture: 'target_video',
    behaviour: 'swap',
  },
  'playalter-test/ambiguous': {
    schema: inputSchema({
      image_a: path('Image A', 'A picture', 0),
      image_b: path('Image B', 'Another picture', 1),
      mask: path('Mask', 'Where to blend', 2),
    }, ['image_a', 'image_b']),
    picture: 'image_b',
    behaviour: 'swap',
  },
  'playalter-test/slow-swap': { schema: FACE_SWAP_INPUT, picture: 'input_image', behaviour: 'slow' },
  'playalter-test/html-output': { schema: FACE_SWAP_INPUT, picture: 'input_image', behaviour: 'html' },
  'playalter-test/huge-output': { schema: FACE_SWAP_INPUT, picture: 'input_image', behaviour: 'huge' },
};

// Version ids are 64 hex digits, here derived from the model's name.
const versionOf = (name) => sha256(`version of ${name}`);

// ---- the contract -------------------------------------------------------------

const spec = JSON.parse(readFileSync(join(fixtures, 'openapi', 'replicate.json'), 'utf8'));
const SPEC_ID = 'replicate.json';
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, SPEC_ID);
const schema = (name) => ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
const validateVersionRequest = schema('schemas_version_prediction_request');
const validateModelRequest = schema('schemas_prediction_request');
const validatePrediction = schema('schemas_prediction_response');
const validateModel = schema('schemas_model_response');
const validateFile = schema('schemas_file_response');
const validateUpload = ajv.compile(spec.paths['/files'].post.requestBody.content['multipart/form-data'].schema);
const validatePrefer = ajv.compile(spec.components.parameters.parameters_prefer_header.schema);

// Each model's Input schema, as Replicate checks a prediction's input.
const inputValidators = Object.fromEntries(Object.entries(MODELS).map(([name, model]) => {
  const id = `model:${name}`;
  ajv.addSchema(model.schema, id);
  return [name, ajv.compile({ $ref: `${id}#/components/schemas/Input` })];
}));

function checked(validate, object, what) {
  if (!validate(object))
    throw new Error(`${what} does not fit the spec: ${ajv.errorsText(validate.errors)}`);
  return object;
}

// ---- Replicate ----------------------------------------------------------------

const files = new Map();        // id → {bytes, filename, content_type}
const predictions = new Map();  // id → {id, model, version, input, created, canceled, files}
let sequence = 0;

function modelView(name, base) {
  const [owner, modelName] = name.split('/');
  return checked(validateModel, {
    url: `https://replicate.com/${name}`,
    owner,
    name: modelName,
    description: `${name}, as played by the test peer`,
    visibility: 'public',
    github_url: null,
    paper_url: null,
    license_url: null,
    cover_image_url: null,
    default_example: null,
    is_official: false,
    run_count: 0,
    latest_version: {
      id: versionOf(name),
      created_at: '2026-01-05T10:00:00.000000Z',
      cog_version: '0.9.0',
      openapi_schema: MODELS[name].schema,
    },
  }, `model ${name}`);
}

function predictionView(p, base) {
  const age = Date.now() - p.created;
  const iso = (ms) => new Date(ms).toISOString();
  const behaviour = MODELS[p.model].behaviour;
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
  const running = age >= predictionMs / 3;
  if (running) {
    view.started_at = iso(p.created + predictionMs / 3);
    view.logs = 'Loading the model\n';
  }
  if (p.canceled !== null) {
    view.status = 'canceled';
    view.completed_at = iso(p.canceled);
  } else if (behaviour === 'slow' && running) {
    view.status = 'processing';
    for (let step = 1; step <= Math.floor(age / 200); step++)
      view.logs += `Swapping faces, step ${step}\n`;
  } else if (age >= predictionMs) {
    view.status = 'succeeded';
    view.logs += 'Swapping faces\nDone\n';
    view.completed_at = iso(p.created + predictionMs);
    view.metrics = { total_time: predictionMs / 1000 };
    view.output = `${base}/__peer/outputs/${p.id}/output.${p.outputExtension}`;
  } else if (running) {
    view.status = 'processing';
    view.logs += 'Swapping faces\n';
  }
  return checked(validatePrediction, view, `prediction ${p.id}`);
}

async function uploadFile(req, res, url, raw, base) {
  let form;
  try {
    form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
  } catch (e) {
    return reject(res, req, url, 400, `The body is not multipart/form-data: ${e.message}`);
  }
  const content = form.get('content');
  const fields = { filename: form.get('filename') ?? undefined, type: form.get('type') ?? undefined };
  for (const key of Object.keys(fields))
    if (fields[key] === undefined)
      delete fields[key];
  const parts = { ...fields, content: content === null ? undefined : 'binary' };
  if (content === null || typeof content === 'string')
    return reject(res, req, url, 422, 'The file content must be a part named "content" with a file');
  if (!validateUpload(Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined))))
    return reject(res, req, url, 422, ajv.errorsText(validateUpload.errors));

  const bytes = Buffer.from(await content.arrayBuffer());
  const id = `file${String(++sequence).padStart(22, '0')}`;
  const contentType = fields.type ?? 'application/octet-stream';
  const now = new Date();
  files.set(id, { bytes, filename: fields.filename ?? content.name, content_type: contentType });
  effects.files.push({ id, filename: fields.filename ?? content.name, content_type: contentType,
                       size: bytes.length, sha256: sha256(bytes) });
  sendJson(res, 201, checked(validateFile, {
    id,
    content_type: contentType,
    size: bytes.length,
    checksums: { sha256: sha256(bytes) },
    metadata: {},
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + 3600e3).toISOString(),
    urls: { get: `${base}/v1/files/${id}` },
  }, `file ${id}`));
}

function createPrediction(req, res, url, raw, base, officialModel) {
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return reject(res, req, url, 400, 'The request body is not JSON.');
  }
  const validate = officialModel ? validateModelRequest : validateVersionRequest;
  if (!validate(body))
    return reject(res, req, url, 422, ajv.errorsText(validate.errors));
  if (req.headers.prefer !== undefined && !validatePrefer(req.headers.prefer))
    return reject(res, req, url, 400, `Invalid Prefer header: ${req.headers.prefer}`);

  let model = officialModel;
  let version = 'hidden';
  if (!model) {
    const match = /^([^:]+):([0-9a-f]{64})$/.exec(body.version) ?? [null, null, body.version];
    model = match[1] ?? Object.keys(MODELS).find((name) => versionOf(name) === match[2]);
    version = match[2];
    if (!MODELS[model] || versionOf(model) !== version)
      return reject(res, req, url, 422, `No such version: ${body.version}`);
  } else if (!MODELS[model]) {
    return reject(res, req, url, 404, `No official model ${model}.`);
  }

  const validateInput = inputValidators[model];
  if (!validateInput(body.input))
    return reject(res, req, url, 422, `input: ${ajv.errorsText(validateInput.errors)}`);
  // Every file input must be a file uploaded here: this is how the test
  // knows what went where.
  const inputFiles = {};
  const properties = MODELS[model].schema.components.schemas.Input.properties;
  for (const [field, value] of Object.entries(body.input)) {
    if (properties[field]?.format !== 'uri')
      continue;
    const prefix = `${base}/v1/files/`;
    const id = value.startsWith(prefix) ? value.slice(prefix.length) : null;
    if (!files.has(id))
      return reject(res, req, url, 422, `input.${field}: ${value} is not a file uploaded to this account`);
    inputFiles[field] = id;
  }

  const picture = files.get(inputFiles[MODELS[model].picture]);
  const extension = { 'image/png': 'png', 'image/jpeg': 'jpg', 'video/mp4': 'mp4', 'video/webm': 'webm' }[picture.content_type] ?? 'bin';
  const id = `p${String(++sequence).padStart(25, '0')}`;
  const prediction = { id, model, version, input: body.input, created: Date.now(), canceled: null,
                       picture, outputExtension: MODELS[model].behaviour === 'html' ? 'png' : extension };
  predictions.set(id, prediction);
  effects.predictions.push({ id, route: officialModel ? 'model' : 'version', model, version, input: inputFiles });
  sendJson(res, 201, predictionView(prediction, base));
}

function serveOutput(req, res, url, id) {
  const prediction = predictions.get(id);
  if (!prediction || predictionView(prediction, `http://${req.headers.host}`).status !== 'succeeded')
    return reject(res, req, url, 404, `No output for ${id}.`);
  switch (MODELS[prediction.model].behaviour) {
  case 'html': {
    const page = Buffer.from('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n');
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': page.length });
    return res.end(page);
  }
  case 'huge':
    // Promises 16 TB and sends a few bytes: a client must refuse it by
    // its header, or at its limit, not fill the disk.
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(16 * 2 ** 40) });
    res.write(Buffer.alloc(1024));
    setTimeout(() => res.destroy(), 2000);
    return undefined;
  default:
    res.writeHead(200, { 'Content-Type': prediction.picture.content_type,
                         'Content-Length': prediction.picture.bytes.length });
    return res.end(prediction.picture.bytes);
  }
}

async function handleReplicate(req, res, url, raw) {
  const base = `http://${req.headers.host}`;
  const p = url.pathname;
  let match;

  if (req.method === 'GET' && p === '/v1/health-check')
    return sendJson(res, 404, { title: 'Not found', detail: 'Not found.', status: 404 });
  if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
    return reject(res, req, url, 401, 'You did not pass a valid authentication token');

  if (req.method === 'GET' && (match = /^\/v1\/models\/([^/]+)\/([^/]+)$/.exec(p))) {
    const name = `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`;
    if (!MODELS[name])
      return reject(res, req, url, 404, `No model ${name}.`);
    return sendJson(res, 200, modelView(name, base));
  }
  if (req.method === 'POST' && p === '/v1/files')
    return uploadFile(req, res, url, raw, base);
  if (req.method === 'POST' && !(req.headers['content-type'] ?? '').startsWith('application/json') && raw.length > 0)
    return reject(res, req, url, 415, `Bodies must be application/json, got ${req.headers['content-type']}`);
  if (req.method === 'POST' && p === '/v1/predictions')
    return createPrediction(req, res, url, raw, base, null);
  if (req.method === 'POST' && (match = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(p)))
    return createPrediction(req, res, url, raw, base, `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`);
  if ((match = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(p)) && req.method === (match[2] ? 'POST' : 'GET')) {
    const prediction = predictions.get(decodeURIComponent(match[1]));
    if (!prediction)
      return reject(res, req, url, 404, `No prediction ${match[1]}.`);
    if (match[2]) {
      effects.cancels.push(prediction.id);
      const status = predictionView(prediction, base).status;
      if (status === 'starting' || status === 'processing')
        prediction.canceled = Date.now();
    }
    return sendJson(res, 200, predictionView(prediction, base));
  }
  return reject(res, req, url, 404, `This peer does not play ${req.method} ${p}.`);
}

// ---- a Cog server -------------------------------------------------------------

const validateCogInput = inputValidators['cdingram/face-swap'];

function decodeDataUrl(value) {
  const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(value);
  if (!match)
    return null;
  return { type: match[1] || 'text/plain',
           bytes: match[2] ? Buffer.from(match[3], 'base64') : Buffer.from(decodeURIComponent(match[3])) };
}

function handleCog(req, res, url, raw) {
  const p = url.pathname.slice('/cog'.length);
  const fastApiError = (loc, msg, type) => reject(res, req, url, 422, `${loc.join('.')}: ${msg}`,
                                                  { detail: [{ loc, msg, type }] });

  if (req.method === 'GET' && p === '/health-check')
    return sendJson(res, 200, { status: 'READY', setup: { started_at: '2026-01-05T10:00:00.000000+00:00',
                                                          completed_at: '2026-01-05T10:00:02.000000+00:00',
                                                          logs: '', status: 'succeeded' } });
  if (req.method === 'GET' && p === '/openapi.json')
    return sendJson(res, 200, FACE_SWAP_INPUT);
  if (req.method !== 'POST' || p !== '/predictions')
    return reject(res, req, url, 404, `A Cog server has no ${req.method} ${p}.`, { detail: 'Not Found' });

  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return fastApiError(['body'], 'value is not a valid dict', 'type_error.dict');
  }
  if (typeof body !== 'object' || body === null || typeof body.input !== 'object' || body.input === null)
    return fastApiError(['body', 'input'], 'field required', 'value_error.missing');
  if (!validateCogInput(body.input)) {
    const first = validateCogInput.errors[0];
    return fastApiError(['body', 'input', ...first.instancePath.split('/').filter(Boolean)],
                        first.message, 'value_error');
  }
  const decoded = {};
  for (const field of ['input_image', 'swap_image']) {
    decoded[field] = decodeDataUrl(body.input[field]);
    if (!decoded[field])
      return fastApiError(['body', 'input', field], 'this peer reads data: URLs only (it has no network)', 'value_error.url');
  }
  effects.cog_predictions.push({ input: Object.fromEntries(Object.entries(decoded).map(([k, v]) => [k, sha256(v.bytes)])) });

  const now = new Date().toISOString();
  sendJson(res, 200, {
    input: body.input,
    output: `data:${decoded.input_image.type};base64,${decoded.input_image.bytes.toString('base64')}`,
    id: null,
    version: null,
    created_at: null,
    started_at: now,
    completed_at: now,
    logs: 'Swapping faces\nDone\n',
    error: null,
    status: 'succeeded',
    metrics: { predict_time: 0.1 },
  });
}

// ---- the server ---------------------------------------------------------------

async function handle(req, res, raw) {
  const url = new URL(req.url, 'http://127.0.0.1');
  let match;

  if (req.method === 'GET' && url.pathname === '/__peer/effects')
    return sendJson(res, 200, effects);
  if (req.method === 'GET' && (match = /^\/__peer\/outputs\/([^/]+)\/[^/]+$/.exec(url.pathname)))
    return serveOutput(req, res, url, match[1]);
  if (url.pathname === '/cog' || url.pathname.startsWith('/cog/'))
    return handleCog(req, res, url, raw);
  return handleReplicate(req, res, url, raw);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('error', () => {});
  res.on('error', () => {});
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks)).catch((e) => {
      effects.rejected.push({ method: req.method, path: req.url, status: 500, reason: `peer failure: ${e.stack}` });
      if (!res.headersSent)
        sendJson(res, 500, { title: 'Internal error', detail: `peer failure: ${e.message}`, status: 500 });
    });
  });
});
server.on('clientError', (error, socket) => socket.destroy());

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('face-swap-peer: set PORT');
  process.exit(2);
}
server.listen(port, '127.0.0.1', () => {
  console.log(`face-swap-peer: Replicate ${spec.info.version} under /v1 and a Cog server under /cog ` +
              `on 127.0.0.1:${port}, predictions take ${predictionMs} ms`);
});
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
