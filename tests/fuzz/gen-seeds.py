#!/usr/bin/env python3
"""Makes seed inputs for the fuzz targets from the shared fixtures.

    gen-seeds.py FIXTURES_DIR OUT_DIR STAMP

Writes OUT_DIR/NAME/* for each target it has fixtures for: the example
objects of each platform's OpenAPI contract (every "example" and
"examples" value that is an object or a list), one file per reader of
the target (the first byte of an input picks the reader, see
fuzz-NAME.c), and the vendors' test vectors for the webhook and token
targets. They are made at build time, not committed: the contracts hold
thousands of examples. When FIXTURES_DIR is missing, nothing is written
but the stamp, and the replay tests fail naming the missing folder.
"""
import hashlib
import itertools
import json
import os
import shutil
import sys

# Contract → (target, how many readers its first byte picks from).
CONTRACTS = {
    "stripe.json": ("stripe", 2),
    "openai.yaml": ("openai", 7),
    "replicate.json": ("replicate", 8),
    "vercel.json": ("vercel", 3),
    "n8n.yaml": ("n8n", 4),
}
# No target needs more seeds than this to start from, or longer ones:
# run.sh cuts inputs at 8 KiB.
MAX_EXAMPLES = 200
MAX_BYTES = 6000


def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith(".yaml"):
            import yaml

            return yaml.safe_load(f)
        return json.load(f)


def resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node
    return schema if isinstance(schema, dict) else {}


def instance(spec, schema, depth=0):
    """A value that follows @schema: every property, the first of each
    choice, a sample of each type."""
    schema = resolve(spec, schema)
    for choice in ("anyOf", "oneOf", "allOf"):
        if schema.get(choice):
            return instance(spec, schema[choice][0], depth)
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if depth > 6:
        return None
    if kind == "object" or "properties" in schema:
        return {name: instance(spec, prop, depth + 1)
                for name, prop in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [instance(spec, schema.get("items") or {}, depth + 1)]
    if kind == "integer":
        return 1700000000
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return True
    if kind == "string":
        return "https://example.invalid/a.png" if schema.get("format") == "uri" else "x_1"
    return None


def schema_instances(spec):
    """One instance of every named schema of the contract."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for schema in schemas.values():
        value = instance(spec, schema)
        if isinstance(value, dict):
            yield value
            # Lists as Stripe, n8n and Replicate page them.
            yield {"object": "list", "data": [value], "results": [value], "has_more": True}


def examples(node):
    """Every example object or list in an OpenAPI document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example" and isinstance(value, (dict, list)):
                yield value
            elif key == "examples" and isinstance(value, dict):
                for example in value.values():
                    if isinstance(example, dict) and isinstance(example.get("value"), (dict, list)):
                        yield example["value"]
            if isinstance(value, (dict, list)):
                yield from examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from examples(value)


class Corpus:
    def __init__(self, out_dir, name):
        self.dir = os.path.join(out_dir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.count = 0

    def add(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)
        self.count += 1


def from_contracts(fixtures, out_dir):
    form = Corpus(out_dir, "form")
    template = Corpus(out_dir, "template")
    for contract, (name, readers) in CONTRACTS.items():
        path = os.path.join(fixtures, "openapi", contract)
        corpus = Corpus(out_dir, name)
        seen = set()
        spec = load(path)
        for example in itertools.chain(examples(spec), schema_instances(spec)):
            text = json.dumps(example, separators=(",", ":"), default=str)
            if text in seen or len(text) > MAX_BYTES:
                continue
            seen.add(text)
            if len(seen) > MAX_EXAMPLES:
                break
            for reader in range(readers):
                # The error readers take a status byte before the body.
                corpus.add(bytes([reader, 0x80]) + text.encode() if name == "stripe" and reader == 1
                           else bytes([reader]) + text.encode())
            if isinstance(example, dict) and len(seen) <= 100:
                form.add(bytes([2]) + text.encode())
                template.add(json.dumps({"with": example, "inputs": example}, default=str))


def from_vectors(fixtures, out_dir):
    vectors = os.path.join(fixtures, "vectors")

    with open(os.path.join(vectors, "stripe-webhook-signature.json"), encoding="utf-8") as f:
        stripe = json.load(f)
    corpus = Corpus(out_dir, "stripe-webhook")
    for vector in stripe["vectors"]:
        corpus.add(vector["expected_stripe_signature"] + "\n" + vector["payload"])

    with open(os.path.join(vectors, "agora-accesstoken2.json"), encoding="utf-8") as f:
        agora = json.load(f)
    corpus = Corpus(out_dir, "agora-token")
    for vector in agora["vectors"]:
        for key, value in vector["expected"].items():
            if key.startswith("token") and isinstance(value, str):
                corpus.add(b"\0" + value.encode())
        # The token's bytes before compression (see fuzz-agora-token.c).
        content = vector["expected"].get("inflated_content_hex")
        if content:
            corpus.add(b"\1" + bytes.fromhex(content))


def main(fixtures, out_dir, stamp):
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    if os.path.isdir(fixtures):
        from_contracts(fixtures, out_dir)
        from_vectors(fixtures, out_dir)
    else:
        print(f"No fixtures at {fixtures}: no seeds made", file=sys.stderr)
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(fixtures + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
