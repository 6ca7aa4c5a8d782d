/* pa-replicate-types.c — Replicate's predictions, models and files, read from JSON
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-private.h"
#include "pa-limits.h"
#include "pa-replicate-types.h"

/* ---- statuses ----------------------------------------------------------- */

static const char * const status_names[] = {
  [PA_REPLICATE_STATUS_UNKNOWN] = "unknown",
  [PA_REPLICATE_STATUS_STARTING] = "starting",
  [PA_REPLICATE_STATUS_PROCESSING] = "processing",
  [PA_REPLICATE_STATUS_SUCCEEDED] = "succeeded",
  [PA_REPLICATE_STATUS_FAILED] = "failed",
  [PA_REPLICATE_STATUS_CANCELED] = "canceled",
  [PA_REPLICATE_STATUS_ABORTED] = "aborted",
};

PaReplicateStatus
pa_replicate_status_from_string (const char *status)
{
  if (status == NULL)
    return PA_REPLICATE_STATUS_UNKNOWN;

  for (guint i = PA_REPLICATE_STATUS_STARTING; i < G_N_ELEMENTS (status_names); i++)
    {
      if (g_ascii_strcasecmp (status, status_names[i]) == 0)
        return i;
    }
  return PA_REPLICATE_STATUS_UNKNOWN;
}

const char *
pa_replicate_status_to_string (PaReplicateStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (status_names))
    return status_names[PA_REPLICATE_STATUS_UNKNOWN];
  return status_names[status];
}

gboolean
pa_replicate_status_is_terminal (PaReplicateStatus status)
{
  return status == PA_REPLICATE_STATUS_SUCCEEDED ||
         status == PA_REPLICATE_STATUS_FAILED ||
         status == PA_REPLICATE_STATUS_CANCELED ||
         status == PA_REPLICATE_STATUS_ABORTED;
}

/* ---- JSON helpers ------------------------------------------------------- */

/* ---- predictions -------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (PaReplicatePrediction, pa_replicate_prediction,
                     pa_replicate_prediction_copy, pa_replicate_prediction_free)

PaReplicatePrediction *
pa_replicate_prediction_new (const char *id)
{
  PaReplicatePrediction *self = g_new0 (PaReplicatePrediction, 1);

  self->id = g_strdup (id);
  self->status = PA_REPLICATE_STATUS_UNKNOWN;
  self->logs = g_strdup ("");
  return self;
}

/* Files are outputs that are URLs (http, https or data:); text outputs,
 * a string or a list of tokens, are not. Counting stops past @stop_after,
 * so a list of a million URLs costs no more than one of @stop_after. */
static guint
count_output_files (JsonNode *node,
                    guint     stop_after)
{
  guint count = 0;

  if (node == NULL)
    return 0;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *value = json_node_get_string (node);

      return g_ascii_strncasecmp (value, "https://", 8) == 0 ||
             g_ascii_strncasecmp (value, "http://", 7) == 0 ||
             g_ascii_strncasecmp (value, "data:", 5) == 0;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n && count <= stop_after; i++)
        count += count_output_files (json_array_get_element (array, i), stop_after - count);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (count <= stop_after && json_object_iter_next (&iter, NULL, &member))
        count += count_output_files (member, stop_after - count);
    }

  return count;
}

