/* pa-secrets-wincred.c — the keyring backend for the Windows Credential
 * Manager
 *
 * SPDX-License-Identifier: MIT
 *
 * Each field is a generic credential of the user, kept on this machine
 * (CRED_PERSIST_LOCAL_MACHINE: it is not copied to other machines with a
 * roaming profile) and named
 *
 *   io.playalter.PlayAlter/<platform>/<profile>/<field>
 *
 * with each name percent-encoded, so a "/" or "*" in one cannot make it
 * look like another or widen a search. Credential Manager lists the item
 * under that name, with the label as its comment. A credential's secret
 * holds at most CRED_MAX_CREDENTIAL_BLOB_SIZE bytes (2560 in Microsoft's
 * headers since Windows 7, the older 512 in MinGW-w64's, which is what an
 * MSYS2 build gets); a longer one (a service account's JSON key, say) goes
 * on in credentials named "<name>#1", "#2"…, and the first one's
 * attributes say how many there are and which generation wrote them. The secret is stored as its UTF-8
 * bytes, not UTF-16: it is read back by PlayAlter only.
 */
#include "config.h"

#include <string.h>

#include <windows.h>
#include <wincred.h>

#include <glib/gi18n-lib.h>

#include "pa-compat.h"
#include "pa-error.h"
#include "pa-limits.h"

#include "pa-secrets-backend-private.h"

#define TARGET_PREFIX    "io.playalter.PlayAlter"
#define ATTR_GENERATION  L"io.playalter.generation"
#define ATTR_CHUNKS      L"io.playalter.chunks"
#define CHUNK_BYTES      CRED_MAX_CREDENTIAL_BLOB_SIZE
#define MAX_CHUNKS       ((PA_LIMIT_SECRET_BYTES + CHUNK_BYTES - 1) / CHUNK_BYTES)

G_STATIC_ASSERT (MAX_CHUNKS <= 1024);

/* Names ------------------------------------------------------------------- */

/* @field NULL: the prefix of every field of the profile, for a search. */
static char *
build_target (const PaSecretsRequest *request,
              const char             *field)
{
  g_autofree char *name = pa_secrets_item_name (request, field);

  return g_strconcat (TARGET_PREFIX "/", name, NULL);
}

static char *
chunk_target (const char *target,
              guint       chunk)
{
  return chunk == 0 ? g_strdup (target) : g_strdup_printf ("%s#%u", target, chunk);
}

static gunichar2 *
to_utf16 (const char  *text,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gunichar2 *wide = g_utf8_to_utf16 (text, -1, NULL, NULL, &local_error);

  /* Cannot happen to the checked, escaped names; GLib's words if it does. */
  if (wide == NULL)
    g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, local_error->message);
  return wide;
}

/* Errors ------------------------------------------------------------------ */

static GError *
map_error (DWORD        code,
           PaSecretsOp  kind)
{
  g_autofree char *message = g_win32_error_message ((gint) code);

  switch (code)
    {
    case ERROR_NO_SUCH_LOGON_SESSION:
      return g_error_new (PA_ERROR, PA_ERROR_UNAVAILABLE,
                          _("This Windows session has no Credential Manager (%s). "
                            "Sign in to Windows with your own account, not as a "
                            "service or a network logon, and try again."),
                          message);
    case ERROR_ACCESS_DENIED:
      return pa_secrets_refused_error (message);
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_FLAGS:
    case ERROR_BAD_USERNAME:
      return pa_secrets_protocol_error (message);
    default:
      break;
    }

  return pa_secrets_failed_error (kind, message);
}

/* A credential's attribute as a number, or -1 when it has none. */
static gint64
get_number_attribute (const CREDENTIALW *credential,
                      const wchar_t     *keyword)
{
  for (DWORD i = 0; i < credential->AttributeCount; i++)
    {
      const CREDENTIAL_ATTRIBUTEW *attribute = &credential->Attributes[i];
      char digits[16];

      if (wcscmp (attribute->Keyword, keyword) != 0)
        continue;
      if (attribute->ValueSize == 0 || attribute->ValueSize >= sizeof digits)
        return -1;
      memcpy (digits, attribute->Value, attribute->ValueSize);
      digits[attribute->ValueSize] = '\0';
      return g_ascii_strtoll (digits, NULL, 10);
    }
  return -1;
}

