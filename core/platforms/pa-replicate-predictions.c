/* pa-replicate-predictions.c — creating, reading, cancelling and listing predictions
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-private.h"
#include "pa-pager-private.h"
#include "pa-replicate.h"
#include "pa-replicate-private.h"

/* Room for Replicate to answer after holding a "Prefer: wait" request. */
#define WAIT_SLACK_S  30

/* ---- predictions: create, get, cancel ----------------------------------- */

typedef struct {
  char      *model;
  char      *version;
  JsonNode  *input;
  char      *webhook;
  GStrv      webhook_events;
  int        wait_s;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->model);
  g_free (data->version);
  g_clear_pointer (&data->input, json_node_unref);
  g_free (data->webhook);
  g_strfreev (data->webhook_events);
  g_free (data);
}

static void
prediction_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaReplicate *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  PaReplicatePrediction *prediction = NULL;
  GError *error = NULL;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json != NULL)
    prediction = pa_replicate_prediction_new_from_json (json, !pa_replicate_is_cog (self), &error);
  if (prediction == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, prediction, (GDestroyNotify) pa_replicate_prediction_free);
}

static gboolean
check_create_options (const PaReplicateCreateOptions  *options,
                      GError                         **error)
{
  static const char * const events[] = { "start", "output", "logs", "completed", NULL };

  if (options == NULL)
    return TRUE;

  if (options->wait_s != 0 && options->wait_s != PA_REPLICATE_WAIT_MAX &&
      (options->wait_s < 1 || options->wait_s > 60))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Replicate can hold a request open for 1 to 60 seconds, not %d"),
                   options->wait_s);
      return FALSE;
    }

  for (guint i = 0; options->webhook_events != NULL && options->webhook_events[i] != NULL; i++)
    {
      if (!g_strv_contains (events, options->webhook_events[i]))
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("“%s” is not a Replicate webhook event: use start, output, logs or completed"),
                       options->webhook_events[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
create_with_mode (PaReplicate *self,
                  GTask       *task)
{
  CreateData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *prefer = NULL;
  GError *error = NULL;

  if (pa_replicate_is_cog (self))
    {
      path = g_strdup ("/predictions");
    }
  else if (data->version != NULL)
    {
      path = g_strdup ("/predictions");
    }
  else
    {
      g_autofree char *owner = NULL;
      g_autofree char *name = NULL;

      if (!pa_replicate_split_model (data->model, &owner, &name, &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      path = g_strdup_printf ("/models/%s/%s/predictions", owner, name);
    }

  json_builder_begin_object (builder);
  if (!pa_replicate_is_cog (self) && data->version != NULL)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, data->version);
    }
  json_builder_set_member_name (builder, "input");
  json_builder_add_value (builder, json_node_copy (data->input));
  if (data->webhook != NULL)
    {
      json_builder_set_member_name (builder, "webhook");
      json_builder_add_string_value (builder, data->webhook);
    }
  if (data->webhook_events != NULL)
    {
      json_builder_set_member_name (builder, "webhook_events_filter");
      json_builder_begin_array (builder);
      for (guint i = 0; data->webhook_events[i] != NULL; i++)
        json_builder_add_string_value (builder, data->webhook_events[i]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  request = pa_replicate_new_request (self, "POST", path);
  pa_http_request_set_json_body (request, body);
  /* Each attempt could start (and bill) another prediction. */
  pa_http_request_set_max_attempts (request, 1);

  if (pa_replicate_is_cog (self))
    {
      pa_http_request_set_timeout (request, self->sync_timeout_s);
    }
  else if (data->wait_s != 0)
    {
      if (data->wait_s == PA_REPLICATE_WAIT_MAX)
        prefer = g_strdup ("wait");
      else
        prefer = g_strdup_printf ("wait=%d", data->wait_s);
      pa_http_request_set_header (request, "Prefer", prefer);
      pa_http_request_set_timeout (request, (data->wait_s > 0 ? data->wait_s : 60) + WAIT_SLACK_S);
    }

  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               prediction_cb, task);
}

void
pa_replicate_create_prediction_async (PaReplicate                    *self,
                                      const char                     *model,
                                      const char                     *version,
                                      JsonNode                       *input,
                                      const PaReplicateCreateOptions *options,
                                      GCancellable                   *cancellable,
                                      GAsyncReadyCallback             callback,
                                      gpointer                        user_data)
{
  GTask *task;
  CreateData *data;
  GError *error = NULL;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_create_prediction_async);

  if (input != NULL && !JSON_NODE_HOLDS_OBJECT (input))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A prediction’s input must be a JSON object of named values"));
      g_object_unref (task);
      return;
    }
  if (!check_create_options (options, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data = g_new0 (CreateData, 1);
  data->model = g_strdup (model);
  data->version = version != NULL && *version != '\0' ? g_strdup (version) : NULL;
  data->input = input != NULL ? json_node_copy (input) : json_node_init_object (json_node_alloc (),
                                                                                json_object_new ());
  if (options != NULL)
    {
      data->webhook = g_strdup (options->webhook);
      data->webhook_events = g_strdupv ((char **) options->webhook_events);
      data->wait_s = options->wait_s;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);

  pa_replicate_with_mode (self, task, create_with_mode);
}

PaReplicatePrediction *
pa_replicate_create_prediction_finish (PaReplicate   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_with_mode (PaReplicate *self,
               GTask       *task)
{
  const char *id = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *path = NULL;

  if (pa_replicate_is_cog (self))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A local Cog server answers each prediction at once and keeps "
                                 "none to look up later"));
      g_object_unref (task);
      return;
    }

  path = g_strdup_printf ("/predictions/%s", id);
  request = pa_replicate_new_request (self, "GET", path);
  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               prediction_cb, task);
}

