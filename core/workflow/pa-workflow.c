/* pa-workflow.c — a validated workflow definition
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
#include "pa-template.h"
#include "pa-workflow.h"

struct _PaWorkflow
{
  GObject     parent_instance;

  char       *name;
  char       *description;
  GPtrArray  *inputs;        /* PaWorkflowInput */
  GPtrArray  *steps;         /* PaWorkflowStep */
  GHashTable *steps_by_id;   /* id → PaWorkflowStep, borrowed */
  GPtrArray  *order;         /* PaWorkflowStep, borrowed */
};

G_DEFINE_FINAL_TYPE (PaWorkflow, pa_workflow, G_TYPE_OBJECT)

static const char * const input_type_names[] = { "string", "number", "file", "boolean" };

const char *
pa_workflow_input_type_to_string (PaWorkflowInputType type)
{
  g_return_val_if_fail (type <= PA_WORKFLOW_INPUT_BOOLEAN, NULL);
  return input_type_names[type];
}

static void
input_free (gpointer data)
{
  PaWorkflowInput *input = data;

  g_free (input->name);
  g_clear_pointer (&input->default_value, json_node_unref);
  g_free (input->description);
  g_free (input);
}

static void
step_free (gpointer data)
{
  PaWorkflowStep *step = data;

  g_free (step->id);
  g_free (step->uses);
  g_clear_pointer (&step->with, json_node_unref);
  g_strfreev (step->needs);
  g_free (step->compensate_uses);
  g_clear_pointer (&step->compensate_with, json_node_unref);
  g_free (step);
}

static void
pa_workflow_finalize (GObject *object)
{
  PaWorkflow *self = PA_WORKFLOW (object);

  g_free (self->name);
  g_free (self->description);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->steps_by_id, g_hash_table_unref);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->inputs, g_ptr_array_unref);

  G_OBJECT_CLASS (pa_workflow_parent_class)->finalize (object);
}

static void
pa_workflow_class_init (PaWorkflowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_workflow_finalize;
}

static void
pa_workflow_init (PaWorkflow *self)
{
  self->inputs = g_ptr_array_new_with_free_func (input_free);
  self->steps = g_ptr_array_new_with_free_func (step_free);
  self->steps_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->order = g_ptr_array_new ();
}

/* ---- problems ---- */