/* Deletes one credential; one that is not there is fine. */
static gboolean
delete_target (const char  *target,
               PaSecretsOp  kind,
               gboolean    *found,
               GError     **error)
{
  g_autofree gunichar2 *wtarget = to_utf16 (target, error);

  if (wtarget == NULL)
    return FALSE;
  if (found != NULL)
    *found = TRUE;
  if (CredDeleteW ((LPCWSTR) wtarget, CRED_TYPE_GENERIC, 0))
    return TRUE;
  if (GetLastError () == ERROR_NOT_FOUND)
    {
      if (found != NULL)
        *found = FALSE;
      return TRUE;
    }
  g_propagate_error (error, map_error (GetLastError (), kind));
  return FALSE;
}

/* Deletes the chunks of @target from @first on, up to the first one that
 * is not there. */
static gboolean
delete_chunks_from (const char  *target,
                    guint        first,
                    PaSecretsOp  kind,
                    GError     **error)
{
  for (guint chunk = first; chunk <= MAX_CHUNKS; chunk++)
    {
      g_autofree char *name = chunk_target (target, chunk);
      gboolean found;

      if (!delete_target (name, kind, &found, error))
        return FALSE;
      if (!found)
        break;
    }
  return TRUE;
}

/* Store ------------------------------------------------------------------- */

static gboolean
write_chunk (const char  *target,
             guint        chunk,
             const char  *bytes,
             gsize        size,
             const char  *label,
             guint        n_chunks,
             GError     **error)
{
  g_autofree char *name = chunk_target (target, chunk);
  g_autofree gunichar2 *wtarget = to_utf16 (name, error);
  g_autofree gunichar2 *wlabel = NULL;
  g_autofree char *generation = g_strdup_printf ("%d", PA_SECRETS_GENERATION);
  g_autofree char *count = g_strdup_printf ("%u", n_chunks);
  CREDENTIAL_ATTRIBUTEW attributes[2];
  CREDENTIALW credential;

  if (wtarget == NULL)
    return FALSE;

  memset (&credential, 0, sizeof credential);
  credential.Type = CRED_TYPE_GENERIC;
  credential.TargetName = (LPWSTR) wtarget;
  credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
  credential.CredentialBlob = (LPBYTE) bytes;
  credential.CredentialBlobSize = (DWORD) size;
  credential.UserName = (LPWSTR) L"PlayAlter";

  if (chunk == 0)
    {
      /* The label is only for people: one too long for a comment is left out. */
      wlabel = g_utf8_to_utf16 (label, -1, NULL, NULL, NULL);
      if (wlabel != NULL && wcslen ((const wchar_t *) wlabel) <= CRED_MAX_STRING_LENGTH)
        credential.Comment = (LPWSTR) wlabel;

      memset (attributes, 0, sizeof attributes);
      attributes[0].Keyword = (LPWSTR) ATTR_GENERATION;
      attributes[0].Value = (LPBYTE) generation;
      attributes[0].ValueSize = (DWORD) strlen (generation);
      attributes[1].Keyword = (LPWSTR) ATTR_CHUNKS;
      attributes[1].Value = (LPBYTE) count;
      attributes[1].ValueSize = (DWORD) strlen (count);
      credential.AttributeCount = G_N_ELEMENTS (attributes);
      credential.Attributes = attributes;
    }

  if (!CredWriteW (&credential, 0))
    {
      g_propagate_error (error, map_error (GetLastError (), OP_STORE));
      return FALSE;
    }
  return TRUE;
}

gboolean
pa_secrets_blocking_store (const PaSecretsRequest  *request,
                           GError                 **error)
{
  g_autofree char *target = build_target (request, request->field);
  gsize size = strlen (request->secret);
  guint n_chunks = (guint) ((size + CHUNK_BYTES - 1) / CHUNK_BYTES);

  if (size > PA_LIMIT_SECRET_BYTES)
    {
      g_propagate_error (error, pa_secrets_too_large_error ());
      return FALSE;
    }

  /* The later chunks first, the one that counts them last: a reader in
   * between sees the old secret or the new one, never half of each. */
  for (guint chunk = n_chunks - 1; chunk > 0; chunk--)
    {
      gsize offset = (gsize) chunk * CHUNK_BYTES;

      if (!write_chunk (target, chunk, request->secret + offset,
                        MIN (CHUNK_BYTES, size - offset), NULL, n_chunks, error))
        return FALSE;
    }
  if (!write_chunk (target, 0, request->secret, MIN (CHUNK_BYTES, size),
                    request->label, n_chunks, error))
    return FALSE;

  /* What a longer secret left behind. */
  return delete_chunks_from (target, n_chunks, OP_STORE, error);
}

/* Lookup ------------------------------------------------------------------ */

/* Appends one credential's secret to @secret and wipes the system's copy
 * before freeing it; reads the first one's attributes when asked. Returns
 * FALSE with no error when it is not there. */
