/* pa-workflow-parse.c — reading a workflow definition from JSON: the
 * document, its inputs and its steps, each problem reported with its
 * JSON path; pa-workflow-check.c then checks the steps as a whole
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-limits.h"
#include "pa-template.h"
#include "pa-workflow.h"
#include "pa-workflow-private.h"

static const char * const input_type_names[] = { "string", "number", "file", "boolean" };

const char *
pa_workflow_input_type_to_string (PaWorkflowInputType type)
{
  g_return_val_if_fail (type <= PA_WORKFLOW_INPUT_BOOLEAN, NULL);
  return input_type_names[type];
}

/* ---- problems ---- */

void
pa_workflow_problem (GPtrArray  *problems,
                     const char *path,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (problems, g_strdup_printf ("%s: %s", path, message));
}

gboolean
pa_workflow_report (GPtrArray  *problems,
                    GError    **error)
{
  g_autoptr(GString) message = NULL;

  if (problems->len == 0)
    return TRUE;
  message = g_string_new (NULL);
  for (guint i = 0; i < problems->len; i++)
    {
      if (i > 0)
        g_string_append_c (message, '\n');
      g_string_append (message, g_ptr_array_index (problems, i));
    }
  g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, message->str);
  return FALSE;
}

const char *
pa_workflow_node_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("an array");
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return _("a string");
    case G_TYPE_BOOLEAN:
      return _("a boolean");
    default:
      return _("a number");
    }
}

static gboolean
is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 ||
          json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_boolean (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static void
check_fields (JsonObject        *object,
              const char        *path,
              const char * const *allowed,
              GPtrArray         *problems)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  /* json-glib 1.6 needs both out arguments of the iterator. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (!g_strv_contains (allowed, name))
      {
        g_autofree char *member_path = *path != '\0' ? g_strdup_printf ("%s.%s", path, name)
                                                     : g_strdup (name);
        g_autofree char *list = g_strjoinv (", ", (char **) allowed);

        pa_workflow_problem (problems, member_path, _("unknown field; expected one of %s"), list);
      }
}

/* The string member @name of @object, or NULL with a problem unless it is
 * absent and optional. */
static const char *
get_string (JsonObject *object,
            const char *path,
            const char *name,
            gboolean    required,
            GPtrArray  *problems)
{
  g_autofree char *member = g_strdup_printf ("%s%s%s", path, *path != '\0' ? "." : "", name);
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      if (required)
        pa_workflow_problem (problems, member, _("missing; it must be a string"));
      return NULL;
    }
  if (!is_string (node) || *json_node_get_string (node) == '\0')
    {
      pa_workflow_problem (problems, member, _("must be a non-empty string, not %s"),
                           is_string (node) ? _("an empty string") : pa_workflow_node_kind (node));
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
is_identifier (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* ---- inputs ---- */

gboolean
pa_workflow_value_has_input_type (JsonNode            *node,
                                  PaWorkflowInputType  type)
{
  switch (type)
    {
    case PA_WORKFLOW_INPUT_STRING:
    case PA_WORKFLOW_INPUT_FILE:
      return is_string (node);
    case PA_WORKFLOW_INPUT_NUMBER:
      return is_number (node);
    case PA_WORKFLOW_INPUT_BOOLEAN:
      return is_boolean (node);
    default:
      return FALSE;
    }
}

static void
parse_inputs (PaWorkflow *self,
              JsonNode   *node,
              GPtrArray  *problems)
{
  static const char * const fields[] = { "type", "required", "default", "description", NULL };
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      pa_workflow_problem (problems, "inputs",
                           _("must be an object of name → {\"type\": …}, not %s"),
                           pa_workflow_node_kind (node));
      return;
    }

  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      g_autofree char *path = g_strdup_printf ("inputs.%s", name);
      g_autofree char *type_path = g_strdup_printf ("%s.type", path);
      PaWorkflowInput *input;
      JsonObject *object;
      JsonNode *required;
      const char *type;
      gboolean type_ok = FALSE;

      if (!is_identifier (name))
        pa_workflow_problem (problems, path,
                             _("an input name may hold only letters, digits, “_” and “-”"));
      if (!JSON_NODE_HOLDS_OBJECT (member))
        {
          pa_workflow_problem (problems, path,
                               _("must be an object like {\"type\": \"string\"}, not %s"),
                               pa_workflow_node_kind (member));
          continue;
        }
      object = json_node_get_object (member);
      check_fields (object, path, fields, problems);

      input = g_new0 (PaWorkflowInput, 1);
      input->name = g_strdup (name);
      g_ptr_array_add (self->inputs, input);

      type = get_string (object, path, "type", TRUE, problems);
      for (guint i = 0; type != NULL && i < G_N_ELEMENTS (input_type_names); i++)
        if (g_str_equal (type, input_type_names[i]))
          {
            input->type = i;
            type_ok = TRUE;
          }
      if (type != NULL && !type_ok)
        pa_workflow_problem (problems, type_path,
                             _("unknown type “%s”; expected string, number, file or boolean"), type);

      if (json_object_has_member (object, "default"))
        {
          JsonNode *value = json_object_get_member (object, "default");

          if (type_ok && !pa_workflow_value_has_input_type (value, input->type))
            {
              g_autofree char *default_path = g_strdup_printf ("%s.default", path);

              pa_workflow_problem (problems, default_path, _("is %s, but the input is a %s"),
                                   pa_workflow_node_kind (value), type);
            }
          input->default_value = json_node_copy (value);
        }

      required = json_object_get_member (object, "required");
      if (required != NULL && !is_boolean (required))
        {
          g_autofree char *required_path = g_strdup_printf ("%s.required", path);

          pa_workflow_problem (problems, required_path, _("must be true or false, not %s"),
                               pa_workflow_node_kind (required));
        }
      else if (required != NULL)
        input->required = json_node_get_boolean (required);
      else
        input->required = input->default_value == NULL;

      if (json_object_has_member (object, "description"))
        input->description = g_strdup (get_string (object, path, "description", FALSE, problems));
    }
}

/* ---- steps ---- */

static const PaActionInfo *
lookup_action (PaActionRegistry *registry,
               const char       *name,
               const char       *path,
               GPtrArray        *problems)
{
  const PaActionInfo *info;

  if (name == NULL)
    return NULL;
  info = pa_action_registry_lookup (registry, name);
  if (info == NULL)
    pa_workflow_problem (problems, path, _("unknown action “%s”"), name);
  return info;
}

static void
parse_retry (PaWorkflowStep *step,
             JsonNode       *node,
             const char     *path,
             GPtrArray      *problems)
{
  static const char * const fields[] = { "max_attempts", "backoff_s", NULL };
  JsonObject *object;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      pa_workflow_problem (problems, path,
                           _("must be an object like {\"max_attempts\": 3, \"backoff_s\": 2}, not %s"),
                           pa_workflow_node_kind (node));
      return;
    }
  object = json_node_get_object (node);
  check_fields (object, path, fields, problems);

  value = json_object_get_member (object, "max_attempts");
  if (value != NULL)
    {
      g_autofree char *member = g_strdup_printf ("%s.max_attempts", path);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
          json_node_get_int (value) < 1 || json_node_get_int (value) > 100)
        pa_workflow_problem (problems, member, _("must be a whole number from 1 to 100"));
      else
        step->max_attempts = json_node_get_int (value);
    }

  value = json_object_get_member (object, "backoff_s");
  if (value != NULL)
    {
      g_autofree char *member = g_strdup_printf ("%s.backoff_s", path);

      if (!is_number (value) || json_node_get_double (value) < 0 ||
          json_node_get_double (value) > 86400)
        pa_workflow_problem (problems, member, _("must be a number of seconds from 0 to 86400"));
      else
        step->backoff_s = json_node_get_double (value);
    }
}