PaReplicatePrediction *
pa_replicate_prediction_new_from_json (JsonNode  *node,
                                       gboolean   require_id,
                                       GError   **error)
{
  g_autoptr(PaReplicatePrediction) self = NULL;
  JsonObject *object;
  JsonObject *urls;
  JsonNode *member;
  const char *status;
  const char *id;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("Replicate sent something that is not a prediction"));
      return NULL;
    }
  object = json_node_get_object (node);

  status = pa_json_get_string (object, "status");
  id = pa_json_get_string (object, "id");
  if (status == NULL || (require_id && (id == NULL || *id == '\0')))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("Replicate sent a prediction without an id or a status"));
      return NULL;
    }

  self = pa_replicate_prediction_new (id);
  self->status = pa_replicate_status_from_string (status);
  self->status_text = g_strdup (status);
  self->model = g_strdup (pa_json_get_string (object, "model"));
  self->version = g_strdup (pa_json_get_string (object, "version"));
  self->error = g_strdup (pa_json_get_string (object, "error"));
  g_free (self->logs);
  self->logs = g_strdup (pa_json_get_string (object, "logs") != NULL ? pa_json_get_string (object, "logs") : "");

  member = json_object_get_member (object, "output");
  /* Each file is downloaded into the media folder: a prediction that
   * lists thousands would fill it. */
  if (count_output_files (member, PA_LIMIT_REPLICATE_OUTPUTS) > PA_LIMIT_REPLICATE_OUTPUTS)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("Replicate sent a prediction with more than %d output files; "
                     "PlayAlter takes at most %d"),
                   PA_LIMIT_REPLICATE_OUTPUTS, PA_LIMIT_REPLICATE_OUTPUTS);
      return NULL;
    }
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    self->output = json_node_copy (member);

  /* An error that is not a string (Cog may send an object) still counts. */
  member = json_object_get_member (object, "error");
  if (self->error == NULL && member != NULL && !JSON_NODE_HOLDS_NULL (member))
    self->error = json_to_string (member, FALSE);

  urls = pa_json_get_object (object, "urls");
  self->get_url = g_strdup (pa_json_get_string (urls, "get"));
  self->cancel_url = g_strdup (pa_json_get_string (urls, "cancel"));
  self->web_url = g_strdup (pa_json_get_string (urls, "web"));

  self->json = json_node_copy (node);
  return g_steal_pointer (&self);
}

PaReplicatePrediction *
pa_replicate_prediction_copy (const PaReplicatePrediction *self)
{
  PaReplicatePrediction *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = pa_replicate_prediction_new (self->id);
  copy->status = self->status;
  copy->status_text = g_strdup (self->status_text);
  copy->model = g_strdup (self->model);
  copy->version = g_strdup (self->version);
  copy->output = self->output != NULL ? json_node_copy (self->output) : NULL;
  copy->error = g_strdup (self->error);
  g_free (copy->logs);
  copy->logs = g_strdup (self->logs);
  copy->get_url = g_strdup (self->get_url);
  copy->cancel_url = g_strdup (self->cancel_url);
  copy->web_url = g_strdup (self->web_url);
  copy->json = self->json != NULL ? json_node_copy (self->json) : NULL;
  return copy;
}

void
pa_replicate_prediction_free (PaReplicatePrediction *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->status_text);
  g_free (self->model);
  g_free (self->version);
  g_clear_pointer (&self->output, json_node_unref);
  g_free (self->error);
  g_free (self->logs);
  g_free (self->get_url);
  g_free (self->cancel_url);
  g_free (self->web_url);
  g_clear_pointer (&self->json, json_node_unref);
  g_free (self);
}

/* ---- models ------------------------------------------------------------- */

static PaReplicateInput *
input_copy (const PaReplicateInput *input)
{
  PaReplicateInput *copy = g_new0 (PaReplicateInput, 1);

  copy->name = g_strdup (input->name);
  copy->type = g_strdup (input->type);
  copy->format = g_strdup (input->format);
  copy->title = g_strdup (input->title);
  copy->description = g_strdup (input->description);
  copy->required = input->required;
  copy->default_value = input->default_value != NULL ? json_node_copy (input->default_value) : NULL;
  copy->order = input->order;
  return copy;
}

static void
input_free (PaReplicateInput *input)
{
  g_free (input->name);
  g_free (input->type);
  g_free (input->format);
  g_free (input->title);
  g_free (input->description);
  g_clear_pointer (&input->default_value, json_node_unref);
  g_free (input);
}

G_DEFINE_BOXED_TYPE (PaReplicateModel, pa_replicate_model,
                     pa_replicate_model_copy, pa_replicate_model_free)

static PaReplicateModel *
model_new (void)
{
  PaReplicateModel *self = g_new0 (PaReplicateModel, 1);

  self->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_free);
  return self;
}

