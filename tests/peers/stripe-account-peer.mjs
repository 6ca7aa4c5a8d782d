// stripe-account-peer.mjs — a stateful Stripe account: seeded payments, events, refunds, links
//
// SPDX-License-Identifier: MIT
//
// A scripted Stripe account for the payments sync, the Payments page and the
// CLI, played after the official contract ($PLAYALTER_FIXTURES/openapi/
// stripe.json, else ../shared/fixtures beside the source root, or --spec):
// every request is checked by lib/stripe-contract.mjs (a Bearer key,
// Stripe-Version = the spec's version, an Idempotency-Key on every POST, the
// query and form body against the operation's schemas) and the objects it
// answers fit the spec's schemas: every answer but /v1/events is checked
// whole before it is sent; events are checked when they are made (all of
// those made after start, a sample of the seeded ones: see check()).
// The spec has no dispute schema: disputes follow Stripe's API reference.
//
// Usage: PORT=N node stripe-account-peer.mjs [--seed N] [--days D] [--now UNIX] [--spec FILE]
//
// ---- State ------------------------------------------------------------------
//
// Seeded deterministically from N (ids and amounts depend only on N and D;
// times are relative to --now, by default the real time at start; the
// peer's clock then runs on from it in real time):
// - N payments (a payment intent with its charge) spread evenly, with
//   jitter, over the last D days (default 45), in usd, eur, gbp, jpy (zero-
//   decimal) and kwd (three-decimal, amounts end in 0). About 80 % succeed,
//   10 % fail, and those of the last 5 days are pending 1 time in 10; of the
//   succeeded, ~8 % are refunded in full, ~6 % in part (one refund, 1 h to
//   3 days later, never after now) and ~2 % disputed (1 to 10 days later).
// - Customers, made as payments need them (about 1 payment in 3 brings a
//   new one), 5 s before that payment.
// - 4 + N/5000 (≤ 40) products in the first hour of the window, each with a
//   one-off price, every other one also a monthly price; a payment link per
//   one-off price of every other product, every fourth link deactivated a
//   day later; N/20 (≤ 2000) subscriptions in several statuses.
//
// Events, as Stripe makes them, each with data.object = the whole object as
// it was then (pre-serialised once; pages are cut by position):
//   per payment          2: charge.succeeded + payment_intent.succeeded,
//                           charge.failed + payment_intent.payment_failed, or
//                           charge.pending + payment_intent.processing
//   per refund          +2: charge.refunded (with previous_attributes) and
//                           refund.created
//   per dispute         +1: charge.dispute.created (data.object = the dispute)
//   per customer         1: customer.created
//   per product          1: product.created; per price 1: price.created
//   per payment link     1: payment_link.created; +1 payment_link.updated
//                           when deactivated
//   per subscription     1: customer.subscription.created; past_due and
//                           unpaid ones +1 customer.subscription.updated,
//                           canceled ones +1 customer.subscription.updated
//                           (cancel_at_period_end) +1
//                           customer.subscription.deleted
// POST /__peer/payments makes exactly 2 events per payment (+1
// customer.created for a customer_email not seen before). Like Stripe,
// GET /v1/events lists only the events of the last 30 days (by the peer's
// clock); objects stay listed by their own list endpoints. How many events
// /v1/events lists right now: `events` in GET /__peer/effects.
//
// Balance (GET /v1/balance), per currency: each succeeded charge counts its
// amount minus what was refunded of it, in `available` when it is older
// than 2 days, else in `pending`. Disputes do not change it.
//
// ---- Stripe endpoints ---------------------------------------------------------
//
// GET /v1/balance, /v1/account; lists (newest first, limit 1..100, default
// 10, starting_after / ending_before, created=N or created[gt|gte|lt|lte],
// has_more) of /v1/events (type, with * wildcards, or types[]),
// /v1/charges (customer, payment_intent), /v1/payment_intents (customer),
// /v1/refunds (charge, payment_intent), /v1/customers (email), /v1/products
// (active, ids), /v1/prices (active, currency, product, type),
// /v1/payment_links (active), /v1/subscriptions (status, default all but
// canceled; customer, price); GET /v1/customers/{id}. POST /v1/refunds
// (charge or payment_intent; amount ≤ what is left), /v1/products,
// /v1/prices, /v1/payment_links, /v1/payment_links/{id}, /v1/customers,
// each making its events. Checkout sessions are not played (404).
// Errors are Stripe's: 400 invalid_request_error with param and code
// (amount_too_large, charge_already_refunded, charge_disputed,
// parameter_missing…), 404 resource_missing for an unknown id, and
// idempotency as in lib/stripe-idempotency.mjs (answers of requests that
// reached an endpoint are stored, errors included; replays carry
// `Idempotent-Replayed: true`).
//
// ---- Controls (not Stripe; JSON in and out) -------------------------------------
//
// POST /__peer/payments {count=1, amount, currency="usd",
//   status="succeeded"|"failed"|"pending", customer_email?}
//   → {payments: [{charge, payment_intent, customer, events: [...]}],
//      charges: [...], payment_intents: [...], events: [...]}
// POST /__peer/dispute {charge} → {dispute, event}
// POST /__peer/drop {method, path, after_effect: true|false, count=1}: the
//   next `count` requests with that method and exact path get their socket
//   destroyed with no answer, after the request took effect (after_effect
//   true) or before anything happened (false) → {armed: n}
// POST /__peer/webhook {event: "evt_…"|"latest", url, secret, timestamp?,
//   tamper?}: POSTs the event's JSON to url (http://127.0.0.1 or
//   http://localhost only) with Stripe-Signature t=TIMESTAMP,v1=hex(HMAC-SHA256(secret,
//   "TIMESTAMP.BODY")); timestamp defaults to the real time now; tamper
//   changes one byte of the body after signing → {status, body, event,
//   signature} of what the receiver answered
// GET /__peer/effects → {refunds: [{id, charge, amount, idempotency_key}]
//   (made through POST /v1/refunds), requests: n (Stripe requests
//   received), replays: n, rejected: [{method, path, status, reason}]
//   (requests that broke the contract), events: n (what /v1/events lists
//   now), events_total: n}
// GET /__peer/requests → [{method, path, query, status}] of every Stripe
//   request (query decoded as Stripe does, e.g. {"created": {"gt": "5"}};
//   status 0: dropped)

import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import qs from 'qs';

