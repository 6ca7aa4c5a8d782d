/* pa-secrets-libsecret.c — the keyring backend for the Secret Service
 *
 * SPDX-License-Identifier: MIT
 *
 * GNOME Keyring, KWallet or any other org.freedesktop.secrets provider on
 * the session bus. Inside a Flatpak sandbox libsecret (0.20 and later)
 * goes through the Secret portal by itself, into a keyring file of the
 * app's own, with no change here.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-secrets-backend-private.h"
#include "pa-secrets-libsecret.h"
#include "pa-secrets-libsecret-private.h"

/* Items live in the default collection, found by these attributes. The
 * generation is part of every lookup, so items written in an older format
 * simply stop matching instead of being misread. */
#define ATTR_PLATFORM   "platform"
#define ATTR_PROFILE    "profile"
#define ATTR_FIELD      "field"
#define ATTR_GENERATION "generation"

const SecretSchema *
pa_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    "io.playalter.Credential", SECRET_SCHEMA_NONE,
    {
      { ATTR_PLATFORM, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_PROFILE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_FIELD, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_GENERATION, SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { NULL, 0 },
    }
  };

  return &schema;
}

void
pa_secrets_backend_free_secret (char *secret)
{
  /* Non-pageable memory, wiped as it is freed. */
  secret_password_free (secret);
}

/* @generation FALSE matches items of every generation (for deleting). */
static GHashTable *
build_attributes (const char *platform,
                  const char *profile,
                  const char *field,
                  gboolean    generation)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, ATTR_PLATFORM, g_strdup (platform));
  g_hash_table_insert (attributes, ATTR_PROFILE, g_strdup (profile));
  if (field != NULL)
    g_hash_table_insert (attributes, ATTR_FIELD, g_strdup (field));
  if (generation)
    g_hash_table_insert (attributes, ATTR_GENERATION,
                         g_strdup (G_STRINGIFY (PA_SECRETS_GENERATION)));
  return attributes;
}

/* ------------------------------------------------------------------------ */
/* The operations                                                           */

typedef struct {
  PaSecretsOp    kind;
  GHashTable    *attributes;
  char          *label;     /* store */
  SecretValue   *value;     /* store */
  SecretService *service;
  GList         *items;     /* SecretItem: lookup, the one to unlock; delete, all */
  GList         *locked;    /* delete: the items to unlock first */
  GList         *next;      /* delete: the next item to delete, in items */
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_pointer (&op->attributes, g_hash_table_unref);
  g_clear_pointer (&op->value, secret_value_unref);
  g_list_free_full (op->items, g_object_unref);
  g_list_free_full (op->locked, g_object_unref);
  g_clear_object (&op->service);
  g_free (op->label);
  g_free (op);
}

static void
op_fail (GTask        *task,
         const GError *error,
         gboolean      connecting)
{
  Op *op = g_task_get_task_data (task);

  g_task_return_error (task, pa_secrets_map_error (error, op->kind, connecting,
                                        g_task_get_cancellable (task)));
}

/* A prompt cancelled through our GCancellable ends like a dismissed one:
 * this tells the two apart. */
static gboolean
op_return_if_cancelled (GTask *task)
{
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;

  g_task_return_error (task, pa_secrets_cancelled_error ());
  return TRUE;
}

static void op_run (GTask *task);

static void
on_service (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);

  op->service = secret_service_get_finish (result, &error);
  if (op->service == NULL)
    {
      op_fail (task, error, TRUE);
      return;
    }
  if (op_return_if_cancelled (task))
    return;

  op_run (g_steal_pointer (&task));
}

static void
op_start (GTask *task)
{
  /* OPEN_SESSION: secrets travel encrypted between us and the daemon. */
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, g_task_get_cancellable (task),
                      on_service, task);
}

void
pa_secrets_backend_run (GTask            *task,
                        PaSecretsRequest *request,
                        const char       *secret)
{
  g_autoptr(PaSecretsRequest) owned = request;
  Op *op = g_new0 (Op, 1);

  op->kind = request->kind;
  g_task_set_task_data (task, op, op_free);
  op->attributes = build_attributes (request->platform, request->profile, request->field,
                                     request->kind != OP_DELETE);
  if (request->kind == OP_STORE)
    {
      op->label = g_steal_pointer (&request->label);
      /* Copied into libsecret's non-pageable memory at once. */
      op->value = secret_value_new (secret, -1, "text/plain");
    }
  op_start (task);
}

