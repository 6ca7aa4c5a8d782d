/* pa-secrets-thread.c — the async API for keyrings whose calls block
 *
 * SPDX-License-Identifier: MIT
 *
 * The Windows Credential Manager and the macOS Keychain answer from
 * blocking calls (a Keychain prompt blocks too, in its own system
 * window). Each operation runs in one of GTask's worker threads; a
 * cancellation can only be noticed before and after the call.
 */
#include "config.h"

#include <string.h>

#include "pa-compat.h"

#include "pa-secrets-backend-private.h"

void
pa_secrets_backend_free_secret (char *secret)
{
  pa_compat_secure_zero (secret, strlen (secret));
  g_free (secret);
}

char *
pa_secrets_item_name (const PaSecretsRequest *request,
                      const char             *field)
{
  /* Everything but letters, digits and "-._~" is escaped; UTF-8 stays. */
  g_autofree char *platform = g_uri_escape_string (request->platform, NULL, TRUE);
  g_autofree char *profile = g_uri_escape_string (request->profile, NULL, TRUE);
  g_autofree char *escaped_field = field != NULL ? g_uri_escape_string (field, NULL, TRUE) : NULL;

  return g_strdup_printf ("%s/%s/%s", platform, profile,
                          escaped_field != NULL ? escaped_field : "");
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const PaSecretsRequest *request = task_data;
  GError *error = NULL;
  char *secret = NULL;
  gboolean ok;

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error (task, pa_secrets_cancelled_error ());
      return;
    }

  switch (request->kind)
    {
    case OP_STORE:
      ok = pa_secrets_blocking_store (request, &error);
      break;
    case OP_LOOKUP:
      secret = pa_secrets_blocking_lookup (request, &error);
      ok = error == NULL;
      break;
    case OP_DELETE:
    default:
      ok = pa_secrets_blocking_delete (request, &error);
      break;
    }

  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Done, but the caller no longer wants to hear it: as libsecret's
   * backend does, say so rather than pretend. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      if (secret != NULL)
        pa_secrets_backend_free_secret (secret);
      g_task_return_error (task, pa_secrets_cancelled_error ());
      return;
    }

  if (request->kind == OP_LOOKUP)
    g_task_return_pointer (task, secret, secret != NULL ?
                           (GDestroyNotify) pa_secrets_backend_free_secret : NULL);
  else
    g_task_return_boolean (task, TRUE);
}

void
pa_secrets_backend_run (GTask            *task,
                        PaSecretsRequest *request,
                        const char       *secret)
{
  g_autoptr(GTask) owned = task;

  /* The caller may wipe its copy as soon as we return. */
  if (request->kind == OP_STORE)
    request->secret = g_strdup (secret);
  g_task_set_task_data (task, request, (GDestroyNotify) pa_secrets_request_free);
  g_task_run_in_thread (task, run_in_thread);
}