G_GNUC_PRINTF (3, 4)
static void
problem (GPtrArray  *problems,
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

static gboolean
report (GPtrArray  *problems,
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

static const char *
node_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "a number";
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

        problem (problems, member_path, _("unknown field; expected one of %s"), list);
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
        problem (problems, member, _("missing; it must be a string"));
      return NULL;
    }
  if (!is_string (node) || *json_node_get_string (node) == '\0')
    {
      problem (problems, member, _("must be a non-empty string, not %s"),
               is_string (node) ? _("an empty string") : node_kind (node));
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

static gboolean
value_has_input_type (JsonNode            *node,
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
      problem (problems, "inputs", _("must be an object of name → {\"type\": …}, not %s"),
               node_kind (node));
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
        problem (problems, path, _("an input name may hold only letters, digits, “_” and “-”"));
      if (!JSON_NODE_HOLDS_OBJECT (member))
        {
          problem (problems, path, _("must be an object like {\"type\": \"string\"}, not %s"),
                   node_kind (member));
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
        problem (problems, type_path,
                 _("unknown type “%s”; expected string, number, file or boolean"), type);

      if (json_object_has_member (object, "default"))
        {
          JsonNode *value = json_object_get_member (object, "default");

          if (type_ok && !value_has_input_type (value, input->type))
            {
              g_autofree char *default_path = g_strdup_printf ("%s.default", path);

              problem (problems, default_path, _("is %s, but the input is a %s"),
                       node_kind (value), type);
            }
          input->default_value = json_node_copy (value);
        }

      required = json_object_get_member (object, "required");
      if (required != NULL && !is_boolean (required))
        {
          g_autofree char *required_path = g_strdup_printf ("%s.required", path);

          problem (problems, required_path, _("must be true or false, not %s"),
                   node_kind (required));
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
    problem (problems, path, _("unknown action “%s”"), name);
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
      problem (problems, path, _("must be an object like {\"max_attempts\": 3, \"backoff_s\": 2}, not %s"),
               node_kind (node));
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
        problem (problems, member, _("must be a whole number from 1 to 100"));
      else
        step->max_attempts = json_node_get_int (value);
    }

  value = json_object_get_member (object, "backoff_s");
  if (value != NULL)
    {
      g_autofree char *member = g_strdup_printf ("%s.backoff_s", path);

      if (!is_number (value) || json_node_get_double (value) < 0 ||
          json_node_get_double (value) > 86400)
        problem (problems, member, _("must be a number of seconds from 0 to 86400"));
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
      problem (problems, path, _("must be an object like {\"uses\": \"stripe.refund\"}, not %s"),
               node_kind (node));
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

      problem (problems, with_path, _("must be an object, not %s"), node_kind (with));
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
      problem (problems, path, _("a step must be an object, not %s"), node_kind (node));
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

      problem (problems, id_path, _("“%s”: an id may hold only letters, digits, “_” and “-”"), id);
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

      problem (problems, with_path, _("must be an object of arguments, not %s"), node_kind (member));
    }
  else if (member != NULL)
    step->with = json_node_copy (member);
  else
    step->with = json_node_init_object (json_node_alloc (), json_object_new ());
  /* A with that is not an object stays NULL: its arguments are not
   * checked, so the one mistake gives one message. */

  member = json_object_get_member (object, "needs");
  if (member != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_autofree char *needs_path = g_strdup_printf ("%s.needs", path);

      if (!JSON_NODE_HOLDS_ARRAY (member))
        problem (problems, needs_path, _("must be an array of step ids, not %s"), node_kind (member));
      else
        {
          JsonArray *array = json_node_get_array (member);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (!is_string (element))
                {
                  g_autofree char *element_path = g_strdup_printf ("%s[%u]", needs_path, i);

                  problem (problems, element_path, _("must be a step id, not %s"), node_kind (element));
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
        problem (problems, timeout_path, _("must be a number of seconds above 0"));
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

/* ---- the graph ---- */

static int
step_index (PaWorkflow     *self,
            PaWorkflowStep *step)
{
  guint index = 0;

  g_ptr_array_find (self->steps, step, &index);
  return index;
}

/* Depth-first search for a cycle through needs; fills @stack with the
 * ids on it when one is found. */
static gboolean
find_cycle (PaWorkflow     *self,
            PaWorkflowStep *step,
            GHashTable     *state,       /* step → 1 visiting, 2 done */
            GPtrArray      *stack)
{
  int mark = GPOINTER_TO_INT (g_hash_table_lookup (state, step));

  if (mark == 2)
    return FALSE;
  if (mark == 1)
    {
      g_ptr_array_add (stack, step);
      return TRUE;
    }
  g_hash_table_insert (state, step, GINT_TO_POINTER (1));
  g_ptr_array_add (stack, step);
  for (guint i = 0; step->needs[i] != NULL; i++)
    {
      PaWorkflowStep *need = g_hash_table_lookup (self->steps_by_id, step->needs[i]);

      if (need != NULL && find_cycle (self, need, state, stack))
        return TRUE;
    }
  g_ptr_array_remove_index (stack, stack->len - 1);
  g_hash_table_insert (state, step, GINT_TO_POINTER (2));
  return FALSE;
}

static gboolean
check_cycles (PaWorkflow *self,
              GPtrArray  *problems)
{
  g_autoptr(GHashTable) state = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < self->steps->len; i++)
    {
      g_autoptr(GPtrArray) stack = g_ptr_array_new ();

      if (find_cycle (self, g_ptr_array_index (self->steps, i), state, stack))
        {
          PaWorkflowStep *last = g_ptr_array_index (stack, stack->len - 1);
          g_autoptr(GString) names = g_string_new (NULL);
          g_autofree char *path = NULL;
          guint start = 0;

          /* The stack holds the path into the cycle; the cycle starts
           * where its last step first appears. */
          while (g_ptr_array_index (stack, start) != last)
            start++;
          for (guint j = start; j < stack->len; j++)
            {
              PaWorkflowStep *step = g_ptr_array_index (stack, j);

              g_string_append_printf (names, "%s%s", j > start ? " → " : "", step->id);
            }
          path = g_strdup_printf ("steps[%d].needs", step_index (self, last));
          problem (problems, path, _("cycle in needs: %s"), names->str);
          return FALSE;
        }
    }
  return TRUE;
}

/* Kahn's algorithm, taking ready steps in file order. */
static void
compute_order (PaWorkflow *self)
{
  g_autoptr(GHashTable) placed = g_hash_table_new (NULL, NULL);

  while (self->order->len < self->steps->len)
    {
      gboolean progress = FALSE;

      for (guint i = 0; i < self->steps->len; i++)
        {
          PaWorkflowStep *step = g_ptr_array_index (self->steps, i);
          gboolean ready = TRUE;

          if (g_hash_table_contains (placed, step))
            continue;
          for (guint j = 0; ready && step->needs[j] != NULL; j++)
            ready = g_hash_table_contains (placed, g_hash_table_lookup (self->steps_by_id,
                                                                        step->needs[j]));
          if (ready)
            {
              g_ptr_array_add (self->order, step);
              g_hash_table_add (placed, step);
              progress = TRUE;
              break;
            }
        }
      g_return_if_fail (progress);
    }
}

/* step id → GHashTable set of the ids of every step it needs, directly or
 * not. Needs a valid order. */
static GHashTable *
compute_upstream (PaWorkflow *self)
{
  GHashTable *upstream = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) g_hash_table_unref);

  for (guint i = 0; i < self->order->len; i++)
    {
      PaWorkflowStep *step = g_ptr_array_index (self->order, i);
      GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint j = 0; step->needs[j] != NULL; j++)
        {
          GHashTable *above = g_hash_table_lookup (upstream, step->needs[j]);
          GHashTableIter iter;
          gpointer id;

          g_hash_table_add (set, step->needs[j]);
          g_hash_table_iter_init (&iter, above);
          while (g_hash_table_iter_next (&iter, &id, NULL))
            g_hash_table_add (set, id);
        }
      g_hash_table_insert (upstream, step->id, set);
    }
  return upstream;
}

/* ---- references and arguments ---- */

static void
check_refs (PaWorkflow     *self,
            PaWorkflowStep *step,
            JsonNode       *with,
            const char     *path,
            GHashTable     *upstream,     /* may be NULL after a cycle */
            gboolean        allow_self,
            GPtrArray      *problems)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, json_node_get_object (with));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      g_autofree char *member_path = g_strdup_printf ("%s.%s", path, name);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) refs = pa_template_collect_refs (member, &local_error);

      if (refs == NULL)
        {
          problem (problems, member_path, "%s", local_error->message);
          continue;
        }
      for (guint i = 0; i < refs->len; i++)
        {
          PaTemplateRef *ref = g_ptr_array_index (refs, i);
          GHashTable *above;

          if (ref->kind == PA_TEMPLATE_REF_INPUTS)
            {
              if (pa_workflow_lookup_input (self, ref->name) == NULL)
                problem (problems, member_path, _("{{%s}}: there is no input named “%s”"),
                         ref->expression, ref->name);
              continue;
            }
          if (!g_hash_table_contains (self->steps_by_id, ref->name))
            problem (problems, member_path, _("{{%s}}: there is no step with id “%s”"),
                     ref->expression, ref->name);
          else if (g_strcmp0 (ref->name, step->id) == 0)
            {
              if (!allow_self)
                problem (problems, member_path, _("{{%s}}: a step cannot use its own output"),
                         ref->expression);
            }
          else if (upstream != NULL && step->id != NULL &&
                   (above = g_hash_table_lookup (upstream, step->id)) != NULL &&
                   !g_hash_table_contains (above, ref->name))
            problem (problems, member_path,
                     _("{{%s}}: step “%s” is not in the needs of step “%s”; add it to needs"),
                     ref->expression, ref->name, step->id);
        }
    }
}

