/* pa-secrets.c — credentials in the system keyring, and nowhere else
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-secrets.h"

/* Items live in the default collection, found by these attributes. The
 * generation is part of every lookup, so items written in an older format
 * simply stop matching instead of being misread. */
#define ATTR_PLATFORM   "platform"
#define ATTR_PROFILE    "profile"
#define ATTR_FIELD      "field"
#define ATTR_GENERATION "generation"

struct _PaSecrets
{
  GObject parent_instance;

  PaSecretsDisplayNameFunc display_name;
};

G_DEFINE_FINAL_TYPE (PaSecrets, pa_secrets, G_TYPE_OBJECT)

static void
pa_secrets_class_init (PaSecretsClass *klass)
{
}

static void
pa_secrets_init (PaSecrets *self)
{
}

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

/**
 * pa_secrets_new:
 *
 * Every instance talks to the same per-process Secret Service connection,
 * which libsecret makes on first use; creating one is cheap.
 */
PaSecrets *
pa_secrets_new (void)
{
  return g_object_new (PA_TYPE_SECRETS, NULL);
}

void
pa_secrets_free (char *secret)
{
  secret_password_free (secret);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

typedef enum {
  OP_STORE,
  OP_LOOKUP,
  OP_DELETE,
} OpKind;

static gboolean
is_service_missing (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED);
}

static gboolean
is_connection_lost (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED);
}

static GError *
unavailable_error (const char *cause)
{
  return g_error_new (PA_ERROR, PA_ERROR_UNAVAILABLE,
                      /* Translators: %s says why, e.g. "nothing provides
                       * org.freedesktop.secrets on the session bus" */
                      _("No keyring service is running (%s). Start GNOME Keyring "
                        "or another Secret Service provider."),
                      cause);
}

static GError *
dismissed_error (void)
{
  return g_error_new_literal (PA_ERROR, PA_ERROR_AUTH,
                              _("The keyring is locked and the request to unlock "
                                "it was dismissed. Unlock it in your password "
                                "manager (for example Passwords and Keys) and "
                                "try again."));
}

/* Turns whatever libsecret, GDBus or GIO reported into a PA_ERROR that says
 * what happened and what to do. @connecting is TRUE while getting the
 * service: an I/O error then means there is no session bus at all. */