static void
parse_compensate (PaWorkflowStep   *step,
                  JsonNode         *node,
                  const char       *path,
                  PaActionRegistry *registry,
                  GPtrArray        *problems)
{
  static const char * const fields[] = { "uses", "with", NULL };
  g_autofree char *uses_path = g_strdup_printf ("%s.uses", path);
  JsonObject *object;
  JsonNode *with;
  const char *uses;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      pa_workflow_problem (problems, path,
                           _("must be an object like {\"uses\": \"stripe.refund\"}, not %s"),
                           pa_workflow_node_kind (node));
      return;
    }
  object = json_node_get_object (node);
  check_fields (object, path, fields, problems);

  uses = get_string (object, path, "uses", TRUE, problems);
  if (lookup_action (registry, uses, uses_path, problems) != NULL)
    step->compensate_uses = g_strdup (uses);

  with = json_object_get_member (object, "with");
  if (with != NULL && !JSON_NODE_HOLDS_OBJECT (with))
    {
      g_autofree char *with_path = g_strdup_printf ("%s.with", path);

      pa_workflow_problem (problems, with_path,
                           _("must be an object, not %s"), pa_workflow_node_kind (with));
    }
  else if (with != NULL)
    step->compensate_with = json_node_copy (with);
}

static PaWorkflowStep *
parse_step (JsonNode         *node,
            const char       *path,
            PaActionRegistry *registry,
            GPtrArray        *problems)
{
  static const char * const fields[] = {
    "id", "uses", "with", "needs", "retry", "timeout_s", "compensate", NULL
  };
  PaWorkflowStep *step;
  JsonObject *object;
  JsonNode *member;
  const char *id;
  const char *uses;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      pa_workflow_problem (problems, path,
                           _("a step must be an object, not %s"), pa_workflow_node_kind (node));
      return NULL;
    }
  object = json_node_get_object (node);
  check_fields (object, path, fields, problems);

  step = g_new0 (PaWorkflowStep, 1);
  step->max_attempts = 1;

  id = get_string (object, path, "id", TRUE, problems);
  if (id != NULL && !is_identifier (id))
    {
      g_autofree char *id_path = g_strdup_printf ("%s.id", path);

      pa_workflow_problem (problems, id_path,
                           _("“%s”: an id may hold only letters, digits, “_” and “-”"), id);
    }
  else
    step->id = g_strdup (id);

  uses = get_string (object, path, "uses", TRUE, problems);
  if (uses != NULL)
    {
      g_autofree char *uses_path = g_strdup_printf ("%s.uses", path);

      if (lookup_action (registry, uses, uses_path, problems) != NULL)
        step->uses = g_strdup (uses);
    }

  member = json_object_get_member (object, "with");
  if (member != NULL && !JSON_NODE_HOLDS_OBJECT (member))
    {
      g_autofree char *with_path = g_strdup_printf ("%s.with", path);

      pa_workflow_problem (problems, with_path,
                           _("must be an object of arguments, not %s"),
                           pa_workflow_node_kind (member));
    }
  else if (member != NULL)
    step->with = json_node_copy (member);
  else
    {
      /* json_node_init_object() would add a reference of its own. */
      step->with = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (step->with, json_object_new ());
    }
  /* A with that is not an object stays NULL: its arguments are not
   * checked, so the one mistake gives one message. */

  member = json_object_get_member (object, "needs");
  if (member != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_autofree char *needs_path = g_strdup_printf ("%s.needs", path);

      if (!JSON_NODE_HOLDS_ARRAY (member))
        pa_workflow_problem (problems, needs_path,
                             _("must be an array of step ids, not %s"),
                             pa_workflow_node_kind (member));
      else
        {
          JsonArray *array = json_node_get_array (member);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (!is_string (element))
                {
                  g_autofree char *element_path = g_strdup_printf ("%s[%u]", needs_path, i);

                  pa_workflow_problem (problems, element_path,
                                       _("must be a step id, not %s"),
                                       pa_workflow_node_kind (element));
                }
              else
                g_strv_builder_add (builder, json_node_get_string (element));
            }
        }
      step->needs = g_strv_builder_end (builder);
    }
  if (step->needs == NULL)
    step->needs = g_new0 (char *, 1);

  member = json_object_get_member (object, "retry");
  if (member != NULL)
    {
      g_autofree char *retry_path = g_strdup_printf ("%s.retry", path);

      parse_retry (step, member, retry_path, problems);
    }

  member = json_object_get_member (object, "timeout_s");
  if (member != NULL)
    {
      g_autofree char *timeout_path = g_strdup_printf ("%s.timeout_s", path);

      if (!is_number (member) || json_node_get_double (member) <= 0)
        pa_workflow_problem (problems, timeout_path, _("must be a number of seconds above 0"));
      else
        step->timeout_s = json_node_get_double (member);
    }

  member = json_object_get_member (object, "compensate");
  if (member != NULL)
    {
      g_autofree char *compensate_path = g_strdup_printf ("%s.compensate", path);

      parse_compensate (step, member, compensate_path, registry, problems);
    }

  return step;
}