static const PaActionArg *
find_arg (const PaActionInfo *info,
          const char         *name)
{
  for (const PaActionArg *arg = info->args; arg != NULL && arg->name != NULL; arg++)
    if (g_str_equal (arg->name, name))
      return arg;
  return NULL;
}

/* A value of @type standing for an expression whose value is only known
 * when the step runs. */
static JsonNode *
placeholder (PaArgType type)
{
  JsonNode *node = json_node_alloc ();

  switch (type)
    {
    case PA_ARG_NUMBER:
    case PA_ARG_INTEGER:
      return json_node_init_int (node, 0);
    case PA_ARG_BOOLEAN:
      return json_node_init_boolean (node, FALSE);
    case PA_ARG_OBJECT:
      return json_node_init_object (node, json_object_new ());
    case PA_ARG_ARRAY:
      return json_node_init_array (node, json_array_new ());
    case PA_ARG_ANY:
    case PA_ARG_STRING:
    case PA_ARG_FILE:
    default:
      return json_node_init_string (node, "placeholder");
    }
}

static void
check_args (const PaActionInfo *info,
            JsonNode           *with,
            const char         *path,
            GPtrArray          *problems)
{
  g_autoptr(JsonObject) checked = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, json_node_get_object (with));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      const PaActionArg *arg = find_arg (info, name);
      g_autoptr(GPtrArray) refs = NULL;

      /* Only a string that is one whole expression can take any type;
       * text around an expression always makes a string. */
      if (arg != NULL && is_string (member) &&
          pa_template_has_expression (json_node_get_string (member)) &&
          (refs = pa_template_collect_refs (member, NULL)) != NULL &&
          refs->len == 1 && ((PaTemplateRef *) refs->pdata[0])->whole)
        json_object_set_member (checked, name, placeholder (arg->type));
      else
        json_object_set_member (checked, name, json_node_copy (member));
    }

  if (!pa_action_check_args (info, checked, path, &local_error))
    g_ptr_array_add (problems, g_strdup (local_error->message));
}