import { loadStripeContract, sendJson, stripeErrorObject } from './lib/stripe-contract.mjs';
import { REPLAYED_HEADERS, StripeIdempotency } from './lib/stripe-idempotency.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    days: { type: 'string', default: '45' },
    now: { type: 'string' },
    spec: { type: 'string' },
  },
});

function die(message) {
  console.error(`stripe-account-peer: ${message}`);
  process.exit(2);
}

const seedCount = Number(options.seed);
const days = Number(options.days);
if (!Number.isInteger(seedCount) || seedCount < 0 || seedCount > 10_000_000)
  die('--seed must be a whole number of payments (0..10000000)');
if (!Number.isFinite(days) || days <= 0 || days > 3650)
  die('--days must be a number of days (0..3650]');
if (options.now !== undefined && !/^\d{1,12}$/.test(options.now))
  die('--now must be Unix seconds');

const specPath = options.spec ??
  join(process.env.PLAYALTER_FIXTURES ?? join(here, '..', '..', '..', 'shared', 'fixtures'),
       'openapi', 'stripe.json');
if (!existsSync(specPath))
  die(`no Stripe contract at ${specPath}: put the shared fixtures in ../shared/fixtures beside ` +
      'the source tree, or set PLAYALTER_FIXTURES, or give --spec FILE');
const contract = loadStripeContract(specPath);
const { apiVersion } = contract;

// ---- time, ids, chance -----------------------------------------------------------

const DAY = 86400;
const EVENT_DAYS = 30;          // Stripe lists the events of the last 30 days
const AVAILABLE_AFTER = 2 * DAY;
const startWall = Date.now();
const nowBase = options.now !== undefined ? Number(options.now) : Math.floor(startWall / 1000);
const clock = () => nowBase + Math.floor((Date.now() - startWall) / 1000);

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const counters = new Map();