static GTask *
prediction_task_new (PaReplicate         *self,
                     const char          *id,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!pa_replicate_check_prediction_id (id, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return NULL;
    }
  g_task_set_task_data (task, g_strdup (id), g_free);
  return task;
}

void
pa_replicate_get_prediction_async (PaReplicate         *self,
                                   const char          *id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = prediction_task_new (self, id, pa_replicate_get_prediction_async,
                              cancellable, callback, user_data);
  if (task != NULL)
    pa_replicate_with_mode (self, task, get_with_mode);
}

PaReplicatePrediction *
pa_replicate_get_prediction_finish (PaReplicate   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cancel_with_mode (PaReplicate *self,
                  GTask       *task)
{
  const char *id = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *path = g_strdup_printf ("/predictions/%s/cancel", id);

  /* Cancelling twice does no harm, but stay with the rule: POSTs once. */
  request = pa_replicate_new_request (self, "POST", path);
  pa_http_request_set_max_attempts (request, 1);
  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               prediction_cb, task);
}

void
pa_replicate_cancel_prediction_async (PaReplicate         *self,
                                      const char          *id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = prediction_task_new (self, id, pa_replicate_cancel_prediction_async,
                              cancellable, callback, user_data);
  if (task != NULL)
    pa_replicate_with_mode (self, task, cancel_with_mode);
}

PaReplicatePrediction *
pa_replicate_cancel_prediction_finish (PaReplicate   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- list --------------------------------------------------------------- */

typedef struct {
  char  *created_after;   /* ISO 8601, as the API takes it */
  guint  max_pages;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->created_after);
  g_free (data);
}

/* `next` is a full URL on Replicate's host; only its cursor is ours to
 * reuse, against whatever base URL the account has. */
static char *
cursor_from_next (const char *next)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *query;

  if (next == NULL)
    return NULL;
  uri = g_uri_parse (next, G_URI_FLAGS_ENCODED_QUERY, NULL);
  query = uri != NULL ? g_uri_get_query (uri) : NULL;
  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, "cursor"));
}

static void
list_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaPage) page = NULL;
  JsonObject *object;
  JsonArray *results;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  object = pa_json_node_get_object (json);
  results = pa_json_get_array (object, "results");
  if (results == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("Replicate’s list of predictions has no “results”"));
      return;
    }

  page = pa_page_new ((GDestroyNotify) pa_replicate_prediction_free);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      PaReplicatePrediction *prediction =
        pa_replicate_prediction_new_from_json (json_array_get_element (results, i), TRUE, &error);

      if (prediction == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (page->items, prediction);
    }
  page->next_cursor = cursor_from_next (pa_json_get_string (object, "next"));

  g_task_return_pointer (task, g_steal_pointer (&page), (GDestroyNotify) pa_page_free);
}

static void
list_page (gpointer             source_object,
           const char          *cursor,
           guint                n_items,
           gpointer             fetch_data,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  PaReplicate *self = source_object;
  ListData *data = fetch_data;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(PaHttpRequest) request = NULL;

  g_task_set_source_tag (task, list_page);
  request = pa_replicate_new_request (self, "GET", "/predictions");
  pa_http_request_add_query (request, "created_after", data->created_after);
  if (cursor != NULL)
    pa_http_request_add_query (request, "cursor", cursor);
  pa_platform_send_json_async (PA_PLATFORM (self), request, cancellable, list_page_cb, task);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GPtrArray *predictions;
  GError *error = NULL;

  predictions = pa_pager_walk_finish (result, NULL, &error);
  if (predictions == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, predictions, (GDestroyNotify) g_ptr_array_unref);
}

static void
list_with_mode (PaReplicate *self,
                GTask       *task)
{
  ListData *data = g_task_get_task_data (task);
  PaPagerWalk walk = {
    .platform = "Replicate",
    .what = "/predictions",
    .max_pages = data->max_pages,
    .free_item = (GDestroyNotify) pa_replicate_prediction_free,
    .fetch = list_page,
    .fetch_data = data,
  };

  if (pa_replicate_is_cog (self))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A local Cog server keeps no list of predictions"));
      g_object_unref (task);
      return;
    }

  pa_pager_walk_async (self, &walk, g_task_get_cancellable (task), listed_cb, task);
}

void
pa_replicate_list_predictions_async (PaReplicate         *self,
                                     GDateTime           *created_after,
                                     guint                max_pages,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GDateTime) utc = NULL;
  GTask *task;
  ListData *data;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (created_after != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_list_predictions_async);

  utc = g_date_time_to_utc (created_after);
  data = g_new0 (ListData, 1);
  data->created_after = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  data->max_pages = MAX (max_pages, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  pa_replicate_with_mode (self, task, list_with_mode);
}

GPtrArray *
pa_replicate_list_predictions_finish (PaReplicate   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
