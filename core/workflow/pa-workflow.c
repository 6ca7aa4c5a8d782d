/* pa-workflow.c — a validated workflow definition
 *
 * The object, its getters, binding a run's inputs and the canonical
 * text. Reading a definition is in pa-workflow-parse.c, the checks that
 * need the whole definition (needs graph, references, arguments) in
 * pa-workflow-check.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-template.h"
#include "pa-workflow.h"
#include "pa-workflow-private.h"

G_DEFINE_FINAL_TYPE (PaWorkflow, pa_workflow, G_TYPE_OBJECT)


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

  if (pa_workflow_value_has_input_type (value, input->type))
    return json_node_copy (value);
  if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
    {
      pa_workflow_problem (problems, path,
                           _("is %s, but the input is a %s"), pa_workflow_node_kind (value), type);
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
      pa_workflow_problem (problems, path, _("“%s” is not a number"), text);
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
      pa_workflow_problem (problems, path, _("“%s” is not true or false"), text);
      return NULL;
    }
  pa_workflow_problem (problems, path,
                       _("is %s, but the input is a %s"), pa_workflow_node_kind (value), type);
  return NULL;
}

JsonObject *
pa_workflow_bind_inputs (PaWorkflow  *self,
                         JsonObject  *given,
                         GError     **error)
{
  return pa_workflow_bind_inputs_from (self, given, PA_WORKFLOW_INPUTS_FROM_COMMAND_LINE, error);
}

JsonObject *
pa_workflow_bind_inputs_from (PaWorkflow           *self,
                              JsonObject           *given,
                              PaWorkflowInputsFrom  from,
                              GError              **error)
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

            pa_workflow_problem (problems, path, _("the workflow has no such input"));
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

          if (from == PA_WORKFLOW_INPUTS_FROM_JSON)
            pa_workflow_problem (problems, path,
                                 _("missing; send it as the member “%s” of the JSON object"),
                                 input->name);
          else
            pa_workflow_problem (problems, path,
                                 _("missing; give it with --input %s=VALUE"), input->name);
        }
      else
        json_object_set_null_member (bound, input->name);
    }

  if (!pa_workflow_report (problems, error))
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