static void
check_steps (PaWorkflow       *self,
             PaActionRegistry *registry,
             GPtrArray        *problems)
{
  g_autoptr(GHashTable) upstream = NULL;

  for (guint i = 0; i < self->steps->len; i++)
    {
      PaWorkflowStep *step = g_ptr_array_index (self->steps, i);

      for (guint j = 0; step->needs[j] != NULL; j++)
        if (!g_hash_table_contains (self->steps_by_id, step->needs[j]))
          {
            g_autofree char *path = g_strdup_printf ("steps[%u].needs[%u]", i, j);

            problem (problems, path, _("there is no step with id “%s”"), step->needs[j]);
          }
    }

  /* Order and upstream sets only make sense on a complete acyclic graph. */
  if (problems->len == 0 && check_cycles (self, problems))
    {
      compute_order (self);
      upstream = compute_upstream (self);
    }

  for (guint i = 0; i < self->steps->len; i++)
    {
      PaWorkflowStep *step = g_ptr_array_index (self->steps, i);
      g_autofree char *with_path = g_strdup_printf ("steps[%u].with", i);
      g_autofree char *compensate_path = g_strdup_printf ("steps[%u].compensate.with", i);

      if (step->with == NULL)
        continue;
      check_refs (self, step, step->with, with_path, upstream, FALSE, problems);
      if (step->uses != NULL)
        check_args (pa_action_registry_lookup (registry, step->uses), step->with, with_path,
                    problems);
      if (step->compensate_with != NULL)
        {
          check_refs (self, step, step->compensate_with, compensate_path, upstream, TRUE,
                      problems);
          if (step->compensate_uses != NULL)
            check_args (pa_action_registry_lookup (registry, step->compensate_uses),
                        step->compensate_with, compensate_path, problems);
        }
    }
}

