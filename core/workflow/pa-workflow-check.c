/* pa-workflow-check.c — checks of a parsed workflow as a whole: the needs
 * graph (missing steps, cycles, order), the {{ }} references and each
 * step's arguments against its action
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-template.h"
#include "pa-workflow.h"
#include "pa-workflow-private.h"

/* ---- the graph ---- */

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
          path = g_strdup_printf ("steps[%d].needs", pa_workflow_step_index (self, last));
          pa_workflow_problem (problems, path, _("cycle in needs: %s"), names->str);
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
          pa_workflow_problem (problems, member_path, "%s", local_error->message);
          continue;
        }
      for (guint i = 0; i < refs->len; i++)
        {
          PaTemplateRef *ref = g_ptr_array_index (refs, i);
          GHashTable *above;

          if (ref->kind == PA_TEMPLATE_REF_INPUTS)
            {
              if (pa_workflow_lookup_input (self, ref->name) == NULL)
                pa_workflow_problem (problems, member_path,
                                     _("{{%s}}: there is no input named “%s”"),
                                     ref->expression, ref->name);
              continue;
            }
          if (!g_hash_table_contains (self->steps_by_id, ref->name))
            pa_workflow_problem (problems, member_path, _("{{%s}}: there is no step with id “%s”"),
                                 ref->expression, ref->name);
          else if (g_strcmp0 (ref->name, step->id) == 0)
            {
              if (!allow_self)
                pa_workflow_problem (problems, member_path,
                                     _("{{%s}}: a step cannot use its own output"),
                                     ref->expression);
            }
          else if (upstream != NULL && step->id != NULL &&
                   (above = g_hash_table_lookup (upstream, step->id)) != NULL &&
                   !g_hash_table_contains (above, ref->name))
            pa_workflow_problem (problems, member_path,
                                 _("{{%s}}: step “%s” is not in the needs of step “%s”; add it to needs"),
                                 ref->expression, ref->name, step->id);
        }
    }
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
    /* json_node_init_object() and _array() would add a reference of
     * their own to the new container. */
    case PA_ARG_OBJECT:
      json_node_take_object (json_node_init (node, JSON_NODE_OBJECT), json_object_new ());
      return node;
    case PA_ARG_ARRAY:
      json_node_take_array (json_node_init (node, JSON_NODE_ARRAY), json_array_new ());
      return node;
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
      const PaActionArg *arg = pa_action_info_find_arg (info, name);
      g_autoptr(GPtrArray) refs = NULL;

      /* Only a string that is one whole expression can take any type;
       * text around an expression always makes a string. */
      if (arg != NULL && JSON_NODE_HOLDS_VALUE (member) &&
          json_node_get_value_type (member) == G_TYPE_STRING &&
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

void
pa_workflow_check_steps (PaWorkflow       *self,
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

            pa_workflow_problem (problems, path,
                                 _("there is no step with id “%s”"), step->needs[j]);
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