/* Store */

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_service_store_finish (SECRET_SERVICE (source), result, &error))
    {
      /* libsecret met the locked collection, asked to unlock it, got no
       * error and found it still locked: the prompt was dismissed. */
      if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) &&
          !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        g_task_return_error (task, pa_secrets_dismissed_error ());
      else
        op_fail (task, error, FALSE);
      return;
    }
  if (op_return_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

static void
store_run (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  secret_service_store (op->service, pa_secrets_get_schema (), op->attributes,
                        SECRET_COLLECTION_DEFAULT, op->label, op->value,
                        g_task_get_cancellable (task), on_stored, task);
}

/* Lookup */

static void
return_value (GTask       *task,
              SecretValue *value)
{
  if (value == NULL)
    {
      /* Deleted between the search and now. */
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (secret_value_get_text (value) == NULL)
    {
      secret_value_unref (value);
      g_task_return_error (task, pa_secrets_not_text_error ());
      return;
    }

  /* Non-pageable memory, wiped by secret_password_free(). */
  g_task_return_pointer (task, secret_value_unref_to_password (value, NULL),
                         (GDestroyNotify) secret_password_free);
}

static void
on_lookup_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_item_load_secret_finish (SECRET_ITEM (source), result, &error))
    {
      op_fail (task, error, FALSE);
      return;
    }
  return_value (task, secret_item_get_secret (SECRET_ITEM (source)));
}

static void
on_lookup_unlocked (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  int n_unlocked;

  n_unlocked = secret_service_unlock_finish (SECRET_SERVICE (source), result, NULL, &error);
  if (error != NULL)
    {
      op_fail (task, error, FALSE);
      return;
    }
  if (op_return_if_cancelled (task))
    return;

  /* Success with nothing unlocked is how libsecret reports a dismissed
   * prompt (and gnome-keyring a prompt it could not show). */
  if (n_unlocked < 1)
    {
      g_task_return_error (task, pa_secrets_dismissed_error ());
      return;
    }

  secret_item_load_secret (op->items->data, cancellable, on_lookup_loaded,
                           g_steal_pointer (&task));
}

static void
on_lookup_searched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  GCancellable *cancellable;
  GList *items;
  SecretItem *locked = NULL;

  items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    {
      op_fail (task, error, FALSE);
      return;
    }
  if (op_return_if_cancelled (task))
    {
      g_list_free_full (items, g_object_unref);
      return;
    }

  /* Unlocked items come with their secret already loaded. */
  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretValue *value = secret_item_get_secret (l->data);

      if (value != NULL)
        {
          g_list_free_full (items, g_object_unref);
          return_value (task, value);
          return;
        }
      if (locked == NULL && secret_item_get_locked (l->data))
        locked = l->data;
    }

  if (locked == NULL)
    {
      g_list_free_full (items, g_object_unref);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* Unlocking asks the user, through the keyring's own prompt. */
  op->items = g_list_prepend (NULL, g_object_ref (locked));
  g_list_free_full (items, g_object_unref);
  cancellable = g_task_get_cancellable (task);
  secret_service_unlock (op->service, op->items, cancellable,
                         on_lookup_unlocked, g_steal_pointer (&task));
}

static void
lookup_run (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  secret_service_search (op->service, pa_secrets_get_schema (), op->attributes,
                         SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                         g_task_get_cancellable (task), on_lookup_searched, task);
}

/* Delete */

static void delete_next (GTask *task);

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Someone else deleting it first is fine. */
  if (!secret_item_delete_finish (SECRET_ITEM (source), result, &error) &&
      !g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) &&
      !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
    {
      op_fail (task, error, FALSE);
      return;
    }
  if (op_return_if_cancelled (task))
    return;

  delete_next (g_steal_pointer (&task));
}

static void
delete_next (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  SecretItem *item;

  if (op->next == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  item = op->next->data;
  op->next = op->next->next;
  secret_item_delete (item, g_task_get_cancellable (task), on_deleted, task);
}

static void
on_delete_unlocked (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autolist(GObject) unlocked = NULL;
  Op *op = g_task_get_task_data (task);
  int n_unlocked;

  n_unlocked = secret_service_unlock_finish (SECRET_SERVICE (source), result,
                                             &unlocked, &error);
  if (error != NULL)
    {
      op_fail (task, error, FALSE);
      return;
    }
  if (op_return_if_cancelled (task))
    return;

  /* Deleting only some of an account's fields would leave it half there. */
  if (n_unlocked < 0 || (guint) n_unlocked < g_list_length (op->locked))
    {
      g_task_return_error (task, pa_secrets_dismissed_error ());
      return;
    }

  delete_next (g_steal_pointer (&task));
}

static void
on_delete_searched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);

  op->items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    {
      op_fail (task, error, FALSE);
      return;
    }
  if (op_return_if_cancelled (task))
    return;

  op->next = op->items;
  for (GList *l = op->items; l != NULL; l = l->next)
    {
      if (secret_item_get_locked (l->data))
        op->locked = g_list_prepend (op->locked, g_object_ref (l->data));
    }

  if (op->locked != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      /* Locked items cannot be deleted: unlock them all first. */
      secret_service_unlock (op->service, op->locked, cancellable,
                             on_delete_unlocked, g_steal_pointer (&task));
      return;
    }

  delete_next (g_steal_pointer (&task));
}

static void
delete_run (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  secret_service_search (op->service, pa_secrets_get_schema (), op->attributes,
                         SECRET_SEARCH_ALL, g_task_get_cancellable (task),
                         on_delete_searched, task);
}

static void
op_run (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  switch (op->kind)
    {
    case OP_STORE:
      store_run (task);
      break;
    case OP_LOOKUP:
      lookup_run (task);
      break;
    case OP_DELETE:
    default:
      delete_run (task);
      break;
    }
}