/* ---- loading ---- */

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
      problem (problems, "(definition)", _("a workflow must be a JSON object, not %s"),
               root != NULL ? node_kind (root) : _("empty text"));
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
      problem (problems, "steps", _("must be an array of at least one step, not %s"),
               member == NULL ? _("missing") : JSON_NODE_HOLDS_ARRAY (member) ? _("empty")
                                                                              : node_kind (member));
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

          problem (problems, id_path, _("duplicate step id “%s”, also used by steps[%d]"),
                   step->id, step_index (self, other));
        }
      else
        g_hash_table_insert (self->steps_by_id, step->id, step);
    }

  check_steps (self, registry, problems);
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
  if (!report (problems, error))
    return NULL;
  return g_steal_pointer (&self);
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

  if (!g_file_get_contents (path, &contents, &length, &local_error))
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

/* ---- getters ---- */

const char *
pa_workflow_get_name (PaWorkflow *self)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);
  return self->name;
}

guint
pa_workflow_get_n_inputs (PaWorkflow *self)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), 0);
  return self->inputs->len;
}

const PaWorkflowInput *
pa_workflow_get_input (PaWorkflow *self,
                       guint       index)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);
  g_return_val_if_fail (index < self->inputs->len, NULL);
  return g_ptr_array_index (self->inputs, index);
}

const PaWorkflowInput *
pa_workflow_lookup_input (PaWorkflow *self,
                          const char *name)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);

  for (guint i = 0; i < self->inputs->len; i++)
    {
      PaWorkflowInput *input = g_ptr_array_index (self->inputs, i);

      if (g_strcmp0 (input->name, name) == 0)
        return input;
    }
  return NULL;
}

guint
pa_workflow_get_n_steps (PaWorkflow *self)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), 0);
  return self->steps->len;
}

const PaWorkflowStep *
pa_workflow_get_step (PaWorkflow *self,
                      guint       index)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, index);
}

const PaWorkflowStep *
pa_workflow_lookup_step (PaWorkflow *self,
                         const char *id)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  return g_hash_table_lookup (self->steps_by_id, id);
}

GPtrArray *
pa_workflow_get_order (PaWorkflow *self)
{
  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);
  return self->order;
}

/* ---- inputs for a run ---- */

static JsonNode *
coerce_input (const PaWorkflowInput  *input,
              JsonNode               *value,
              GPtrArray              *problems)
{
  g_autofree char *path = g_strdup_printf ("inputs.%s", input->name);
  const char *type = pa_workflow_input_type_to_string (input->type);
  const char *text;

  if (value_has_input_type (value, input->type))
    return json_node_copy (value);
  if (!is_string (value))
    {
      problem (problems, path, _("is %s, but the input is a %s"), node_kind (value), type);
      return NULL;
    }

  text = json_node_get_string (value);
  if (input->type == PA_WORKFLOW_INPUT_NUMBER)
    {
      gint64 integer;
      char *end = NULL;
      double number;

      if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &integer, NULL))
        return json_node_init_int (json_node_alloc (), integer);
      number = g_ascii_strtod (text, &end);
      if (*text != '\0' && end != NULL && *end == '\0' && isfinite (number))
        return json_node_init_double (json_node_alloc (), number);
      problem (problems, path, _("“%s” is not a number"), text);
      return NULL;
    }
  if (input->type == PA_WORKFLOW_INPUT_BOOLEAN)
    {
      if (g_ascii_strcasecmp (text, "true") == 0 || g_ascii_strcasecmp (text, "yes") == 0 ||
          g_str_equal (text, "1"))
        return json_node_init_boolean (json_node_alloc (), TRUE);
      if (g_ascii_strcasecmp (text, "false") == 0 || g_ascii_strcasecmp (text, "no") == 0 ||
          g_str_equal (text, "0"))
        return json_node_init_boolean (json_node_alloc (), FALSE);
      problem (problems, path, _("“%s” is not true or false"), text);
      return NULL;
    }
  problem (problems, path, _("is %s, but the input is a %s"), node_kind (value), type);
  return NULL;
}

