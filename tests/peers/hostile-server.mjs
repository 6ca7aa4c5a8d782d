// hostile-server.mjs — a server that misbehaves on purpose, for every platform client
//
// SPDX-License-Identifier: MIT
//
// A scripted peer. No real server misbehaves on demand, and the ways one
// can hurt a client — nesting that overflows a recursive parser, a body
// that never ends or never arrives, a socket that dies halfway, a
// redirect that would carry a key to someone else, error text that
// rewrites the user's terminal — cannot be asked of Prism or of a real
// n8n. So this peer plays all of them, chosen by the FIRST path segment
// of each request: a test points a client's base URL at
// http://127.0.0.1:$PORT/<behaviour>/<case>, and every request that client
// makes (whatever platform path it appends) gets that behaviour. <case> is
// free text that tells the requests of one test case apart in the log.
//
// Contract shapes it follows: answers that must look like a platform's
// are shaped as the official specs in the shared fixtures say
// (openapi/openai.yaml's chat.completion.chunk for streamed events, and
// an error body that carries the message where each platform puts it:
// Stripe's and OpenAI's error.message, Vercel's error.{code,message},
// Replicate's detail (problem+json), n8n's and Agora's message). The
// hostile part is only ever the one thing a case is about; the rest is
// what a real server would send. A request is treated as a stream when it
// asks for text/event-stream or its JSON body has "stream": true (OpenAI's
// streamed chat).
//
// Behaviours:
//   control        200: a well-formed answer (see wellFormed()), a stream of
//                  it, or a PNG for a path ending in .png: not hostile at
//                  all, to prove the cases' operations work
//   deep           200 JSON: the well-formed answer with 100,000 nested "["
//                  in one member (json-glib overflows its stack)
//   deep600        the same with 600 levels: deeper than any limit allows
//   huge-length    200, Content-Length: 8 GiB, then streams until the client
//                  stops (at most --max-rate, 16 MiB/s)
//   huge-chunked   200, chunked, no length, the same
//   drip           200, then one byte every --drip-ms (3000) ms
//   reset          200, Content-Length 4096, 512 bytes, then a TCP reset
//   html           200 text/html: a proxy's error page
//   textplain      200 text/plain holding the well-formed JSON answer
//   badutf8        200 JSON: the well-formed answer, its strings invalid UTF-8
//   500            500 with a JSON error, every time
//   ctl            400 whose error text holds ESC sequences, CR, BEL, C1
//                  controls and bidi overrides
//   redirect-localhost   302 to http://localhost:<other port>/landing/…
//   redirect-127002      302 to http://127.0.0.2:<other port>/landing/…
//                  (302, not 307: libsoup follows a 302 for a POST too, as a
//                  GET, with the same headers; it does not follow a 307)
//   landing        the redirect target (on the other port): 401, as a real
//                  server would answer a request without its key
//
//   redirect-http  on the https port only: 302 down to
//                  http://127.0.0.1:$PORT/landing/…
//
// A downgrade needs an https origin, so with --tls-cert and --tls-key the
// peer also listens for https on 127.0.0.1 (a third port): the test makes
// a self-signed certificate for 127.0.0.1 and tells the client under test
// to trust it; every behaviour is served there too.
//
// Usage: PORT=N node hostile-server.mjs [--drip-ms N] [--max-rate BYTES_PER_S]
//                                       [--tls-cert PEM --tls-key PEM]
//   Listens on 127.0.0.1:$PORT, and on one more port on both 127.0.0.1 (so
//   "localhost" reaches it) and 127.0.0.2: the redirect targets, which are
//   other origins than the one the client was given.
//
// Control endpoints (on any port; not recorded):
//   GET /__peer/info      {"port": N, "other_port": M, "tls_port": T or 0}
//   GET /__peer/requests  every request so far, in order: {"port", "method",
//                         "path", "headers"} (header names lower-cased), so
//                         a test can see which headers reached a redirect
//                         target.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0)
  throw new Error('PORT must be set to the port to listen on');