// "ch_" + 24 base62 characters of a hash of the prefix, the seed and a
// per-prefix counter: the same seed makes the same ids, in the same order.
// (A 32-bit mix, not a cryptographic hash: seeding makes ~300,000 ids.)
function mix(h) {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const idCodes = new Array(24);

function newId(prefix) {
  const n = (counters.get(prefix) ?? 0) + 1;
  counters.set(prefix, n);
  let h = 0x9e3779b9 ^ seedCount;
  for (let i = 0; i < prefix.length; i++)
    h = mix(h ^ prefix.charCodeAt(i));
  // fmix32 is a bijection: distinct counters make distinct ids.
  const base = mix(h ^ n ^ Math.floor(n / 4294967296));
  // Five base62 digits from each 32-bit word (62^5 < 2^32).
  for (let i = 0; i < 24; i++) {
    if (i % 5 === 0)
      h = i === 0 ? base : mix(base ^ mix(0x6D2B79F5 * (i + 1)));
    idCodes[i] = BASE62.charCodeAt(h % 62);
    h = Math.floor(h / 62);
  }
  return `${prefix}_${String.fromCharCode.apply(null, idCodes)}`;
}

// mulberry32: small, fast, and the same everywhere.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seedCount * 2654435761 + 12345);
const pick = (array) => array[Math.floor(random() * array.length)];
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

// ---- the stores ------------------------------------------------------------------

// Objects of one kind, oldest first (every list answers newest first).
class Listed {
  constructor(path) {
    this.path = path;
    this.items = [];
    this.index = new Map();
  }

  add(object) {
    this.index.set(object.id, this.items.length);
    this.items.push(object);
    return object;
  }

  get(id) {
    const at = this.index.get(id);
    return at === undefined ? undefined : this.items[at];
  }

  // After seeding out of order: a stable sort keeps ties in making order.
  sort() {
    this.items.sort((a, b) => a.created - b.created);
    this.index.clear();
    this.items.forEach((o, i) => this.index.set(o.id, i));
  }
}

const charges = new Listed('/v1/charges');
const paymentIntents = new Listed('/v1/payment_intents');
const refunds = new Listed('/v1/refunds');
const customers = new Listed('/v1/customers');
const products = new Listed('/v1/products');
const prices = new Listed('/v1/prices');
const paymentLinks = new Listed('/v1/payment_links');
const subscriptions = new Listed('/v1/subscriptions');
const disputes = new Map();
const customersByEmail = new Map();

// Events: parallel arrays by position, oldest first; each event is kept
// only as its JSON text, made when it happened.
const events = { ids: [], created: [], types: [], json: [], index: new Map() };
let pendingEvents = [];   // while seeding: {created, id, type, json}, sorted at the end
let seeding = true;

const checkEvent = contract.componentValidator('event');

// @object as it is now goes into the event's JSON at once, so what
// changes in it later does not reach this event.
function emit(type, object, created, { previous, request } = {}) {
  const id = newId('evt');
  const event = {
    id,
    object: 'event',
    api_version: apiVersion,
    created,
    data: previous ? { object, previous_attributes: previous } : { object },
    livemode: false,
    pending_webhooks: 0,
    request: { id: request ? newId('req') : null, idempotency_key: request ?? null },
    type,
  };
  if ((!seeding || pendingEvents.length < 200 || pendingEvents.length % 16 === 0) && !checkEvent(event))
    throw new Error(`event ${type} does not fit the spec: ${checkEvent.errorsText()}`);
  const record = { created, id, type, json: JSON.stringify(event) };
  if (seeding) {
    pendingEvents.push(record);
  } else {
    // stamp() keeps new events in time order; this is its proof.
    const last = events.created.length ? events.created[events.created.length - 1] : 0;
    if (record.created < last)
      throw new Error('events must be appended in time order');
    appendEvent(record);
  }
  return id;
}

function appendEvent(record) {
  events.index.set(record.id, events.ids.length);
  events.ids.push(record.id);
  events.created.push(record.created);
  events.types.push(record.type);
  events.json.push(record.json);
}

// Any time the peer stamps on something new: now, but never before an
// event already listed.
function stamp() {
  const last = events.created.length ? events.created[events.created.length - 1] : 0;
  return Math.max(clock(), last);
}

// ---- objects (each checked against its schema when made) -----------------------------

// Every object made after start is checked against its schema. While
// seeding, the builders below make the same shapes over and over: the
// first 200 of each kind and every 16th after that are checked, which
// covers every variant (status, currency, refunded, disputed…) and keeps
// a seed of 40,000 payments within a few seconds. Whatever a list
// answers is checked again before it is sent.
const checkedKinds = new Map();

function check(kind, object) {
  if (seeding) {
    const n = (checkedKinds.get(kind) ?? 0) + 1;
    checkedKinds.set(kind, n);
    if (n > 200 && n % 16 !== 0)
      return object;
  }
  return contract.checkComponent(kind, object);
}

const NAMES = ['Ada Park', 'Bo Lindqvist', 'Chiara Romano', 'Dev Patel', 'Eun-ji Kim', 'Farah Haddad',
  'Gustavo Lima', 'Hana Sato', 'Ivan Petrov', 'Jamal Wright', 'Kofi Mensah', 'Lena Vogel'];
const BRANDS = ['visa', 'mastercard', 'amex'];

const CURRENCIES = [
  // [currency, share, amounts in minor units]
  ['usd', 0.50, [500, 900, 1200, 1500, 2000, 2500, 4900, 9900, 14900, 25000]],
  ['eur', 0.25, [500, 800, 1500, 2900, 4500, 9900, 19900]],
  ['gbp', 0.10, [700, 1500, 3000, 7500]],
  ['jpy', 0.10, [500, 1000, 1500, 3000, 5000, 12000]],
  ['kwd', 0.05, [1500, 3000, 5000, 12500, 40000]],
];

function makeCustomer(created, email, name, extra = {}, request) {
  const customer = check('customer', {
    id: newId('cus'),
    object: 'customer',
    address: null,
    balance: 0,
    created,
    currency: null,
    delinquent: false,
    description: extra.description ?? null,
    email: email ?? null,
    invoice_prefix: null,
    livemode: false,
    metadata: extra.metadata ?? {},
    name: name ?? null,
    phone: extra.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  });
  customers.add(customer);
  if (email)
    customersByEmail.set(email, customer);
  emit('customer.created', customer, created, { request });
  return customer;
}

function makePayment({ created, amount, currency, status, customer, description }) {
  const chargeId = newId('ch');
  const intentId = newId('pi');
  const succeeded = status === 'succeeded';
  const failed = status === 'failed';
  const card = {
    brand: pick(BRANDS),
    country: 'US',
    exp_month: between(1, 12),
    exp_year: 2030,
    funding: 'credit',
    last4: failed ? '0002' : '4242',
  };
  const charge = check('charge', {
    id: chargeId,
    object: 'charge',
    amount,
    amount_captured: succeeded ? amount : 0,
    amount_refunded: 0,
    billing_details: { address: null, email: customer?.email ?? null, name: customer?.name ?? null,
                       phone: null },
    calculated_statement_descriptor: 'PLAYALTER',
    captured: succeeded,
    created,
    currency,
    customer: customer?.id ?? null,
    description,
    disputed: false,
    failure_code: failed ? 'card_declined' : null,
    failure_message: failed ? 'Your card was declined.' : null,
    livemode: false,
    metadata: {},
    outcome: failed
      ? { network_status: 'declined_by_network', reason: 'generic_decline', risk_level: 'normal',
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined' }
      : { network_status: 'approved_by_network', reason: null, risk_level: 'normal',
          seller_message: 'Payment complete.', type: 'authorized' },
    paid: succeeded,
    payment_intent: intentId,
    payment_method: newId('pm'),
    payment_method_details: { type: 'card', card },
    receipt_email: customer?.email ?? null,
    refunded: false,
    status,
  });
  const intent = check('payment_intent', {
    id: intentId,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_received: succeeded ? amount : 0,
    capture_method: 'automatic',
    confirmation_method: 'automatic',
    created,
    currency,
    customer: customer?.id ?? null,
    description,
    latest_charge: chargeId,
    livemode: false,
    metadata: {},
    payment_method: charge.payment_method,
    payment_method_types: ['card'],
    status: succeeded ? 'succeeded' : failed ? 'requires_payment_method' : 'processing',
  });
  charges.add(charge);
  paymentIntents.add(intent);
  const kind = succeeded ? ['charge.succeeded', 'payment_intent.succeeded']
    : failed ? ['charge.failed', 'payment_intent.payment_failed']
      : ['charge.pending', 'payment_intent.processing'];
  const made = [emit(kind[0], charge, created), emit(kind[1], intent, created)];
  return { charge, intent, events: made };
}

function makeRefund(charge, amount, created, { reason = null, metadata = {}, request } = {}) {
  const refund = check('refund', {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created,
    currency: charge.currency,
    metadata,
    payment_intent: charge.payment_intent,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  });
  refunds.add(refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  const made = [emit('charge.refunded', charge, created, { previous, request }),
                emit('refund.created', refund, created, { request })];
  return { refund, events: made };
}

// The spec has no dispute schema: shaped as Stripe's API reference shows it.
function makeDispute(charge, created) {
  const dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    evidence_details: { due_by: created + 7 * DAY, has_evidence: false, past_due: false,
                        submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: 'fraudulent',
    status: 'needs_response',
  };
  disputes.set(dispute.id, dispute);
  charge.disputed = true;
  const event = emit('charge.dispute.created', dispute, created);
  return { dispute, event };
}

function makeProduct(created, fields, request) {
  const product = check('product', {
    id: newId('prod'),
    object: 'product',
    active: fields.active ?? true,
    created,
    default_price: null,
    description: fields.description ?? null,
    features: fields.features ?? [],
    images: fields.images ?? [],
    livemode: false,
    metadata: fields.metadata ?? {},
    name: fields.name,
    package_dimensions: null,
    shippable: fields.shippable ?? null,
    statement_descriptor: fields.statement_descriptor ?? null,
    tax_code: null,
    unit_label: fields.unit_label ?? null,
    updated: created,
    url: fields.url ?? null,
  });
  products.add(product);
  emit('product.created', product, created, { request });
  return product;
}

function makePrice(created, product, fields, request) {
  const recurring = fields.recurring
    ? { aggregate_usage: null, interval: fields.recurring.interval,
        interval_count: Number(fields.recurring.interval_count ?? 1), trial_period_days: null,
        usage_type: 'licensed' }
    : null;
  const amount = fields.unit_amount !== undefined ? Number(fields.unit_amount) : null;
  const price = check('price', {
    id: newId('price'),
    object: 'price',
    active: fields.active ?? true,
    billing_scheme: 'per_unit',
    created,
    currency: String(fields.currency).toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: fields.lookup_key ?? null,
    metadata: fields.metadata ?? {},
    nickname: fields.nickname ?? null,
    product: product.id,
    recurring,
    tax_behavior: fields.tax_behavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: amount,
    unit_amount_decimal: amount === null ? null : String(amount),
  });
  prices.add(price);
  emit('price.created', price, created, { request });
  return price;
}

const paymentLinkOp = contract.findOperation('POST', '/v1/payment_links').op;

// Sampled from the spec's schema for what the body does not say.
function makePaymentLink(created, body, request) {
  const id = newId('plink');
  const price = prices.get(body.line_items[0].price);
  // What Stripe sets when the body leaves it out; what the body says
  // (after_completion…) is echoed where it fits the answer's schema.
  const defaults = {
    after_completion: { hosted_confirmation: { custom_message: null }, type: 'hosted_confirmation' },
    allow_promotion_codes: false,
    automatic_tax: { enabled: false },
    billing_address_collection: 'auto',
    custom_fields: [],
    custom_text: { shipping_address: null, submit: null },
    customer_creation: 'if_required',
    payment_method_collection: 'always',
    phone_number_collection: { enabled: false },
    shipping_options: [],
    submit_type: 'auto',
    tax_id_collection: { enabled: false },
  };
  for (const key of Object.keys(defaults)) {
    if (body[key] !== undefined)
      delete defaults[key];
  }
  const link = contract.respond(paymentLinkOp, body, {
    ...defaults,
    id,
    object: 'payment_link',
    active: true,
    currency: price.currency,
    livemode: false,
    metadata: body.metadata ?? {},
    url: `https://buy.stripe.com/test_${id.slice(6, 20)}`,
  });
  paymentLinks.add(link);
  // Not a member of the object: where it falls among the links.
  createdOf.set(link, created);
  emit('payment_link.created', link, created, { request });
  return link;
}

// Payment links have no `created`; the list still orders them by it.
const createdOf = new WeakMap();

function updatePaymentLink(link, body, created, request) {
  const previous = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'expand' || !(key in link))
      continue;
    previous[key] = link[key];
    link[key] = key === 'metadata' ? { ...link.metadata, ...value } : value;
  }
  check('payment_link', link);
  emit('payment_link.updated', link, created, { previous, request });
  return link;
}

function makeSubscription(created, customer, price, status) {
  const id = newId('sub');
  const period = 30 * DAY;
  const start = created;
  const periodsGone = Math.max(0, Math.floor((nowBase - start) / period));
  const periodStart = start + periodsGone * period;
  const subscription = check('subscription', {
    id,
    object: 'subscription',
    automatic_tax: { enabled: false },
    billing_cycle_anchor: start,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    collection_method: 'charge_automatically',
    created,
    currency: price.currency,
    current_period_end: periodStart + period,
    current_period_start: periodStart,
    customer: customer.id,
    description: null,
    ended_at: null,
    items: {
      object: 'list',
      data: [{ id: newId('si'), object: 'subscription_item', created, metadata: {}, price,
               quantity: 1, subscription: id }],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    livemode: false,
    metadata: {},
    start_date: start,
    status: status === 'trialing' ? 'trialing' : status === 'incomplete' ? 'incomplete' : 'active',
    trial_end: status === 'trialing' ? created + 14 * DAY : null,
    trial_start: status === 'trialing' ? created : null,
  });
  subscriptions.add(subscription);
  emit('customer.subscription.created', subscription, created);
  return subscription;
}

// A later change of status, at @when (≤ now).
function changeSubscription(subscription, status, when) {
  if (status === 'canceled') {
    const previous = { cancel_at_period_end: false, cancel_at: null };
    subscription.cancel_at_period_end = true;
    subscription.cancel_at = when + DAY;
    check('subscription', subscription);
    emit('customer.subscription.updated', subscription, when, { previous });
    subscription.status = 'canceled';
    subscription.canceled_at = when + DAY;
    subscription.ended_at = when + DAY;
    check('subscription', subscription);
    emit('customer.subscription.deleted', subscription, when + DAY);
    return;
  }
  const previous = { status: subscription.status };
  subscription.status = status;
  check('subscription', subscription);
  emit('customer.subscription.updated', subscription, when, { previous });
}

// ---- seeding -----------------------------------------------------------------------

function chooseCurrency() {
  let r = random();
  for (const entry of CURRENCIES) {
    if ((r -= entry[1]) < 0)
      return entry;
  }
  return CURRENCIES[0];
}

function seed() {
  const span = Math.floor(days * DAY);
  const start = nowBase - span;
  // Nothing seeded happens in the last minute, so "now" is always newer.
  const latest = nowBase - 60;

  const productCount = Math.min(40, 4 + Math.floor(seedCount / 5000));
  const oneOff = [];
  const monthly = [];
  for (let p = 0; p < productCount; p++) {
    const created = start + 60 * p;
    const [currency, , amounts] = CURRENCIES[p % CURRENCIES.length];
    const product = makeProduct(created, {
      name: `Print #${p + 1}`,
      description: `A signed print of picture ${p + 1}.`,
      images: [`https://images.example.com/print-${p + 1}.jpg`],
    });
    const price = makePrice(created + 1, product, { currency, unit_amount: pick(amounts) });
    product.default_price = price.id;
    oneOff.push(price);
    if (p % 2 === 0) {
      monthly.push(makePrice(created + 2, product, { currency, unit_amount: pick(amounts),
                                                     recurring: { interval: 'month' } }));
      const link = makePaymentLink(created + 3, { line_items: [{ price: price.id, quantity: 1 }] });
      if (oneOff.length % 4 === 1)
        updatePaymentLink(link, { active: false }, Math.min(created + DAY, latest));
    }
  }

  const newCustomer = (created) => {
    const k = customers.items.length + 1;
    const name = `${NAMES[k % NAMES.length]} ${k}`;
    return makeCustomer(created, `customer${k}@example.com`, name);
  };

  for (let i = 0; i < seedCount; i++) {
    const created = Math.min(latest, start + 3600 + Math.floor((i + random()) * (span - 3600) / seedCount));
    const customer = customers.items.length === 0 || random() < 0.35
      ? newCustomer(created - 5) : pick(customers.items);
    const [currency, , amounts] = chooseCurrency();
    const amount = pick(amounts);
    const roll = random();
    let status = roll < 0.8 ? 'succeeded' : roll < 0.9 ? 'failed' : 'succeeded';
    if (roll >= 0.9 && created > nowBase - 5 * DAY)
      status = 'pending';
    const { charge } = makePayment({ created, amount, currency, status, customer,
                                     description: `Order ${i + 1}` });
    if (status !== 'succeeded')
      continue;
    const fate = random();
    if (fate < 0.14) {
      const when = created + between(3600, 3 * DAY);
      if (when <= latest)
        makeRefund(charge, fate < 0.08 ? amount : Math.max(1, Math.floor(amount * between(25, 75) / 100 / 10) * 10),
                   when, { reason: 'requested_by_customer' });
    } else if (fate < 0.16) {
      const when = created + between(DAY, 10 * DAY);
      if (when <= latest)
        makeDispute(charge, when);
    }
  }

  const subscriptionCount = Math.min(2000, Math.floor(seedCount / 20));
  const fates = ['active', 'active', 'active', 'trialing', 'past_due', 'canceled', 'incomplete', 'unpaid'];
  for (let s = 0; s < subscriptionCount && customers.items.length && monthly.length; s++) {
    const created = start + 3600 + Math.floor((s + random()) * (span - 3600) / subscriptionCount);
    const fate = pick(fates);
    const subscription = makeSubscription(Math.min(created, latest - 2 * DAY), pick(customers.items),
                                          pick(monthly), fate);
    if (['past_due', 'canceled', 'unpaid'].includes(fate))
      changeSubscription(subscription, fate, Math.min(subscription.created + between(DAY, 20 * DAY), latest - DAY));
  }

  for (const list of [charges, paymentIntents, refunds, customers, products, prices, subscriptions])
    list.sort();
  pendingEvents.sort((a, b) => a.created - b.created);
  pendingEvents.forEach(appendEvent);
  pendingEvents = [];
  seeding = false;
}

const seedStarted = process.hrtime.bigint();
const seedCpu = process.cpuUsage();
seed();
const seedMs = Number(process.hrtime.bigint() - seedStarted) / 1e6;
const seedCpuMs = (process.cpuUsage(seedCpu).user + process.cpuUsage(seedCpu).system) / 1000;

// ---- answers ---------------------------------------------------------------------------

const effects = { refunds: [], requests: 0, replays: 0, rejected: [] };
const requestLog = [];
const idempotency = new StripeIdempotency();

class StripeError extends Error {
  constructor(status, message, param, code, type = 'invalid_request_error') {
    super(message);
    this.status = status;
    this.body = stripeErrorObject(type, message, param, code);
  }
}

const missing = (what, id, param) =>
  new StripeError(404, `No such ${what}: '${id}'`, param, 'resource_missing');

function lowerBound(array, value) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (array[mid] < value)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// created=N or created[gt|gte|lt|lte] → [from, to) in Unix seconds.
function createdBounds(query) {
  let from = -Infinity;
  let to = Infinity;
  const created = query.created;
  if (created === undefined)
    return { from, to };
  if (typeof created !== 'object') {
    const at = Number(created);
    return { from: at, to: at + 1 };
  }
  if (created.gt !== undefined)
    from = Math.max(from, Number(created.gt) + 1);
  if (created.gte !== undefined)
    from = Math.max(from, Number(created.gte));
  if (created.lt !== undefined)
    to = Math.min(to, Number(created.lt));
  if (created.lte !== undefined)
    to = Math.min(to, Number(created.lte) + 1);
  return { from, to };
}

function pageLimit(query) {
  if (query.limit === undefined)
    return 10;
  const limit = Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new StripeError(400, 'Invalid limit: must be between 1 and 100.', 'limit');
  return limit;
}

// One page of positions [lo, hi) of a list kept oldest first, answered
// newest first as Stripe does; @cursor maps an id to its position, @keep
// filters (scanning only as far as the page needs).
function cutPage(query, lo, hi, cursor, keep) {
  const limit = pageLimit(query);
  if (query.starting_after !== undefined && query.ending_before !== undefined)
    throw new StripeError(400, 'You may only specify one of these parameters: ending_before, starting_after.',
                          'starting_after');
  const positions = [];
  let hasMore = false;
  if (query.ending_before !== undefined) {
    const at = cursor(query.ending_before, 'ending_before');
    // The page right after the cursor towards newer ones, still newest first.
    for (let i = Math.max(lo, at + 1); i < hi; i++) {
      if (keep && !keep(i))
        continue;
      if (positions.length === limit) {
        hasMore = true;
        break;
      }
      positions.push(i);
    }
    positions.reverse();
  } else {
    const from = query.starting_after !== undefined
      ? Math.min(hi, cursor(query.starting_after, 'starting_after')) : hi;
    for (let i = from - 1; i >= lo; i--) {
      if (keep && !keep(i))
        continue;
      if (positions.length === limit) {
        hasMore = true;
        break;
      }
      positions.push(i);
    }
  }
  return { positions, hasMore };
}

function typeMatcher(query) {
  if (query.type !== undefined && query.types !== undefined)
    throw new StripeError(400, 'You may pass either type or types, but not both.', 'type');
  const patterns = query.type !== undefined ? [query.type] : query.types;
  if (!patterns)
    return null;
  if (patterns.length > 20)
    throw new StripeError(400, 'types may hold at most 20 event types.', 'types');
  const regexes = patterns.map((p) => new RegExp('^' + String(p).replace(/[.+?^$()|[\]\\{}]/g, '\\$&')
    .replace(/\*/g, '.*') + '$'));
  return (i) => regexes.some((r) => r.test(events.types[i]));
}

function listEvents(query) {
  const { from, to } = createdBounds(query);
  const windowStart = clock() - EVENT_DAYS * DAY;
  const lo = lowerBound(events.created, Math.max(from, windowStart));
  const hi = to === Infinity ? events.created.length : lowerBound(events.created, to);
  const cursor = (id, param) => {
    const at = events.index.get(id);
    if (at === undefined)
      throw missing('event', id, param);
    return at;
  };
  const { positions, hasMore } = cutPage(query, lo, Math.max(lo, hi), cursor, typeMatcher(query));
  // The events are checked when made: the page is joined, not re-encoded.
  return `{"object":"list","data":[${positions.map((i) => events.json[i]).join(',')}],` +
    `"has_more":${hasMore},"url":"/v1/events"}`;
}

const createdAt = (object) => object.created ?? createdOf.get(object) ?? 0;

const LIST_FILTERS = {
  '/v1/charges': { customer: 'customer', payment_intent: 'payment_intent', transfer_group: 'transfer_group' },
  '/v1/payment_intents': { customer: 'customer' },
  '/v1/refunds': { charge: 'charge', payment_intent: 'payment_intent' },
  '/v1/customers': { email: 'email', test_clock: 'test_clock' },
  '/v1/products': { active: 'active', shippable: 'shippable', url: 'url' },
  '/v1/prices': { active: 'active', currency: 'currency', product: 'product', type: 'type' },
  '/v1/payment_links': { active: 'active' },
  '/v1/subscriptions': { customer: 'customer', collection_method: 'collection_method' },
};
const LISTS = {
  '/v1/charges': charges,
  '/v1/payment_intents': paymentIntents,
  '/v1/refunds': refunds,
  '/v1/customers': customers,
  '/v1/products': products,
  '/v1/prices': prices,
  '/v1/payment_links': paymentLinks,
  '/v1/subscriptions': subscriptions,
};

function listObjects(path, query) {
  const list = LISTS[path];
  const tests = [];
  for (const [param, field] of Object.entries(LIST_FILTERS[path])) {
    if (query[param] === undefined)
      continue;
    const want = typeof list.items[0]?.[field] === 'boolean' ? String(query[param]) === 'true' : query[param];
    tests.push((o) => o[field] === want);
  }
  if (path === '/v1/products' && query.ids !== undefined) {
    const ids = new Set([].concat(query.ids));
    tests.push((o) => ids.has(o.id));
  }
  if (path === '/v1/prices' && query.recurring?.interval !== undefined)
    tests.push((o) => o.recurring?.interval === query.recurring.interval);
  if (path === '/v1/subscriptions') {
    const status = query.status ?? null;
    if (status === null)
      tests.push((o) => o.status !== 'canceled' && o.status !== 'incomplete_expired');
    else if (status === 'ended')
      tests.push((o) => o.status === 'canceled' || o.status === 'incomplete_expired');
    else if (status !== 'all')
      tests.push((o) => o.status === status);
    if (query.price !== undefined)
      tests.push((o) => o.items.data.some((item) => item.price.id === query.price));
  }
  const { from, to } = createdBounds(query);
  if (from !== -Infinity || to !== Infinity)
    tests.push((o) => { const c = createdAt(o); return c >= from && c < to; });
  const keep = tests.length ? (i) => tests.every((t) => t(list.items[i])) : null;
  const what = path.slice(4).replace(/s$/, '');
  const cursor = (id, param) => {
    const at = list.index.get(id);
    if (at === undefined)
      throw missing(what, id, param);
    return at;
  };
  const { positions, hasMore } = cutPage(query, 0, list.items.length, cursor, keep);
  return { object: 'list', data: positions.map((i) => list.items[i]), has_more: hasMore, url: path };
}

function balance() {
  const now = clock();
  const sums = new Map();   // currency → {available, pending}
  for (const charge of charges.items) {
    if (charge.status !== 'succeeded')
      continue;
    const sum = sums.get(charge.currency) ?? { available: 0, pending: 0 };
    sums.set(charge.currency, sum);
    const net = charge.amount - charge.amount_refunded;
    if (charge.created <= now - AVAILABLE_AFTER)
      sum.available += net;
    else
      sum.pending += net;
  }
  const currencies = [...sums.keys()].sort();
  return {
    object: 'balance',
    available: currencies.map((c) => ({ amount: sums.get(c).available, currency: c,
                                        source_types: { card: sums.get(c).available } })),
    livemode: false,
    pending: currencies.map((c) => ({ amount: sums.get(c).pending, currency: c,
                                      source_types: { card: sums.get(c).pending } })),
  };
}

const accountOp = contract.findOperation('GET', '/v1/account').op;
const account = contract.respond(accountOp, null, {
  id: newId('acct'),
  object: 'account',
  business_profile: { name: 'PlayAlter Test Shop', support_email: 'shop@example.com', url: null },
  charges_enabled: true,
  country: 'US',
  default_currency: 'usd',
  email: 'shop@example.com',
  payouts_enabled: true,
  type: 'standard',
});

// ---- POSTs ---------------------------------------------------------------------------

const MAX_AMOUNT = 99999999;

function createRefund(body, key) {
  if (body.charge === undefined && body.payment_intent === undefined)
    throw new StripeError(400, 'One of the following params should be provided for this request: ' +
                          'payment_intent or charge.', 'charge', 'parameter_missing');
  if (body.charge !== undefined && body.payment_intent !== undefined)
    throw new StripeError(400, 'You may only specify one of these parameters: charge, payment_intent.', 'charge');
  let charge;
  if (body.charge !== undefined) {
    charge = charges.get(body.charge);
    if (!charge)
      throw missing('charge', body.charge, 'charge');
  } else {
    const intent = paymentIntents.get(body.payment_intent);
    if (!intent)
      throw missing('payment_intent', body.payment_intent, 'payment_intent');
    charge = charges.get(intent.latest_charge);
  }
  if (charge.disputed)
    throw new StripeError(400, `Charge ${charge.id} has been charged back; cannot issue a refund.`,
                          null, 'charge_disputed');
  if (charge.status !== 'succeeded')
    throw new StripeError(400, `Charge ${charge.id} is ${charge.status}; only succeeded charges can be refunded.`,
                          'charge');
  if (charge.refunded)
    throw new StripeError(400, `Charge ${charge.id} has already been refunded.`, 'charge',
                          'charge_already_refunded');
  const left = charge.amount - charge.amount_refunded;
  const amount = body.amount !== undefined ? Number(body.amount) : left;
  if (!Number.isInteger(amount) || amount < 1)
    throw new StripeError(400, 'Refund amount must be a positive integer.', 'amount', 'amount_too_small');
  if (amount > left)
    throw new StripeError(400, `Refund amount (${amount} ${charge.currency}) is greater than unrefunded ` +
                          `amount on charge (${left} ${charge.currency})`, 'amount', 'amount_too_large');
  const { refund } = makeRefund(charge, amount, stamp(),
                                { reason: body.reason ?? null, metadata: body.metadata ?? {}, request: key });
  effects.refunds.push({ id: refund.id, charge: charge.id, amount, idempotency_key: key });
  return refund;
}

function createPrice(body, key) {
  checkAmount(body.unit_amount, body.currency, 'unit_amount');
  let product;
  if (body.product !== undefined) {
    product = products.get(body.product);
    if (!product)
      throw missing('product', body.product, 'product');
  } else if (body.product_data !== undefined) {
    product = makeProduct(stamp(), body.product_data, key);
  } else {
    throw new StripeError(400, 'You must specify either product or product_data.', 'product', 'parameter_missing');
  }
  return makePrice(stamp(), product, body, key);
}

function checkAmount(value, currency, param) {
  if (value === undefined)
    return;
  const amount = Number(value);
  if (!Number.isInteger(amount) || amount < 0)
    throw new StripeError(400, `Invalid integer: ${value}`, param, 'parameter_invalid_integer');
  if (amount > MAX_AMOUNT)
    throw new StripeError(400, `Amount must be no more than ${MAX_AMOUNT}.`, param, 'amount_too_large');
  if (['bhd', 'jod', 'kwd', 'omr', 'tnd'].includes(String(currency).toLowerCase()) && amount % 10 !== 0)
    throw new StripeError(400, `Amounts in ${currency} must be divisible by 10.`, param);
}

// Everything that can refuse a request is checked before anything is made.
function createProduct(body, key) {
  if (body.default_price_data)
    checkAmount(body.default_price_data.unit_amount, body.default_price_data.currency,
                'default_price_data[unit_amount]');
  const product = makeProduct(stamp(), body, key);
  if (body.default_price_data) {
    const price = makePrice(stamp(), product, body.default_price_data, key);
    product.default_price = price.id;
  }
  return product;
}

function createPaymentLink(body, key) {
  body.line_items.forEach((item, i) => {
    if (!prices.get(item.price))
      throw missing('price', item.price, `line_items[${i}][price]`);
  });
  return makePaymentLink(stamp(), body, key);
}

function handlePost(op, values, body, key) {
  switch (op.path) {
    case '/v1/refunds':
      return createRefund(body, key);
    case '/v1/products':
      return createProduct(body, key);
    case '/v1/prices':
      return createPrice(body, key);
    case '/v1/payment_links':
      return createPaymentLink(body, key);
    case '/v1/customers':
      if (body.email !== undefined && typeof body.email !== 'string')
        throw new StripeError(400, 'Invalid email.', 'email');
      return makeCustomer(stamp(), body.email, body.name, body, key);
    case '/v1/payment_links/{payment_link}': {
      const link = paymentLinks.get(values.payment_link);
      if (!link)
        throw missing('payment_link', values.payment_link, 'payment_link');
      return updatePaymentLink(link, body, stamp(), key);
    }
    default:
      throw new StripeError(404, `This peer does not play ${op.method} ${op.path}.`);
  }
}

function handleGet(op, values, query) {
  if (op.path === '/v1/events')
    return listEvents(query);
  if (op.path === '/v1/balance')
    return balance();
  if (op.path === '/v1/account')
    return account;
  if (op.path === '/v1/customers/{customer}') {
    const customer = customers.get(values.customer);
    if (!customer)
      throw missing('customer', values.customer, 'id');
    return customer;
  }
  if (LISTS[op.path])
    return listObjects(op.path, query);
  throw new StripeError(404, `This peer does not play ${op.method} ${op.path}.`);
}

// ---- controls ------------------------------------------------------------------------

const drops = [];   // {method, path, after_effect, count}

function controlError(status, message) {
  const error = new Error(message);
  error.status = status;
  return error;
}

function controlPayments(body) {
  const count = body.count ?? 1;
  const currency = String(body.currency ?? 'usd').toLowerCase();
  const status = body.status ?? 'succeeded';
  if (!Number.isInteger(count) || count < 1 || count > 10000)
    throw controlError(400, 'count must be a whole number 1..10000');
  if (!Number.isInteger(body.amount) || body.amount < 1 || body.amount > MAX_AMOUNT)
    throw controlError(400, `amount must be a whole number of minor units 1..${MAX_AMOUNT}`);
  if (!/^[a-z]{3}$/.test(currency))
    throw controlError(400, 'currency must be an ISO 4217 code');
  if (!['succeeded', 'failed', 'pending'].includes(status))
    throw controlError(400, 'status must be succeeded, failed or pending');
  if (body.customer_email !== undefined && typeof body.customer_email !== 'string')
    throw controlError(400, 'customer_email must be a string');
  const out = { payments: [], charges: [], payment_intents: [], events: [] };
  for (let i = 0; i < count; i++) {
    const created = stamp();
    let customer = null;
    const made = [];
    if (body.customer_email !== undefined) {
      customer = customersByEmail.get(body.customer_email);
      if (!customer) {
        customer = makeCustomer(created, body.customer_email, null);
        made.push(events.ids[events.ids.length - 1]);
      }
    }
    const payment = makePayment({ created, amount: body.amount, currency, status, customer,
                                  description: `Payment ${charges.items.length + 1}` });
    made.push(...payment.events);
    out.payments.push({ charge: payment.charge.id, payment_intent: payment.intent.id,
                        customer: customer?.id ?? null, events: made });
    out.charges.push(payment.charge.id);
    out.payment_intents.push(payment.intent.id);
    out.events.push(...made);
  }
  return out;
}

function controlDispute(body) {
  const charge = charges.get(body.charge);
  if (!charge)
    throw controlError(404, `no charge ${body.charge}`);
  if (charge.status !== 'succeeded' || charge.disputed)
    throw controlError(400, `charge ${charge.id} is ${charge.disputed ? 'already disputed' : charge.status}`);
  const { dispute, event } = makeDispute(charge, stamp());
  return { dispute: dispute.id, event };
}

function controlDrop(body) {
  const method = String(body.method ?? '').toUpperCase();
  const count = body.count ?? 1;
  if (!method || typeof body.path !== 'string' || !body.path.startsWith('/'))
    throw controlError(400, 'drop needs method and path (e.g. "POST", "/v1/refunds")');
  if (typeof body.after_effect !== 'boolean')
    throw controlError(400, 'after_effect must be true or false');
  if (!Number.isInteger(count) || count < 1)
    throw controlError(400, 'count must be a whole number ≥ 1');
  drops.push({ method, path: body.path, after_effect: body.after_effect, count });
  return { armed: drops.reduce((n, d) => n + d.count, 0) };
}

function takeDrop(method, path) {
  const at = drops.findIndex((d) => d.method === method && d.path === path);
  if (at < 0)
    return null;
  const drop = drops[at];
  if (--drop.count === 0)
    drops.splice(at, 1);
  return drop;
}

function signature(secret, timestamp, body) {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

function controlWebhook(body) {
  const at = body.event === 'latest' ? events.ids.length - 1 : events.index.get(body.event);
  if (at === undefined || at < 0)
    throw controlError(404, `no event ${body.event}`);
  if (typeof body.secret !== 'string' || body.secret === '')
    throw controlError(400, 'secret must be the endpoint secret (whsec_…)');
  let target;
  try {
    target = new URL(body.url);
  } catch {
    throw controlError(400, `url is not a URL: ${body.url}`);
  }
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(target.hostname))
    throw controlError(400, 'url must be http://127.0.0.1:PORT/… or http://localhost:PORT/…: this peer posts nowhere else');
  const timestamp = body.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(timestamp))
    throw controlError(400, 'timestamp must be Unix seconds');
  const payload = Buffer.from(events.json[at], 'utf8');
  const header = `t=${timestamp},v1=${signature(body.secret, timestamp, payload)}`;
  if (body.tamper === true) {
    // One byte of the id changes case: still JSON, no longer what was signed.
    const where = payload.indexOf('"evt_') + 5;
    payload[where] ^= 0x20;
  }
  return new Promise((resolve) => {
    const post = httpRequest(target, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': payload.length,
        'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'Stripe-Signature': header,
      },
      timeout: 10000,
    }, (answer) => {
      const chunks = [];
      answer.on('data', (chunk) => chunks.push(chunk));
      answer.on('end', () => resolve({
        status: answer.statusCode,
        body: Buffer.concat(chunks).toString('utf8'),
        event: events.ids[at],
        signature: header,
      }));
    });
    post.on('timeout', () => post.destroy(new Error('the receiver did not answer in 10 s')));
    post.on('error', (e) => resolve({ status: 0, body: '', error: e.message, event: events.ids[at],
                                      signature: header }));
    post.end(payload);
  });
}

