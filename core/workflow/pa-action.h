/* pa-action.h — the actions a workflow step can use, by name
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The JSON type an argument must have once templates are resolved. */
typedef enum {
  PA_ARG_ANY,
  PA_ARG_STRING,
  PA_ARG_NUMBER,      /* integer or double */
  PA_ARG_INTEGER,
  PA_ARG_BOOLEAN,
  PA_ARG_OBJECT,
  PA_ARG_ARRAY,
  PA_ARG_FILE,        /* a string naming a local file */
} PaArgType;

typedef struct {
  const char *name;
  PaArgType   type;
  gboolean    required;
  const char *description;   /* untranslated, one line */
} PaActionArg;

/* What an action gets when it runs: its resolved arguments and what it
 * needs from the run around it. Owned by the engine. */
typedef struct _PaActionContext PaActionContext;

typedef void      (*PaActionRunFunc)    (PaActionContext     *context,
                                         JsonObject          *args,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* Returns the step's output (a JSON object), or NULL with @error. */
typedef JsonNode *(*PaActionFinishFunc) (GAsyncResult        *result,
                                         GError             **error);

typedef struct {
  const char         *name;          /* "stripe.payment_link" */
  const char         *platform;      /* "stripe", or NULL for local actions */
  const char         *summary;       /* untranslated, one line */
  const PaActionArg  *args;          /* NULL-name terminated */
  /* The action that undoes this one, run with this step's output as its
   * `with`, or NULL when there is nothing to undo. */
  const char         *compensation;
  /* TRUE when running it twice with the same idempotency key causes one
   * effect only, so the engine may retry it after a crash. */
  gboolean            idempotent;
  PaActionRunFunc     run;
  PaActionFinishFunc  finish;
} PaActionInfo;

#define PA_TYPE_ACTION_REGISTRY (pa_action_registry_get_type ())
G_DECLARE_FINAL_TYPE (PaActionRegistry, pa_action_registry, PA, ACTION_REGISTRY, GObject)

/* A registry with every built-in action (platform and local). */
PaActionRegistry   *pa_action_registry_new_default (void);
PaActionRegistry   *pa_action_registry_new         (void);
void                pa_action_registry_add         (PaActionRegistry   *self,
                                                    const PaActionInfo *info);
const PaActionInfo *pa_action_registry_lookup      (PaActionRegistry   *self,
                                                    const char         *name);
/* Sorted by name. */
GPtrArray          *pa_action_registry_list        (PaActionRegistry   *self);

/* Checks @args against @info's argument list: missing required ones,
 * wrong types, unknown names. @path is the JSON path of the `with` object
 * for the message, e.g. "steps[2].with". */
gboolean            pa_action_check_args           (const PaActionInfo *info,
                                                    JsonObject         *args,
                                                    const char         *path,
                                                    GError            **error);

const char         *pa_arg_type_to_string          (PaArgType           type);

G_END_DECLS