static gboolean
read_chunk (const char   *target,
            guint         chunk,
            GString      *secret,
            gint64       *generation,
            gint64       *n_chunks,
            GError      **error)
{
  g_autofree char *name = chunk_target (target, chunk);
  g_autofree gunichar2 *wtarget = to_utf16 (name, error);
  PCREDENTIALW credential = NULL;

  if (wtarget == NULL)
    return FALSE;
  if (!CredReadW ((LPCWSTR) wtarget, CRED_TYPE_GENERIC, 0, &credential))
    {
      if (GetLastError () != ERROR_NOT_FOUND)
        g_propagate_error (error, map_error (GetLastError (), OP_LOOKUP));
      return FALSE;
    }

  if (generation != NULL)
    *generation = get_number_attribute (credential, ATTR_GENERATION);
  if (n_chunks != NULL)
    *n_chunks = get_number_attribute (credential, ATTR_CHUNKS);
  if (credential->CredentialBlobSize > 0)
    {
      g_string_append_len (secret, (const char *) credential->CredentialBlob,
                           (gssize) credential->CredentialBlobSize);
      pa_compat_secure_zero (credential->CredentialBlob, credential->CredentialBlobSize);
    }
  CredFree (credential);
  return TRUE;
}

/* Wipes and frees @secret; for the error paths. */
static void
wipe_string (GString *secret)
{
  pa_compat_secure_zero (secret->str, secret->allocated_len);
  g_string_free (secret, TRUE);
}

char *
pa_secrets_blocking_lookup (const PaSecretsRequest  *request,
                            GError                 **error)
{
  g_autofree char *target = build_target (request, request->field);
  GError *local_error = NULL;
  GString *secret;
  gint64 generation = -1, n_chunks = -1;
  char *result;

  /* Big enough for every secret, so that growing it leaves no copies. */
  secret = g_string_sized_new (PA_LIMIT_SECRET_BYTES + 1);

  if (!read_chunk (target, 0, secret, &generation, &n_chunks, &local_error))
    {
      wipe_string (secret);
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return NULL;
    }
  /* Written in an older format: it stops matching, as in the other
   * keyrings, instead of being misread. */
  if (generation != PA_SECRETS_GENERATION)
    {
      wipe_string (secret);
      return NULL;
    }

  for (gint64 chunk = 1; chunk < n_chunks && chunk <= MAX_CHUNKS; chunk++)
    {
      if (!read_chunk (target, (guint) chunk, secret, NULL, NULL, &local_error))
        {
          wipe_string (secret);
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              return NULL;
            }
          /* Deleted meanwhile. */
          return NULL;
        }
    }

  if (secret->len == 0 || memchr (secret->str, '\0', secret->len) != NULL ||
      !g_utf8_validate (secret->str, (gssize) secret->len, NULL))
    {
      wipe_string (secret);
      g_propagate_error (error, pa_secrets_not_text_error ());
      return NULL;
    }

  result = g_strndup (secret->str, secret->len);
  wipe_string (secret);
  return result;
}

/* Delete ------------------------------------------------------------------ */

gboolean
pa_secrets_blocking_delete (const PaSecretsRequest  *request,
                            GError                 **error)
{
  g_autofree char *prefix = NULL;
  g_autofree gunichar2 *wfilter = NULL;
  g_autofree char *filter = NULL;
  PCREDENTIALW *credentials = NULL;
  DWORD count = 0;
  gboolean ok = TRUE;

  if (request->field != NULL)
    {
      g_autofree char *target = build_target (request, request->field);

      return delete_chunks_from (target, 0, OP_DELETE, error);
    }

  /* Every field of the profile, of every generation, with its chunks. */
  prefix = build_target (request, NULL);
  filter = g_strconcat (prefix, "*", NULL);
  wfilter = to_utf16 (filter, error);
  if (wfilter == NULL)
    return FALSE;
  if (!CredEnumerateW ((LPCWSTR) wfilter, 0, &count, &credentials))
    {
      if (GetLastError () == ERROR_NOT_FOUND)
        return TRUE;
      g_propagate_error (error, map_error (GetLastError (), OP_DELETE));
      return FALSE;
    }

  for (DWORD i = 0; i < count && ok; i++)
    {
      if (credentials[i]->Type != CRED_TYPE_GENERIC)
        continue;
      if (!CredDeleteW (credentials[i]->TargetName, CRED_TYPE_GENERIC, 0) &&
          GetLastError () != ERROR_NOT_FOUND)
        {
          g_propagate_error (error, map_error (GetLastError (), OP_DELETE));
          ok = FALSE;
        }
    }
  CredFree (credentials);
  return ok;
}