function eventsListed() {
  return events.created.length - lowerBound(events.created, clock() - EVENT_DAYS * DAY);
}

async function handleControl(req, res, url, raw) {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/__peer/effects')
    return sendJson(res, 200, { ...effects, events: eventsListed(), events_total: events.ids.length });
  if (req.method === 'GET' && path === '/__peer/requests')
    return sendJson(res, 200, requestLog);
  if (req.method !== 'POST')
    return sendJson(res, 404, { error: `no control ${req.method} ${path}` });
  let body;
  try {
    body = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    return sendJson(res, 400, { error: 'control bodies are JSON' });
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return sendJson(res, 400, { error: 'control bodies are JSON objects' });
  try {
    let answer;
    if (path === '/__peer/payments')
      answer = controlPayments(body);
    else if (path === '/__peer/dispute')
      answer = controlDispute(body);
    else if (path === '/__peer/drop')
      answer = controlDrop(body);
    else if (path === '/__peer/webhook')
      answer = await controlWebhook(body);
    else
      return sendJson(res, 404, { error: `no control ${req.method} ${path}` });
    sendJson(res, 200, answer);
  } catch (e) {
    if (!e.status)
      throw e;
    sendJson(res, e.status, { error: e.message });
  }
}

// ---- the server ----------------------------------------------------------------------

function sendText(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text),
                          'Request-Id': newId('req'), ...headers });
  res.end(text);
}

