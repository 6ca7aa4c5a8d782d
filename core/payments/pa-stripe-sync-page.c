/* pa-stripe-sync-page.c — checking a page of Stripe's events before it is stored
 *
 * Each page of GET /v1/events, and each event a webhook delivers, is
 * checked whole before anything of it is stored: a list of event objects
 * with id, type, created and data.object, newest first, within the time
 * asked for. An answer that is not is a PA_ERROR_PROTOCOL, so that
 * pa-stripe-sync.c stores nothing of it and its walk cannot go wrong or
 * on forever.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-stripe-sync-private.h"

/* An event as Stripe makes them: id, type, created and the object it is
 * about. @what says where it came from, for the message. */
gboolean
pa_stripe_sync_check_event (JsonNode    *node,
                            const char  *what,
                            GError     **error)
{
  JsonObject *event;
  JsonNode *created;
  JsonNode *data;
  JsonNode *object;
  const char *id;
  const char *type;
  const char *kind;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  event = json_node_get_object (node);
  kind = member_string (event, "object");
  id = member_string (event, "id");
  type = member_string (event, "type");
  created = json_object_get_member (event, "created");
  data = json_object_get_member (event, "data");
  if ((json_object_has_member (event, "object") && g_strcmp0 (kind, "event") != 0) ||
      id == NULL || id[0] == '\0' || type == NULL || type[0] == '\0' ||
      created == NULL || !JSON_NODE_HOLDS_VALUE (created) ||
      json_node_get_value_type (created) != G_TYPE_INT64 || json_node_get_int (created) <= 0 ||
      data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    goto bad;
  object = json_object_get_member (json_node_get_object (data), "object");
  if (object == NULL || !JSON_NODE_HOLDS_OBJECT (object))
    goto bad;
  return TRUE;

bad:
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("%s holds something that is not a Stripe event (an event needs an id, "
                 "a type, a creation time and the object it is about)."), what);
  return FALSE;
}

/* One page of GET /v1/events: its events newest first, as Stripe lists
 * them, each checked. An event created before @min_created means a bound
 * was not applied (created[gt], or a forward page reaching behind what
 * is stored), and a page out of order or one that says there is more but
 * holds nothing would make the walk wrong or endless. */
GPtrArray *
pa_stripe_sync_page_events (JsonNode   *list,
                            gint64      min_created,
                            gboolean   *has_more,
                            GError    **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  const char *what = _("Stripe’s list of events");
  JsonObject *object;
  JsonNode *data;
  JsonNode *more;
  JsonArray *array;

  object = json_node_get_object (list);
  data = json_object_get_member (object, "data");
  more = json_object_get_member (object, "has_more");
  if ((json_object_has_member (object, "object") &&
       g_strcmp0 (member_string (object, "object"), "list") != 0) ||
      data == NULL || !JSON_NODE_HOLDS_ARRAY (data) ||
      more == NULL || !JSON_NODE_HOLDS_VALUE (more) ||
      json_node_get_value_type (more) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("Stripe answered the list of events with something that is not a "
                     "list. Nothing of it was stored; try again later."));
      return NULL;
    }
  *has_more = json_node_get_boolean (more);

  array = json_node_get_array (data);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!pa_stripe_sync_check_event (node, what, error))
        return NULL;
      if (event_created (node) < min_created ||
          (i > 0 && event_created (node) > event_created (g_ptr_array_index (events, i - 1))))
        {
          g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                       _("Stripe listed events out of order or outside the time asked "
                         "for. Nothing of that page was stored; try again later."));
          return NULL;
        }
      g_ptr_array_add (events, json_node_ref (node));
    }
  if (*has_more && events->len == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("Stripe said there were more events but listed none. "
                     "Try again later."));
      return NULL;
    }
  return g_steal_pointer (&events);
}
