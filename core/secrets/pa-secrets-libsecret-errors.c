/* pa-secrets-libsecret-errors.c — what libsecret, GDBus and GIO report,
 * in words that say what happened and what to do
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-secrets-libsecret-private.h"

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

GError *
pa_secrets_dismissed_error (void)
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
GError *
pa_secrets_map_error (const GError *error,
                      PaSecretsOp   kind,
                      gboolean      connecting,
                      GCancellable *cancellable)
{
  g_autoptr(GError) copy = g_error_copy (error);
  g_autofree char *cause = NULL;

  g_dbus_error_strip_remote_error (copy);

  if (g_error_matches (copy, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (cancellable))
    return pa_secrets_cancelled_error ();

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
    return pa_secrets_refused_error (copy->message);

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
    return pa_secrets_protocol_error (copy->message);

  return pa_secrets_failed_error (kind, copy->message);
}
