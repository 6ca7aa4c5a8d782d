/* pa-action.c — the registry of actions and the checking of their arguments
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-action.h"
#include "pa-actions-private.h"
#include "pa-workflow-private.h"

struct _PaActionRegistry
{
  GObject     parent_instance;
  GHashTable *actions;   /* name → const PaActionInfo *, not owned */
};

G_DEFINE_FINAL_TYPE (PaActionRegistry, pa_action_registry, G_TYPE_OBJECT)

static void
pa_action_registry_finalize (GObject *object)
{
  PaActionRegistry *self = PA_ACTION_REGISTRY (object);

  g_hash_table_unref (self->actions);
  G_OBJECT_CLASS (pa_action_registry_parent_class)->finalize (object);
}

static void
pa_action_registry_class_init (PaActionRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_action_registry_finalize;
}

static void
pa_action_registry_init (PaActionRegistry *self)
{
  self->actions = g_hash_table_new (g_str_hash, g_str_equal);
}

PaActionRegistry *
pa_action_registry_new (void)
{
  return g_object_new (PA_TYPE_ACTION_REGISTRY, NULL);
}

PaActionRegistry *
pa_action_registry_new_default (void)
{
  PaActionRegistry *self = pa_action_registry_new ();

  pa_actions_register_local (self);
  pa_actions_register_stripe (self);
  pa_actions_register_openai (self);
  pa_actions_register_replicate (self);
  pa_actions_register_vercel (self);
  pa_actions_register_n8n (self);
  pa_actions_register_agora (self);
  pa_actions_register_media (self);
  return self;
}

/* @info must outlive the registry: built-ins are static tables. */
void
pa_action_registry_add (PaActionRegistry   *self,
                        const PaActionInfo *info)
{
  g_return_if_fail (PA_IS_ACTION_REGISTRY (self));
  g_return_if_fail (info != NULL && info->name != NULL);
  g_return_if_fail (info->run != NULL && info->finish != NULL);

  g_hash_table_replace (self->actions, (gpointer) info->name, (gpointer) info);
}

const PaActionInfo *
pa_action_registry_lookup (PaActionRegistry *self,
                           const char       *name)
{
  g_return_val_if_fail (PA_IS_ACTION_REGISTRY (self), NULL);

  if (name == NULL)
    return NULL;
  return g_hash_table_lookup (self->actions, name);
}

static int
compare_info (gconstpointer a,
              gconstpointer b)
{
  const PaActionInfo *ia = *(const PaActionInfo * const *) a;
  const PaActionInfo *ib = *(const PaActionInfo * const *) b;

  return g_strcmp0 (ia->name, ib->name);
}

/* Returns an array of const PaActionInfo * (not owned by the array). */
GPtrArray *
pa_action_registry_list (PaActionRegistry *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (PA_IS_ACTION_REGISTRY (self), NULL);

  list = g_ptr_array_sized_new (g_hash_table_size (self->actions));
  g_hash_table_iter_init (&iter, self->actions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_info);
  return list;
}

const char *
pa_arg_type_to_string (PaArgType type)
{
  switch (type)
    {
    case PA_ARG_ANY:     return "any";
    case PA_ARG_STRING:  return "string";
    case PA_ARG_NUMBER:  return "number";
    case PA_ARG_INTEGER: return "integer";
    case PA_ARG_BOOLEAN: return "boolean";
    case PA_ARG_OBJECT:  return "object";
    case PA_ARG_ARRAY:   return "array";
    case PA_ARG_FILE:    return "file";
    default:             return "unknown";
    }
}

/* The JSON type of @node in the words pa_arg_type_to_string() uses. */
static const char *
node_type_name (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT: return "object";
    case JSON_NODE_ARRAY:  return "array";
    case JSON_NODE_NULL:   return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:  return "string";
    case G_TYPE_BOOLEAN: return "boolean";
    case G_TYPE_INT64:   return "integer";
    case G_TYPE_DOUBLE:  return "number";
    default:             return "value";
    }
}

static const char *
with_article (const char *type_name)
{
  static const char * const names[][2] = {
    { "any", N_("any value") }, { "string", N_("a string") }, { "number", N_("a number") },
    { "integer", N_("an integer") }, { "boolean", N_("a boolean") },
    { "object", N_("an object") }, { "array", N_("an array") },
    { "file", N_("a file name (string)") }, { "value", N_("a value") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i][0], type_name))
      return _(names[i][1]);
  return type_name;
}

/* Whether the value is still a template the validator resolves later:
 * its type is only known then, so any type is accepted now. */
static gboolean
is_template (JsonNode *node)
{
  const char *str;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  str = json_node_get_string (node);
  return str != NULL && strstr (str, "{{") != NULL && strstr (str, "}}") != NULL;
}

static gboolean
node_has_type (JsonNode  *node,
               PaArgType  type)
{
  GType value_type;

  switch (type)
    {
    case PA_ARG_ANY:
      return TRUE;
    case PA_ARG_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case PA_ARG_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    default:
      break;
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  value_type = json_node_get_value_type (node);

  switch (type)
    {
    case PA_ARG_STRING:
    case PA_ARG_FILE:
      return value_type == G_TYPE_STRING;
    case PA_ARG_NUMBER:
      return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
    case PA_ARG_INTEGER:
      return value_type == G_TYPE_INT64;
    case PA_ARG_BOOLEAN:
      return value_type == G_TYPE_BOOLEAN;
    default:
      return FALSE;
    }
}

const PaActionArg *
pa_action_info_find_arg (const PaActionInfo *info,
                         const char         *name)
{
  for (const PaActionArg *arg = info->args; arg != NULL && arg->name != NULL; arg++)
    if (g_str_equal (arg->name, name))
      return arg;
  return NULL;
}

static char *
known_args (const PaActionInfo *info)
{
  GString *names = g_string_new (NULL);

  for (const PaActionArg *arg = info->args; arg != NULL && arg->name != NULL; arg++)
    {
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, arg->name);
    }
  return g_string_free (names, FALSE);
}

gboolean
pa_action_check_args (const PaActionInfo *info,
                      JsonObject         *args,
                      const char         *path,
                      GError            **error)
{
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    path = "with";

  for (const PaActionArg *arg = info->args; arg != NULL && arg->name != NULL; arg++)
    {
      JsonNode *node = args != NULL ? json_object_get_member (args, arg->name) : NULL;

      if (node == NULL)
        {
          if (arg->required)
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("%s.%s: required argument is missing"), path, arg->name);
              return FALSE;
            }
          continue;
        }

      if (is_template (node) || node_has_type (node, arg->type))
        continue;

      if (JSON_NODE_HOLDS_NULL (node))
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("%s.%s: must be %s, not null"),
                     path, arg->name, with_article (pa_arg_type_to_string (arg->type)));
      else
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("%s.%s: must be %s, not %s"),
                     path, arg->name, with_article (pa_arg_type_to_string (arg->type)),
                     with_article (node_type_name (node)));
      return FALSE;
    }

  if (args == NULL)
    return TRUE;

  /* Sorted, so the first unknown name reported is always the same. */
  members = g_list_sort (json_object_get_members (args), (GCompareFunc) g_strcmp0);
  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *known = NULL;

      if (pa_action_info_find_arg (info, l->data) != NULL)
        continue;

      known = known_args (info);
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("%s.%s: %s takes no such argument (it takes: %s)"),
                   path, (const char *) l->data, info->name,
                   *known != '\0' ? known : _("none"));
      return FALSE;
    }

  return TRUE;
}