/* ---- loading ---- */

int
pa_workflow_step_index (PaWorkflow     *self,
                        PaWorkflowStep *step)
{
  guint index = 0;

  g_ptr_array_find (self->steps, step, &index);
  return index;
}


static void
parse_root (PaWorkflow       *self,
            JsonNode         *root,
            PaActionRegistry *registry,
            GPtrArray        *problems)
{
  static const char * const fields[] = { "name", "description", "inputs", "steps", NULL };
  JsonObject *object;
  JsonNode *member;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      pa_workflow_problem (problems, "(definition)", _("a workflow must be a JSON object, not %s"),
                           root != NULL ? pa_workflow_node_kind (root) : _("empty text"));
      return;
    }
  object = json_node_get_object (root);
  check_fields (object, "", fields, problems);

  self->name = g_strdup (get_string (object, "", "name", TRUE, problems));
  if (json_object_has_member (object, "description"))
    self->description = g_strdup (get_string (object, "", "description", FALSE, problems));

  member = json_object_get_member (object, "inputs");
  if (member != NULL)
    parse_inputs (self, member, problems);

  member = json_object_get_member (object, "steps");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member) ||
      json_array_get_length (json_node_get_array (member)) == 0)
    {
      pa_workflow_problem (problems, "steps", _("must be an array of at least one step, not %s"),
                           member == NULL ? _("missing")
                           : JSON_NODE_HOLDS_ARRAY (member) ? _("empty")
                           : pa_workflow_node_kind (member));
      return;
    }
  /* Checked before any step is looked at: the checks that follow grow
   * with the square of the number of steps. */
  if (json_array_get_length (json_node_get_array (member)) > PA_LIMIT_WORKFLOW_STEPS)
    {
      pa_workflow_problem (problems, "steps",
                           g_dngettext (GETTEXT_PACKAGE,
                                        "has %u step; a workflow may have at most %d",
                                        "has %u steps; a workflow may have at most %d",
                                        json_array_get_length (json_node_get_array (member))),
                           json_array_get_length (json_node_get_array (member)),
                           PA_LIMIT_WORKFLOW_STEPS);
      return;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (member)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (member), i);
      g_autofree char *path = g_strdup_printf ("steps[%u]", i);
      PaWorkflowStep *step = parse_step (element, path, registry, problems);
      PaWorkflowStep *other;

      if (step == NULL)
        continue;
      g_ptr_array_add (self->steps, step);
      if (step->id == NULL)
        continue;
      other = g_hash_table_lookup (self->steps_by_id, step->id);
      if (other != NULL)
        {
          g_autofree char *id_path = g_strdup_printf ("steps[%u].id", i);

          pa_workflow_problem (problems, id_path,
                               _("duplicate step id “%s”, also used by steps[%d]"),
                               step->id, pa_workflow_step_index (self, other));
        }
      else
        g_hash_table_insert (self->steps_by_id, step->id, step);
    }

  pa_workflow_check_steps (self, registry, problems);
}