const args = process.argv.slice(2);
const dripIndex = args.indexOf('--drip-ms');
const dripMs = dripIndex >= 0 ? Number(args[dripIndex + 1]) : 3000;
const rateIndex = args.indexOf('--max-rate');
const maxRate = rateIndex >= 0 ? Number(args[rateIndex + 1]) : 16 * 1024 * 1024;
const certIndex = args.indexOf('--tls-cert');
const keyIndex = args.indexOf('--tls-key');
const tls = certIndex >= 0 && keyIndex >= 0
  ? { cert: readFileSync(args[certIndex + 1]), key: readFileSync(args[keyIndex + 1]) }
  : null;

// How long a stream or a drip goes on at most, in case a client never
// stops: long past any test's deadline.
const MAX_STREAM_MS = 10 * 60 * 1000;

let otherPort = 0;
let tlsPort = 0;
const received = [];

// ---- bodies ------------------------------------------------------------------

// Where each platform puts an error's text, all at once: every client
// finds its own field and ignores the others.
function errorBody(text, type) {
  return JSON.stringify({
    error: { message: text, type, code: type },
    message: text,
    detail: text,
    title: text,
    reason: text,
  });
}

// An answer that the first call of every client accepts, each reading its
// own fields of the one object: Stripe's account, OpenAI's list of models
// and a chat completion (from a server that ignores "stream"), Replicate's
// account and a prediction just created, Vercel's user, n8n's list of
// workflows, the Media Gateway's list of online streams. The "control"
// behaviour sends it as it is, which proves the cases' operations work;
// the hostile behaviours spoil it in one way only, so that a client that
// fails them fails because of that one thing and not because of a shape
// it did not expect.
function wellFormed(path, text = 'Hostile') {
  const prediction = /\/predictions$/.test(path);
  return {
    id: prediction ? 'hostilepred1' : 'acct_hostile',
    object: /\/v1\/account$/.test(path) ? 'account' : 'list',
    email: 'hostile@example.com',
    settings: { dashboard: { display_name: text } },
    data: [],
    has_more: false,
    nextCursor: null,
    type: 'user',
    username: text,
    name: text,
    status: prediction ? 'starting' : 'success',
    model: 'hostile/model',
    version: '5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa',
    input: { prompt: 'a lighthouse' },
    output: null,
    error: null,
    logs: '',
    created_at: '2026-01-01T00:00:00.000Z',
    urls: {},
    user: { id: 'hostile', username: text, email: 'hostile@example.com', name: text },
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  };
}

// One chat.completion.chunk of openai.yaml, as an SSE event; @extra is
// JSON text put in as one more member.
function chunkEvent(content, extra) {
  const json = JSON.stringify({
    id: 'chatcmpl-hostile',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });
  return 'data: ' + (extra === undefined ? json : json.slice(0, -1) + `,"nested":${extra}}`) +
         '\n\n';
}

// The well-formed answer, or a stream of it, with @extra (JSON text) as
// one more member.
function answerWith(path, stream, extra) {
  if (stream)
    return chunkEvent('Hello', extra) + 'data: [DONE]\n\n';
  const json = JSON.stringify(wellFormed(path));
  return json.slice(0, -1) + `,"nested":${extra}}`;
}

function wantsStream(req, raw) {
  if ((req.headers.accept ?? '').includes('text/event-stream'))
    return true;
  try {
    return JSON.parse(raw.toString('utf8'))?.stream === true;
  } catch {
    return false;
  }
}

// A 1×1 PNG, for a download that works.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
                        'base64');

// Control characters a terminal acts on: clear screen, colour, a window
// title ended by BEL, a carriage return that overwrites the line, C1 CSI
// and NEL, backspace, and bidi overrides that reverse what follows.
const HOSTILE_TEXT =
  'Request refused\u001b[2J\u001b[31m red\u001b]0;owned\u0007\rOVERWRITTEN' +
  '\u009b31m\u0085\u0008\u202egnp.exe\u2066isolated\u2069\u202d end';