JsonObject *
pa_workflow_bind_inputs (PaWorkflow  *self,
                         JsonObject  *given,
                         GError     **error)
{
  g_autoptr(JsonObject) bound = json_object_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (given != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, given);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        if (pa_workflow_lookup_input (self, name) == NULL)
          {
            g_autofree char *path = g_strdup_printf ("inputs.%s", name);

            problem (problems, path, _("the workflow has no such input"));
          }
    }

  for (guint i = 0; i < self->inputs->len; i++)
    {
      PaWorkflowInput *input = g_ptr_array_index (self->inputs, i);
      JsonNode *value = given != NULL ? json_object_get_member (given, input->name) : NULL;

      if (value != NULL)
        {
          JsonNode *coerced = coerce_input (input, value, problems);

          if (coerced != NULL)
            json_object_set_member (bound, input->name, coerced);
        }
      else if (input->default_value != NULL)
        json_object_set_member (bound, input->name, json_node_copy (input->default_value));
      else if (input->required)
        {
          g_autofree char *path = g_strdup_printf ("inputs.%s", input->name);

          problem (problems, path, _("missing; give it with --input %s=VALUE"), input->name);
        }
      else
        json_object_set_null_member (bound, input->name);
    }

  if (!report (problems, error))
    return NULL;
  return g_steal_pointer (&bound);
}

/* ---- canonical text ---- */

static void
add_input (JsonBuilder     *builder,
           PaWorkflowInput *input)
{
  json_builder_set_member_name (builder, input->name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, pa_workflow_input_type_to_string (input->type));
  json_builder_set_member_name (builder, "required");
  json_builder_add_boolean_value (builder, input->required);
  if (input->default_value != NULL)
    {
      json_builder_set_member_name (builder, "default");
      json_builder_add_value (builder, json_node_copy (input->default_value));
    }
  if (input->description != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, input->description);
    }
  json_builder_end_object (builder);
}

static void
add_step (JsonBuilder    *builder,
          PaWorkflowStep *step)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, step->id);
  json_builder_set_member_name (builder, "uses");
  json_builder_add_string_value (builder, step->uses);
  json_builder_set_member_name (builder, "with");
  json_builder_add_value (builder, json_node_copy (step->with));
  json_builder_set_member_name (builder, "needs");
  json_builder_begin_array (builder);
  for (guint i = 0; step->needs[i] != NULL; i++)
    json_builder_add_string_value (builder, step->needs[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "retry");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max_attempts");
  json_builder_add_int_value (builder, step->max_attempts);
  json_builder_set_member_name (builder, "backoff_s");
  json_builder_add_double_value (builder, step->backoff_s);
  json_builder_end_object (builder);
  if (step->timeout_s > 0)
    {
      json_builder_set_member_name (builder, "timeout_s");
      json_builder_add_double_value (builder, step->timeout_s);
    }
  if (step->compensate_uses != NULL)
    {
      json_builder_set_member_name (builder, "compensate");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "uses");
      json_builder_add_string_value (builder, step->compensate_uses);
      if (step->compensate_with != NULL)
        {
          json_builder_set_member_name (builder, "with");
          json_builder_add_value (builder, json_node_copy (step->compensate_with));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

char *
pa_workflow_to_json (PaWorkflow *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (PA_IS_WORKFLOW (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  if (self->description != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, self->description);
    }
  json_builder_set_member_name (builder, "inputs");
  json_builder_begin_object (builder);
  for (guint i = 0; i < self->inputs->len; i++)
    add_input (builder, g_ptr_array_index (self->inputs, i));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->steps->len; i++)
    add_step (builder, g_ptr_array_index (self->steps, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}