/* json-glib reports "<data>:LINE:COL: Parse error: WHAT"; users want
 * "line LINE, column COL: WHAT". */
static char *
describe_syntax_error (const char *message)
{
  const char *p = strstr (message, ">:");
  char *end = NULL;
  guint64 line;
  guint64 column;

  if (p == NULL)
    return g_strdup (message);
  line = g_ascii_strtoull (p + 2, &end, 10);
  if (end == p + 2 || *end != ':')
    return g_strdup (message);
  p = end + 1;
  column = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != ':')
    return g_strdup (message);
  p = end + 1;
  while (*p == ' ')
    p++;
  if (g_str_has_prefix (p, "Parse error: "))
    p += strlen ("Parse error: ");
  /* Not G_GUINT64_FORMAT: a macro in the middle of a message hides it
   * from xgettext. */
  return g_strdup_printf (_("line %u, column %u: %s"), (guint) line, (guint) column, p);
}

PaWorkflow *
pa_workflow_new_from_data (const char        *json,
                           gssize             len,
                           PaActionRegistry  *registry,
                           GError           **error)
{
  g_autoptr(PaWorkflow) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (PA_IS_ACTION_REGISTRY (registry), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = (gssize) strnlen (json, PA_LIMIT_WORKFLOW_FILE_BYTES + 1);
  /* The shared bound (size, UTF-8, depth) first; json-glib's own errors
   * are then rewritten below to name the line and column. */
  if (!pa_json_check_bounds (json, (gsize) len, PA_LIMIT_WORKFLOW_FILE_BYTES,
                             PA_ERROR_INVALID_INPUT, _("The workflow"), error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, len, &local_error))
    {
      g_autofree char *message = describe_syntax_error (local_error->message);

      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The workflow is not valid JSON: %s"), message);
      return NULL;
    }

  self = g_object_new (PA_TYPE_WORKFLOW, NULL);
  problems = g_ptr_array_new_with_free_func (g_free);
  parse_root (self, json_parser_get_root (parser), registry, problems);
  if (!pa_workflow_report (problems, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Reads at most PA_LIMIT_WORKFLOW_FILE_BYTES + 1 bytes: enough to know
 * the file is too large without reading all of it (it may be /dev/zero). */
static char *
read_bounded (const char  *path,
              gsize       *length,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree char *buffer = NULL;
  gsize n_read = 0;

  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return NULL;
  buffer = g_malloc (PA_LIMIT_WORKFLOW_FILE_BYTES + 2);
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), buffer, PA_LIMIT_WORKFLOW_FILE_BYTES + 1,
                                &n_read, NULL, error))
    return NULL;
  buffer[n_read] = '\0';
  *length = n_read;
  return g_steal_pointer (&buffer);
}

PaWorkflow *
pa_workflow_new_from_file (const char        *path,
                           PaActionRegistry  *registry,
                           GError           **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  PaWorkflow *self;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = read_bounded (path, &length, &local_error);
  if (contents == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("Could not read the workflow: %s"), local_error->message);
      return NULL;
    }
  self = pa_workflow_new_from_data (contents, length, registry, error);
  if (self == NULL && error != NULL && *error != NULL)
    g_prefix_error (error, "%s:\n", path);
  return self;
}