static GError *
map_error (const GError *error,
           OpKind        kind,
           gboolean      connecting,
           GCancellable *cancellable)
{
  g_autoptr(GError) copy = g_error_copy (error);
  g_autofree char *cause = NULL;

  g_dbus_error_strip_remote_error (copy);

  if (g_error_matches (copy, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (cancellable))
    return g_error_new_literal (PA_ERROR, PA_ERROR_CANCELLED,
                                _("The keyring operation was cancelled."));

  if (is_service_missing (copy))
    return unavailable_error (_("nothing provides org.freedesktop.secrets "
                                "on the session bus"));

  if (is_connection_lost (copy))
    {
      cause = g_strdup_printf (_("the connection to it was lost: %s"), copy->message);
      return unavailable_error (cause);
    }

  if (connecting && copy->domain == G_IO_ERROR)
    {
      cause = g_strdup_printf (_("there is no D-Bus session bus: %s"), copy->message);
      return unavailable_error (cause);
    }

  if (g_error_matches (copy, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return g_error_new_literal (PA_ERROR, PA_ERROR_AUTH,
                                _("The keyring is locked. Unlock it in your "
                                  "password manager (for example Passwords and "
                                  "Keys) and try again."));

  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return g_error_new (PA_ERROR, PA_ERROR_AUTH,
                        _("The keyring refused access (%s). Check that PlayAlter "
                          "may use the keyring and try again."),
                        copy->message);

  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
      g_error_matches (copy, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (PA_ERROR, PA_ERROR_TIMEOUT,
                        _("The keyring service did not answer in time (%s). "
                          "Try again; if it keeps happening, restart GNOME "
                          "Keyring."),
                        copy->message);

  if (copy->domain == SECRET_ERROR ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
    return g_error_new (PA_ERROR, PA_ERROR_PROTOCOL,
                        _("The keyring service gave an answer PlayAlter does "
                          "not understand (%s)."),
                        copy->message);

  switch (kind)
    {
    case OP_STORE:
      return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                          _("Could not save the credential in the keyring: %s"),
                          copy->message);
    case OP_LOOKUP:
      return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                          _("Could not read the credential from the keyring: %s"),
                          copy->message);
    case OP_DELETE:
    default:
      return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                          _("Could not remove the credential from the keyring: %s"),
                          copy->message);
    }
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                */

static gboolean
check_name (const char  *value,
            const char  *missing_message,
            GError     **error)
{
  if (value == NULL || value[0] == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, missing_message);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("Platform, profile and field names must be valid "
                             "UTF-8 text."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_arguments (const char  *platform,
                 const char  *profile,
                 const char  *field,
                 gboolean     field_required,
                 GError     **error)
{
  if (!check_name (platform, _("A keyring credential needs a platform name."), error) ||
      !check_name (profile, _("A keyring credential needs a profile name."), error))
    return FALSE;
  if (field == NULL && !field_required)
    return TRUE;
  return check_name (field, _("A keyring credential needs a field name."), error);
}

static gboolean
check_secret (const char  *secret,
              GError     **error)
{
  if (secret == NULL || secret[0] == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("The secret is empty. Enter the key or password "
                             "and try again."));
      return FALSE;
    }
  if (!g_utf8_validate (secret, -1, NULL))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("The secret is not valid UTF-8 text. Check that it "
                             "was copied completely and try again."));
      return FALSE;
    }
  return TRUE;
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

void
pa_secrets_set_display_name_func (PaSecrets                *self,
                                  PaSecretsDisplayNameFunc  func)
{
  g_return_if_fail (PA_IS_SECRETS (self));

  self->display_name = func;
}

static char *
build_label (PaSecrets  *self,
             const char *platform,
             const char *profile,
             const char *field)
{
  const char *name = self->display_name != NULL ? self->display_name (platform) : NULL;

  /* Translators: the name of a keyring item, as the password manager lists
   * it: platform, profile and field, e.g. "PlayAlter: Stripe (default) api-key" */
  return g_strdup_printf (_("PlayAlter: %s (%s) %s"),
                          name != NULL ? name : platform,
                          profile, field);
}

/* ------------------------------------------------------------------------ */
/* The operations                                                           */

typedef struct {
  OpKind         kind;
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

  g_task_return_error (task, map_error (error, op->kind, connecting,
                                        g_task_get_cancellable (task)));
}

/* A prompt cancelled through our GCancellable ends like a dismissed one:
 * this tells the two apart. */
static gboolean
op_return_if_cancelled (GTask *task)
{
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;

  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED, "%s",
                           _("The keyring operation was cancelled."));
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

/* What the three public calls share: check the names (and, to store, the
 * secret), then start. Deleting may name no field and matches items of
 * every generation; the others name one field of the current generation. */
static void
op_begin (PaSecrets           *self,
          OpKind               kind,
          gpointer             source_tag,
          const char          *platform,
          const char          *profile,
          const char          *field,
          const char          *secret,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  gboolean one_field = kind != OP_DELETE;
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  g_task_set_source_tag (task, source_tag);
  /* Cancellation must come back as PA_ERROR_CANCELLED, not G_IO_ERROR. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, op, op_free);

  if (!check_arguments (platform, profile, field, one_field, &error) ||
      (kind == OP_STORE && !check_secret (secret, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op->attributes = build_attributes (platform, profile, field, one_field);
  if (kind == OP_STORE)
    {
      op->label = build_label (self, platform, profile, field);
      op->value = secret_value_new (secret, -1, "text/plain");
    }
  op_start (g_steal_pointer (&task));
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
        g_task_return_error (task, dismissed_error ());
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
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL, "%s",
                               _("The credential in the keyring is not text. "
                                 "Sign in to this account again to replace it."));
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
      g_task_return_error (task, dismissed_error ());
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
      g_task_return_error (task, dismissed_error ());
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

/* ------------------------------------------------------------------------ */
/* Public async API                                                         */

/**
 * pa_secrets_store_async:
 * @secret: the secret; it is copied into non-pageable memory at once, so the
 *   caller may wipe its copy as soon as this returns
 *
 * Stores (or replaces) one field of an account in the default collection.
 * A locked collection is unlocked first, which may show the keyring's
 * password prompt.
 */
void
pa_secrets_store_async (PaSecrets           *self,
                        const char          *platform,
                        const char          *profile,
                        const char          *field,
                        const char          *secret,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (PA_IS_SECRETS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op_begin (self, OP_STORE, pa_secrets_store_async, platform, profile, field, secret,
            cancellable, callback, user_data);
}

gboolean
pa_secrets_store_finish (PaSecrets     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pa_secrets_lookup_async:
 *
 * Looks up one field of an account, stored with the current generation. A
 * locked item is unlocked first, which may show the keyring's prompt.
 */
void
pa_secrets_lookup_async (PaSecrets           *self,
                         const char          *platform,
                         const char          *profile,
                         const char          *field,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (PA_IS_SECRETS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op_begin (self, OP_LOOKUP, pa_secrets_lookup_async, platform, profile, field, NULL,
            cancellable, callback, user_data);
}

char *
pa_secrets_lookup_finish (PaSecrets     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PA_IS_SECRETS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pa_secrets_delete_async:
 *
 * Deletes one field of an account, or all of them when @field is %NULL.
 * Items of older generations are deleted too: removing an account must not
 * leave an old copy of its keys behind. Deleting what is not there succeeds.
 */
void
pa_secrets_delete_async (PaSecrets           *self,
                         const char          *platform,
                         const char          *profile,
                         const char          *field,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (PA_IS_SECRETS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op_begin (self, OP_DELETE, pa_secrets_delete_async, platform, profile, field, NULL,
            cancellable, callback, user_data);
}

gboolean
pa_secrets_delete_finish (PaSecrets     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_secrets_delete_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Blocking API                                                             */

/* The async operations run on one thread of our own whose main loop never
 * stops. A private main context per call would be simpler, but libsecret
 * and GDBus finish some work after the result is in (a prompt's method
 * reply can arrive after its Completed signal, a closed connection
 * announces it later): queued in a context nobody iterates any more, those
 * callbacks would hold the bus connection, and everything they refer to,
 * for the life of the process. */
static gpointer
worker_main (gpointer data)
{
  GMainContext *context = data;
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);

  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  return NULL;
}

static GMainContext *
get_worker_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *new_context = g_main_context_new ();

      g_thread_unref (g_thread_new ("pa-secrets", worker_main, new_context));
      g_once_init_leave (&context, new_context);
    }
  return context;
}

typedef struct {
  PaSecrets    *self;
  OpKind        kind;
  const char   *platform;
  const char   *profile;
  const char   *field;
  const char   *secret;
  GCancellable *cancellable;

  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  gboolean      ok;
  char         *looked_up;
  GError       *error;
} SyncCall;

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncCall *call = user_data;

  switch (call->kind)
    {
    case OP_STORE:
      call->ok = pa_secrets_store_finish (call->self, result, &call->error);
      break;
    case OP_LOOKUP:
      call->looked_up = pa_secrets_lookup_finish (call->self, result, &call->error);
      call->ok = call->error == NULL;
      break;
    case OP_DELETE:
    default:
      call->ok = pa_secrets_delete_finish (call->self, result, &call->error);
      break;
    }

  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
}

static gboolean
sync_start (gpointer user_data)
{
  SyncCall *call = user_data;

  switch (call->kind)
    {
    case OP_STORE:
      pa_secrets_store_async (call->self, call->platform, call->profile, call->field,
                              call->secret, call->cancellable, on_sync_done, call);
      break;
    case OP_LOOKUP:
      pa_secrets_lookup_async (call->self, call->platform, call->profile, call->field,
                               call->cancellable, on_sync_done, call);
      break;
    case OP_DELETE:
    default:
      pa_secrets_delete_async (call->self, call->platform, call->profile, call->field,
                               call->cancellable, on_sync_done, call);
      break;
    }
  return G_SOURCE_REMOVE;
}

/* Blocks until the operation is done; the strings stay the caller's, which
 * is safe because the caller waits here until they are no longer used. */
static gboolean
sync_run (SyncCall  *call,
          GError   **error)
{
  g_mutex_init (&call->mutex);
  g_cond_init (&call->cond);

  g_main_context_invoke (get_worker_context (), sync_start, call);

  g_mutex_lock (&call->mutex);
  while (!call->done)
    g_cond_wait (&call->cond, &call->mutex);
  g_mutex_unlock (&call->mutex);

  g_cond_clear (&call->cond);
  g_mutex_clear (&call->mutex);

  if (call->error != NULL)
    {
      g_propagate_error (error, call->error);
      return FALSE;
    }
  return call->ok;
}

gboolean
pa_secrets_store_sync (PaSecrets     *self,
                       const char    *platform,
                       const char    *profile,
                       const char    *field,
                       const char    *secret,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SyncCall call = {
    .self = self, .kind = OP_STORE, .platform = platform, .profile = profile,
    .field = field, .secret = secret, .cancellable = cancellable,
  };

  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  return sync_run (&call, error);
}

char *
pa_secrets_lookup_sync (PaSecrets     *self,
                        const char    *platform,
                        const char    *profile,
                        const char    *field,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SyncCall call = {
    .self = self, .kind = OP_LOOKUP, .platform = platform, .profile = profile,
    .field = field, .cancellable = cancellable,
  };

  g_return_val_if_fail (PA_IS_SECRETS (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (!sync_run (&call, error))
    return NULL;
  return call.looked_up;
}

gboolean
pa_secrets_delete_sync (PaSecrets     *self,
                        const char    *platform,
                        const char    *profile,
                        const char    *field,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SyncCall call = {
    .self = self, .kind = OP_DELETE, .platform = platform, .profile = profile,
    .field = field, .cancellable = cancellable,
  };

  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  return sync_run (&call, error);
}
