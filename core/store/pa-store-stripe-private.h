/* pa-store-stripe-private.h — what the Stripe store's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STORE_COMPILATION)
# error "pa-store-stripe-private.h is private to core/store: use pa-store-stripe.h"
#endif

#include <string.h>

#include "pa-store-private.h"

G_BEGIN_DECLS

/* The newest copy of the stripe_objects row @alias as JSON text: its
 * data_json, or else the data.object of the event that carried it (a
 * copy an event carried is kept once, in the event). */
#define PA_STRIPE_OBJECT_JSON(alias) \
  "COALESCE (" alias ".data_json, (SELECT json_extract (ev.payload_json, '$.data.object') " \
  "FROM stripe_events ev WHERE ev.seq = " alias ".event_seq))"

/* ---- reading an object's fields: the limits, and the row of the
 * statement that reads them (pa_store_stripe_read_sql) ---- */

/* An event or object larger than this is refused: Stripe's are a few
 * kilobytes, and each is copied into memory several times here. */
#define MAX_JSON_BYTES    (1024 * 1024)
/* Stripe's ids are short; a longer one is not Stripe's. */
#define MAX_ID_BYTES      255
/* What Stripe lets a description or a name be, with room to spare. */
#define MAX_TEXT_BYTES    (64 * 1024)
/* Larger than any amount Stripe takes, small enough that sums of many
 * never overflow. */
#define MAX_AMOUNT        G_GINT64_CONSTANT (1000000000000000)

/* The fields of an object the projections read, relative to the object. */
typedef enum {
  F_ID,
  F_OBJECT,
  F_CREATED,
  F_LIVEMODE,
  F_AMOUNT,
  F_AMOUNT_REFUNDED,
  F_CURRENCY,
  F_STATUS,
  F_PAYMENT_INTENT,
  F_PAYMENT_INTENT_ID,
  F_CUSTOMER,
  F_CUSTOMER_ID,
  F_BILLING_EMAIL,
  F_RECEIPT_EMAIL,
  F_BILLING_NAME,
  F_DESCRIPTION,
  F_METHOD,
  F_CARD_BRAND,
  F_CARD_LAST4,
  F_DISPUTED,
  F_CHARGE,
  F_CHARGE_ID,
  F_PRODUCT,
  F_PRODUCT_ID,
  N_FIELDS
} Field;

/* The columns of the reading statement before the fields: the object's
 * own type, the whole text's type, its id's and its created's types
 * and values (the event's, when the object is an event's). */
enum {
  C_OBJECT_TYPE,
  C_ROOT_TYPE,
  C_ROOT_ID_TYPE,
  C_ROOT_ID,
  C_ROOT_CREATED_TYPE,
  C_ROOT_CREATED,
  C_FIELDS,
};

/* What is being read, for error messages. */
typedef struct {
  PaCachedStmt *stmt;
  const char   *json;          /* the text read */
  const char   *event_id;      /* NULL: an object on its own */
  gint64        event_seq;     /* the event's row, once stored */
  const char   *path_prefix;   /* "data.object." or "" */
} Reader;

static inline const char *
field_type (Reader *r,
            Field   field)
{
  return (const char *) sqlite3_column_text (r->stmt, C_FIELDS + 2 * field);
}

static inline int
field_column (Field field)
{
  return C_FIELDS + 2 * field + 1;
}

static inline gboolean
is_absent (const char *type)
{
  return type == NULL || strcmp (type, "null") == 0;
}

/* ---- reading and projecting an object (pa-store-stripe-project.c) ---- */

/* The statement that reads an object's fields from the JSON text ?1:
 * an event's data.object when @in_event, else the text itself. */
const char *pa_store_stripe_read_sql          (gboolean     in_event);

/* Fails @error with what is wrong with the object being read. */
void        pa_store_stripe_set_invalid       (Reader      *r,
                                               GError     **error,
                                               const char  *format,
                                               ...) G_GNUC_PRINTF (3, 4);
void        pa_store_stripe_set_field_invalid (Reader      *r,
                                               GError     **error,
                                               Field        field,
                                               const char  *what);

/* Whether objects of kind @object are kept (the page shows them). */
gboolean    pa_store_stripe_is_known_kind     (const char  *object);

/* Checks the object @r is on and, when @store, stores its copy as seen
 * at @seen_at. An object of a kind the page does not show is left
 * alone. */
gboolean    pa_store_stripe_project           (PaStore     *self,
                                               const char  *profile,
                                               Reader      *r,
                                               gint64       seen_at,
                                               gboolean     tie_wins,
                                               gboolean     deleted,
                                               gboolean     store,
                                               GError     **error);

G_END_DECLS