// Invalid UTF-8: a stray continuation byte, 0xFF, an overlong "/" and a
// UTF-16 surrogate encoded as if it were a character.
const BAD_UTF8 = Buffer.from([0x80, 0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);
const MARK = '@@bad-utf8@@';

// ---- streaming until the client stops ---------------------------------------

// Writes pieces from next() as fast as the client reads them, but no
// faster than --max-rate bytes a second, until the socket closes or
// MAX_STREAM_MS passes. The cap keeps a client that has no limit (the
// hole a test is there to find) from eating the machine's memory before
// the test gives up on it; a client with one still reaches it in seconds.
function pump(res, next) {
  const started = Date.now();
  let stopped = false;
  let sent = 0;

  res.on('close', () => { stopped = true; });
  const write = () => {
    while (!stopped) {
      const elapsed = Date.now() - started;
      if (elapsed > MAX_STREAM_MS) {
        res.destroy();
        return;
      }
      if (sent > maxRate * (elapsed + 100) / 1000)
        return setTimeout(write, 20);
      const piece = next();
      sent += piece.length;
      if (!res.write(piece))
        return res.once('drain', write);
    }
  };
  write();
}

// Writes one byte of @text (cycling) every dripMs, until the socket closes.
function drip(res, text) {
  let i = 0;
  const timer = setInterval(() => res.write(text[i++ % text.length]), dripMs);
  const limit = setTimeout(() => res.destroy(), MAX_STREAM_MS);
  res.on('close', () => {
    clearInterval(timer);
    clearTimeout(limit);
  });
}

// ---- behaviours ----------------------------------------------------------------

const JSON_TYPE = 'application/json';
const SSE_TYPE = 'text/event-stream';

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const behaviours = {
  control(req, res, stream, path) {
    if (path.endsWith('.png'))
      return send(res, 200, 'image/png', PNG);
    if (stream)
      return send(res, 200, SSE_TYPE, chunkEvent('Hel') + chunkEvent('lo.') + 'data: [DONE]\n\n');
    send(res, 200, JSON_TYPE, JSON.stringify(wellFormed(path)));
  },

  deep(req, res, stream, path) {
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    send(res, 200, stream ? SSE_TYPE : JSON_TYPE, answerWith(path, stream, deep));
  },

  deep600(req, res, stream, path) {
    const deep = '['.repeat(600) + ']'.repeat(600);
    send(res, 200, stream ? SSE_TYPE : JSON_TYPE, answerWith(path, stream, deep));
  },

  'huge-length'(req, res, stream) {
    res.writeHead(200, {
      'Content-Type': stream ? SSE_TYPE : JSON_TYPE,
      'Content-Length': String(8 * 1024 * 1024 * 1024),
    });
    hugeBody(res, stream);
  },

  'huge-chunked'(req, res, stream) {
    res.writeHead(200, { 'Content-Type': stream ? SSE_TYPE : JSON_TYPE });
    hugeBody(res, stream);
  },

  drip(req, res, stream) {
    res.writeHead(200, { 'Content-Type': stream ? SSE_TYPE : JSON_TYPE });
    // A first byte at once, so the answer has begun: only the body is slow.
    res.write(stream ? ':' : '{');
    drip(res, stream ? ' keep-alive\n' : ' "id": "slow", "object": "list" ');
  },

  reset(req, res, stream) {
    res.writeHead(200, { 'Content-Type': stream ? SSE_TYPE : JSON_TYPE, 'Content-Length': '4096' });
    const part = stream ? chunkEvent('half') + 'data: {"id": "chatcmpl-hostile", "cho'
                        : '{"id": "half", "object": "list", "data": [' + '"x",'.repeat(120);
    res.write(part.slice(0, 512));
    setTimeout(() => req.socket.resetAndDestroy(), 50);
  },

  html(req, res) {
    send(res, 200, 'text/html; charset=utf-8',
         '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
         '<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response ' +
         'from an upstream server.</p></body></html>\n');
  },

  textplain(req, res, stream, path) {
    send(res, 200, 'text/plain; charset=utf-8', JSON.stringify(wellFormed(path)));
  },

  // In the text every client reads (names, the streamed content).
  badutf8(req, res, stream, path) {
    const text = stream ? chunkEvent(MARK) + 'data: [DONE]\n\n'
                        : JSON.stringify(wellFormed(path, MARK));
    const pieces = [];
    for (const piece of text.split(MARK))
      pieces.push(Buffer.from(piece), BAD_UTF8);
    pieces.pop();
    send(res, 200, stream ? SSE_TYPE : JSON_TYPE, Buffer.concat(pieces));
  },

  500(req, res) {
    send(res, 500, JSON_TYPE,
         errorBody('The server had an error while processing your request.', 'server_error'));
  },

  ctl(req, res) {
    send(res, 400, JSON_TYPE, errorBody(HOSTILE_TEXT, 'invalid_request_error'));
  },

  'redirect-localhost'(req, res) {
    redirect(req, res, 'localhost');
  },

  'redirect-127002'(req, res) {
    redirect(req, res, '127.0.0.2');
  },

  'redirect-http'(req, res) {
    if (!req.socket.encrypted)
      return send(res, 404, JSON_TYPE, errorBody('redirect-http is served over https only.',
                                                 'not_found'));
    const rest = req.url.replace(/^\/[^/?]*/, '');
    res.writeHead(302, { Location: `http://127.0.0.1:${port}/landing${rest}`,
                         'Content-Length': '0' });
    res.end();
  },

  landing(req, res) {
    send(res, 401, JSON_TYPE,
         errorBody('The redirect target takes no request.', 'authentication_error'));
  },
};

function hugeBody(res, stream) {
  const filler = 'x'.repeat(1024);
  if (stream)
    return pump(res, () => chunkEvent(filler));
  res.write('{"id": "huge", "object": "list", "data": [');
  pump(res, () => `"${filler}",`.repeat(64));
}

// The rest of the path follows the redirect, so the log shows which
// request it was.
function redirect(req, res, host) {
  const rest = req.url.replace(/^\/[^/?]*/, '');
  res.writeHead(302, { Location: `http://${host}:${otherPort}/landing${rest}`,
                       'Content-Length': '0' });
  res.end();
}

// ---- the server ------------------------------------------------------------------

function handle(req, res, raw) {
  const url = new URL(req.url, 'http://127.0.0.1');

  if (url.pathname === '/__peer/info')
    return send(res, 200, JSON_TYPE,
                JSON.stringify({ port, other_port: otherPort, tls_port: tlsPort }));
  if (url.pathname === '/__peer/requests')
    return send(res, 200, JSON_TYPE, JSON.stringify(received));

  const headers = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers[req.rawHeaders[i].toLowerCase()] = req.rawHeaders[i + 1];
  received.push({ port: req.socket.localPort, method: req.method, path: url.pathname, headers });

  const name = url.pathname.split('/')[1];
  const behaviour = Object.hasOwn(behaviours, name) ? behaviours[name] : null;
  if (behaviour === null)
    return send(res, 404, JSON_TYPE, errorBody(`No behaviour “${name}”.`, 'not_found'));
  behaviour(req, res, wantsStream(req, raw), url.pathname);
}

function newServer(options) {
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (e) {
        if (!res.headersSent)
          send(res, 500, JSON_TYPE, errorBody(`peer failure: ${e.stack}`, 'peer_error'));
        else
          res.destroy();
      }
    });
  };
  const server = options ? createTlsServer(options, handler) : createServer(handler);
  // A client that gives up resets its end; that is expected here.
  server.on('clientError', (err, socket) => socket.destroy());
  return server;
}

function listen(server, p, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

// The other port must be free on both addresses; a few tries find one.
async function listenOther() {
  for (let attempt = 0; attempt < 10; attempt++) {
    const local = newServer();
    const p = await listen(local, 0, '127.0.0.1');
    try {
      await listen(newServer(), p, '127.0.0.2');
      return p;
    } catch {
      local.close();
    }
  }
  throw new Error('no port free on both 127.0.0.1 and 127.0.0.2');
}

otherPort = await listenOther();
if (tls !== null)
  tlsPort = await listen(newServer(tls), 0, '127.0.0.1');
await listen(newServer(), port, '127.0.0.1');
console.log(`hostile peer on 127.0.0.1:${port} (redirect targets on port ${otherPort}` +
            (tls !== null ? `, https on port ${tlsPort})` : ')'));
