/* pa-stripe-sync-private.h — what the Stripe sync's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PAYMENTS_COMPILATION)
# error "pa-stripe-sync-private.h is private to core/payments: use pa-stripe-sync.h"
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* @object's member @name when it is a string, else NULL. */
static inline const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The id and creation time of an event pa_stripe_sync_check_event()
 * accepted. */
static inline const char *
event_id (JsonNode *node)
{
  return member_string (json_node_get_object (node), "id");
}

static inline gint64
event_created (JsonNode *node)
{
  return json_object_get_int_member (json_node_get_object (node), "created");
}

/* ---- checking what Stripe sent (pa-stripe-sync-page.c) ---- */

/* An event as Stripe makes them: id, type, created and the object it is
 * about. @what says where it came from, for the message. */
gboolean   pa_stripe_sync_check_event (JsonNode    *node,
                                       const char  *what,
                                       GError     **error);

/* One page of GET /v1/events: its events newest first (a new array of
 * JsonNode references), each checked; none older than @min_created. */
GPtrArray *pa_stripe_sync_page_events (JsonNode    *list,
                                       gint64       min_created,
                                       gboolean    *has_more,
                                       GError     **error);

G_END_DECLS