PaReplicateModel *
pa_replicate_model_copy (const PaReplicateModel *self)
{
  PaReplicateModel *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = model_new ();
  copy->owner = g_strdup (self->owner);
  copy->name = g_strdup (self->name);
  copy->description = g_strdup (self->description);
  copy->latest_version_id = g_strdup (self->latest_version_id);
  for (guint i = 0; i < self->inputs->len; i++)
    g_ptr_array_add (copy->inputs, input_copy (self->inputs->pdata[i]));
  copy->input_schema = self->input_schema != NULL ? json_node_copy (self->input_schema) : NULL;
  copy->json = self->json != NULL ? json_node_copy (self->json) : NULL;
  return copy;
}

void
pa_replicate_model_free (PaReplicateModel *self)
{
  if (self == NULL)
    return;

  g_free (self->owner);
  g_free (self->name);
  g_free (self->description);
  g_free (self->latest_version_id);
  g_ptr_array_unref (self->inputs);
  g_clear_pointer (&self->input_schema, json_node_unref);
  g_clear_pointer (&self->json, json_node_unref);
  g_free (self);
}

const PaReplicateInput *
pa_replicate_model_find_input (const PaReplicateModel *self,
                               const char             *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->inputs->len; i++)
    {
      const PaReplicateInput *input = self->inputs->pdata[i];

      if (g_strcmp0 (input->name, name) == 0)
        return input;
    }
  return NULL;
}

/* "#/components/schemas/X" within the same document; Cog describes enum
 * inputs that way (allOf: [{$ref: …}]). */
static JsonObject *
resolve_ref (JsonObject *document,
             JsonObject *schema)
{
  const char *ref = pa_json_get_string (schema, "$ref");
  JsonNode *all_of;

  if (ref == NULL)
    {
      all_of = json_object_get_member (schema, "allOf");
      if (all_of == NULL)
        all_of = json_object_get_member (schema, "anyOf");
      if (all_of != NULL && JSON_NODE_HOLDS_ARRAY (all_of) &&
          json_array_get_length (json_node_get_array (all_of)) > 0)
        {
          JsonNode *first = json_array_get_element (json_node_get_array (all_of), 0);

          if (JSON_NODE_HOLDS_OBJECT (first))
            ref = pa_json_get_string (json_node_get_object (first), "$ref");
        }
    }

  if (ref == NULL || !g_str_has_prefix (ref, "#/components/schemas/"))
    return NULL;

  return pa_json_get_object (pa_json_get_object (pa_json_get_object (document, "components"), "schemas"),
                     ref + strlen ("#/components/schemas/"));
}

static int
compare_inputs (gconstpointer a,
                gconstpointer b)
{
  const PaReplicateInput *ia = *(PaReplicateInput * const *) a;
  const PaReplicateInput *ib = *(PaReplicateInput * const *) b;

  if (ia->order != ib->order)
    return ia->order < ib->order ? -1 : 1;
  return g_strcmp0 (ia->name, ib->name);
}

/* Fills @model's inputs from an OpenAPI document (a version's
 * openapi_schema, or Cog's /openapi.json). */
