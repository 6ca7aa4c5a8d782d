// validate-bodies.cjs — checks request bodies against an OpenAPI contract
//
// Prism 5 accepts any JSON body for some of the official specs (it skips
// body validation for schemas it cannot compile or that several
// operations share, stoplightio/prism#2574), so tests also check the
// bodies a client really sent, with ajv, against the request schema the
// same spec gives for that method and path.
//
// Usage: node validate-bodies.cjs SPEC < cases.json
//   cases: [{method, path, body}]  →  stdout: [{ok, errors: [..]}]
//
// SPDX-License-Identifier: MIT
const fs = require('fs'), path = require('path');
const req = require('module').createRequire(path.join(__dirname, 'package.json'));
const specPath = process.argv[2];
let spec;
if (specPath.endsWith('.json')) spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
else {
  let load = null;
  for (const name of ['yaml', 'js-yaml', '@stoplight/yaml']) {
    try { const m = req(name); load = m.parse || m.load; if (load) break; } catch (e) {}
  }
  if (!load) throw new Error('no YAML parser in ' + __dirname + '/node_modules');
  spec = load(fs.readFileSync(specPath, 'utf8'));
}
// OpenAPI's nullable is not JSON Schema; local refs point into spec.json.
function fix(node) {
  if (Array.isArray(node)) { node.forEach(fix); return; }
  if (!node || typeof node !== 'object') return;
  Object.values(node).forEach(fix);
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) node.$ref = 'spec.json' + node.$ref;
  if (!('nullable' in node)) return;
  const nullable = node.nullable === true;
  delete node.nullable;
  if (!nullable) return;
  if (Array.isArray(node.type)) {
    if (!node.type.includes('null')) node.type.push('null');
  } else if (typeof node.type === 'string') {
    node.type = [node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  } else if (node.type === undefined) {
    const copy = Object.assign({}, node);
    for (const k of Object.keys(node)) delete node[k];
    node.anyOf = [copy, { type: 'null' }];
  }
}
fix(spec.components); fix(spec.paths);
const oas31 = String(spec.openapi).startsWith('3.1');
const Ajv = oas31 ? req('ajv/dist/2020').default : req('ajv').default;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
req('ajv-formats')(ajv);
ajv.addSchema({ $id: 'spec.json', components: spec.components });
function compile(schema) {
  for (;;) {
    try { return ajv.compile(schema); } catch (e) {
      const m = /unknown format "([^"]+)"/.exec(e.message);
      if (!m) throw e;
      ajv.addFormat(m[1], true);
    }
  }
}
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = cases.map((c) => {
  const op = (spec.paths[c.path] || {})[c.method.toLowerCase()];
  if (!op) return { ok: false, errors: ['the spec has no ' + c.method + ' ' + c.path] };
  const content = ((op.requestBody || {}).content || {})['application/json'];
  if (!content) return { ok: false, errors: ['no JSON body for ' + c.method + ' ' + c.path] };
  const validate = compile(content.schema);
  const ok = validate(c.body);
  return { ok, errors: ok ? [] : validate.errors.map((e) => e.instancePath + ' ' + e.message) };
});
process.stdout.write(JSON.stringify(results));
