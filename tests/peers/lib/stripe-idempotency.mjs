// stripe-idempotency.mjs — Stripe's idempotent requests, for the scripted Stripe peers
//
// SPDX-License-Identifier: MIT
//
// As Stripe documents it: the first request with an Idempotency-Key has its
// effect and its answer (status and body) is stored under the key; the same
// key with the same method, path and body gets that stored answer again with
// `Idempotent-Replayed: true` and no effect; the same key with another
// method, path or body gets a 400 `idempotency_error`. Requests that fail
// the contract's checks before any effect are not stored (Stripe stores
// only what an endpoint started to carry out).
//
// Shared by workflow-peer.mjs and stripe-account-peer.mjs.

import { stripeErrorObject } from './stripe-contract.mjs';

// Key order must not make two equal bodies differ.
export function canonical(value) {
  if (Array.isArray(value))
    return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

export const REPLAYED_HEADERS = Object.freeze({ 'Idempotent-Replayed': 'true' });

export class StripeIdempotency {
  constructor() {
    this.stored = new Map();   // key → {signature, status, response}
  }

  // What makes two requests "the same" for Stripe.
  static signature(method, path, body) {
    return `${method} ${path} ${canonical(body)}`;
  }

  // null when @key is new; {replay: {status, response}} when it was used
  // for the same request; {conflict: Stripe's error object} otherwise.
  check(key, signature) {
    const stored = this.stored.get(key);
    if (!stored)
      return null;
    if (stored.signature !== signature)
      return {
        conflict: stripeErrorObject('idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first ' +
          `used with. Try using a key other than '${key}' if you meant to execute a different request.`),
      };
    return { replay: { status: stored.status, response: stored.response } };
  }

  remember(key, signature, status, response) {
    this.stored.set(key, { signature, status, response });
  }
}