static void
read_input_schema (PaReplicateModel *model,
                   JsonObject       *document)
{
  JsonObject *schemas = pa_json_get_object (pa_json_get_object (document, "components"), "schemas");
  JsonObject *input_schema = pa_json_get_object (schemas, "Input");
  JsonObject *props;
  JsonNode *required;
  GList *names;

  if (input_schema == NULL)
    return;

  model->input_schema = json_node_copy (json_object_get_member (schemas, "Input"));
  props = pa_json_get_object (input_schema, "properties");
  required = json_object_get_member (input_schema, "required");
  if (props == NULL)
    return;

  names = json_object_get_members (props);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonObject *property = pa_json_get_object (props, name);
      JsonObject *referenced;
      PaReplicateInput *input;
      JsonNode *default_value;
      gint64 order;

      if (property == NULL)
        continue;

      input = g_new0 (PaReplicateInput, 1);
      input->name = g_strdup (name);
      input->type = g_strdup (pa_json_get_string (property, "type"));
      if (input->type == NULL)
        {
          referenced = resolve_ref (document, property);
          input->type = g_strdup (pa_json_get_string (referenced, "type"));
        }
      input->format = g_strdup (pa_json_get_string (property, "format"));
      input->title = g_strdup (pa_json_get_string (property, "title"));
      input->description = g_strdup (pa_json_get_string (property, "description"));
      default_value = json_object_get_member (property, "default");
      if (default_value != NULL)
        input->default_value = json_node_copy (default_value);
      input->order = pa_json_get_int (property, "x-order", &order) ? (int) CLAMP (order, G_MININT, G_MAXINT - 1)
                                                          : G_MAXINT;

      if (required != NULL && JSON_NODE_HOLDS_ARRAY (required))
        {
          JsonArray *array = json_node_get_array (required);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (element) &&
                  json_node_get_value_type (element) == G_TYPE_STRING &&
                  g_strcmp0 (json_node_get_string (element), name) == 0)
                input->required = TRUE;
            }
        }

      g_ptr_array_add (model->inputs, input);
    }
  g_list_free (names);

  g_ptr_array_sort (model->inputs, compare_inputs);
}

PaReplicateModel *
pa_replicate_model_new_from_json (JsonNode  *node,
                                  gboolean   cog,
                                  GError   **error)
{
  g_autoptr(PaReplicateModel) model = NULL;
  JsonObject *object;
  JsonObject *version;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           cog ? _("The Cog server sent a schema that is not a JSON object")
                               : _("Replicate sent a model that is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  model = model_new ();
  model->json = json_node_copy (node);

  if (cog)
    {
      read_input_schema (model, object);
      return g_steal_pointer (&model);
    }

  model->owner = g_strdup (pa_json_get_string (object, "owner"));
  model->name = g_strdup (pa_json_get_string (object, "name"));
  model->description = g_strdup (pa_json_get_string (object, "description"));
  version = pa_json_get_object (object, "latest_version");
  model->latest_version_id = g_strdup (pa_json_get_string (version, "id"));
  read_input_schema (model, pa_json_get_object (version, "openapi_schema"));
  return g_steal_pointer (&model);
}

/* ---- files -------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (PaReplicateFile, pa_replicate_file,
                     pa_replicate_file_copy, pa_replicate_file_free)

PaReplicateFile *
pa_replicate_file_copy (const PaReplicateFile *self)
{
  PaReplicateFile *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaReplicateFile, 1);
  copy->id = g_strdup (self->id);
  copy->url = g_strdup (self->url);
  copy->content_type = g_strdup (self->content_type);
  copy->size = self->size;
  copy->sha256 = g_strdup (self->sha256);
  return copy;
}

PaReplicateFile *
pa_replicate_file_new_from_json (JsonNode  *node,
                                 GError   **error)
{
  g_autoptr(PaReplicateFile) file = g_new0 (PaReplicateFile, 1);
  JsonObject *object = pa_json_node_get_object (node);
  const char *sha256;
  gint64 size;

  file->id = g_strdup (pa_json_get_string (object, "id"));
  file->url = g_strdup (pa_json_get_string (pa_json_get_object (object, "urls"), "get"));
  file->content_type = g_strdup (pa_json_get_string (object, "content_type"));
  file->size = pa_json_get_int (object, "size", &size) ? size : -1;
  sha256 = pa_json_get_string (pa_json_get_object (object, "checksums"), "sha256");
  if (sha256 != NULL && *sha256 != '\0')
    file->sha256 = g_ascii_strdown (sha256, -1);

  if (file->id == NULL || file->url == NULL)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("Replicate sent a file without an id or a URL"));
      return NULL;
    }
  return g_steal_pointer (&file);
}

void
pa_replicate_file_free (PaReplicateFile *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->url);
  g_free (self->content_type);
  g_free (self->sha256);
  g_free (self);
}