function handleStripe(req, res, url, raw) {
  const seen = {};
  const logged = { method: req.method, path: url.pathname,
                   query: qs.parse(url.search.replace(/^\?/, ''), { depth: 10, arrayLimit: 100 }), status: 0 };
  requestLog.push(logged);
  effects.requests++;

  const drop = takeDrop(req.method, url.pathname);
  const answer = (status, text, headers) => {
    logged.status = drop ? 0 : status;
    if (drop)
      return req.socket.destroy();
    sendText(res, status, text, headers);
  };
  if (drop && !drop.after_effect)
    return answer(0, '');

  const checked = contract.checkRequest(req, url, raw, seen);
  if (checked.error) {
    effects.rejected.push({ method: req.method, path: url.pathname, status: checked.status,
                            reason: checked.error.error.message });
    return answer(checked.status, JSON.stringify(checked.error));
  }
  const { op, values, query, body } = checked;

  if (req.method === 'POST') {
    const key = seen.idempotency_key;
    const sig = StripeIdempotency.signature(req.method, url.pathname, body);
    const known = idempotency.check(key, sig);
    if (known?.conflict)
      return answer(400, JSON.stringify(known.conflict));
    if (known) {
      effects.replays++;
      return answer(known.replay.status, known.replay.response, { ...REPLAYED_HEADERS, 'Idempotency-Key': key });
    }
    let status = 200;
    let text;
    try {
      const object = handlePost(op, values, body, key);
      if (!op.validateResponse(object))
        throw new Error(`answer to ${op.method} ${op.path} does not fit the spec: ` +
                        JSON.stringify(op.validateResponse.errors).slice(0, 800));
      text = JSON.stringify(object);
    } catch (e) {
      if (!(e instanceof StripeError))
        throw e;
      status = e.status;
      text = JSON.stringify(e.body);
    }
    idempotency.remember(key, sig, status, text);
    return answer(status, text, { 'Idempotency-Key': key });
  }

  try {
    const result = handleGet(op, values, query);
    if (typeof result === 'string')
      return answer(200, result);
    if (!op.validateResponse(result))
      throw new Error(`answer to ${op.method} ${op.path} does not fit the spec: ` +
                      JSON.stringify(op.validateResponse.errors).slice(0, 800));
    return answer(200, JSON.stringify(result));
  } catch (e) {
    if (!(e instanceof StripeError))
      throw e;
    return answer(e.status, JSON.stringify(e.body));
  }
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('error', () => {});
  res.on('error', () => {});
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const fail = (e) => {
      effects.rejected.push({ method: req.method, path: url.pathname, status: 500,
                              reason: `peer failure: ${e.stack}` });
      console.error(e);
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, stripeErrorObject('api_error', `peer failure: ${e.message}`));
    };
    try {
      if (url.pathname.startsWith('/__peer/'))
        handleControl(req, res, url, Buffer.concat(chunks)).catch(fail);
      else
        handleStripe(req, res, url, Buffer.concat(chunks));
    } catch (e) {
      fail(e);
    }
  });
});
server.on('clientError', (error, socket) => socket.destroy());

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0)
  die('set PORT');
server.listen(port, '127.0.0.1', () => {
  console.log(`stripe-account-peer: ${seedCount} payments over ${days} days seeded in ${seedMs.toFixed(0)} ms ` +
              `(${seedCpuMs.toFixed(0)} ms of CPU; ${events.ids.length} events, ${eventsListed()} listed; ${charges.items.length} charges, ` +
              `${customers.items.length} customers, ${subscriptions.items.length} subscriptions), ` +
              `now ${nowBase}, API ${apiVersion}, on 127.0.0.1:${port}`);
});
// Keep-alive connections would hold server.close() open: just go.
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
