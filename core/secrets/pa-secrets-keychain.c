/* pa-secrets-keychain.c — the keyring backend for the macOS Keychain
 *
 * SPDX-License-Identifier: MIT
 *
 * Each field is a generic password item of the user's login keychain:
 * service "io.playalter.PlayAlter", account "<platform>/<profile>/<field>"
 * with each name percent-encoded (a "/" in one cannot make it look like
 * another), the label as its name in Keychain Access, and the generation
 * that wrote it in its generic attribute. A locked keychain makes the
 * system ask for its password in a window of its own, while the call
 * blocks (in a worker thread: pa-secrets-thread.c).
 *
 * Core Foundation rule: what a Create or Copy call returns is ours to
 * CFRelease(), exactly once; what a Get call returns is not.
 */
#include "config.h"

#include <string.h>

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-limits.h"

#include "pa-secrets-backend-private.h"

#define SERVICE "io.playalter.PlayAlter"

/* Names and values -------------------------------------------------------- */

static CFStringRef
cf_string (const char *text)
{
  return CFStringCreateWithCString (kCFAllocatorDefault, text, kCFStringEncodingUTF8);
}

/* A CFString as UTF-8, in GLib memory. */
static char *
utf8_from_cf_string (CFStringRef string)
{
  CFIndex length;
  CFIndex size;
  char *text;

  if (string == NULL)
    return NULL;
  length = CFStringGetLength (string);
  size = CFStringGetMaximumSizeForEncoding (length, kCFStringEncodingUTF8) + 1;
  text = g_malloc (size);
  if (!CFStringGetCString (string, text, size, kCFStringEncodingUTF8))
    {
      g_free (text);
      return NULL;
    }
  return text;
}

/* The query for one item, or (@account NULL) for all of ours. */
static CFMutableDictionaryRef
build_query (const char *account)
{
  CFMutableDictionaryRef query;
  CFStringRef service = cf_string (SERVICE);

  query = CFDictionaryCreateMutable (kCFAllocatorDefault, 0,
                                     &kCFTypeDictionaryKeyCallBacks,
                                     &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue (query, kSecClass, kSecClassGenericPassword);
  CFDictionarySetValue (query, kSecAttrService, service);
  CFRelease (service);
  if (account != NULL)
    {
      CFStringRef cf_account = cf_string (account);

      CFDictionarySetValue (query, kSecAttrAccount, cf_account);
      CFRelease (cf_account);
    }
  return query;
}

static CFDataRef
generation_data (void)
{
  static const char generation[] = G_STRINGIFY (PA_SECRETS_GENERATION);

  return CFDataCreate (kCFAllocatorDefault, (const UInt8 *) generation,
                       (CFIndex) strlen (generation));
}

/* Errors ------------------------------------------------------------------ */

static GError *
map_status (OSStatus    status,
            PaSecretsOp kind)
{
  CFStringRef cf_message = SecCopyErrorMessageString (status, NULL);
  g_autofree char *message = utf8_from_cf_string (cf_message);

  if (cf_message != NULL)
    CFRelease (cf_message);
  if (message == NULL)
    message = g_strdup_printf ("OSStatus %d", (int) status);

  switch (status)
    {
    case errSecUserCanceled:
    case errSecAuthFailed:
      return g_error_new_literal (PA_ERROR, PA_ERROR_AUTH,
                                  _("The keychain is locked and the request to unlock "
                                    "it was dismissed. Unlock it in Keychain Access "
                                    "and try again."));
    case errSecInteractionNotAllowed:
      return g_error_new (PA_ERROR, PA_ERROR_AUTH,
                          _("The keychain is locked and cannot ask for its password "
                            "now (%s). Unlock it in Keychain Access and try again."),
                          message);
    case errSecNoSuchKeychain:
    case errSecNotAvailable:
    case errSecNoDefaultKeychain:
      return g_error_new (PA_ERROR, PA_ERROR_UNAVAILABLE,
                          _("No keychain is available (%s). Open Keychain Access and "
                            "make sure your login keychain exists."),
                          message);
    case errSecParam:
    case errSecDecode:
      return pa_secrets_protocol_error (message);
    default:
      break;
    }

  return pa_secrets_failed_error (kind, message);
}

/* Store ------------------------------------------------------------------- */

gboolean
pa_secrets_blocking_store (const PaSecretsRequest  *request,
                           GError                 **error)
{
  g_autofree char *account = pa_secrets_item_name (request, request->field);
  gsize size = strlen (request->secret);
  CFMutableDictionaryRef query;
  CFMutableDictionaryRef attributes;
  CFDataRef value, generation;
  CFStringRef label;
  OSStatus status;

  if (size > PA_LIMIT_SECRET_BYTES)
    {
      g_propagate_error (error, pa_secrets_too_large_error ());
      return FALSE;
    }

  /* No copy of ours: the bytes stay the request's, which wipes them. */
  value = CFDataCreateWithBytesNoCopy (kCFAllocatorDefault, (const UInt8 *) request->secret,
                                       (CFIndex) size, kCFAllocatorNull);
  generation = generation_data ();
  label = cf_string (request->label);

  attributes = CFDictionaryCreateMutable (kCFAllocatorDefault, 0,
                                          &kCFTypeDictionaryKeyCallBacks,
                                          &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue (attributes, kSecValueData, value);
  CFDictionarySetValue (attributes, kSecAttrGeneric, generation);
  if (label != NULL)
    CFDictionarySetValue (attributes, kSecAttrLabel, label);

  query = build_query (account);
  status = SecItemUpdate (query, attributes);
  if (status == errSecItemNotFound)
    {
      /* New: the query's class, service and account, and the values. */
      CFMutableDictionaryRef item = CFDictionaryCreateMutableCopy (kCFAllocatorDefault, 0, query);

      CFDictionarySetValue (item, kSecValueData, value);
      CFDictionarySetValue (item, kSecAttrGeneric, generation);
      if (label != NULL)
        CFDictionarySetValue (item, kSecAttrLabel, label);
      status = SecItemAdd (item, NULL);
      /* Another process added it first: ours replaces it. */
      if (status == errSecDuplicateItem)
        status = SecItemUpdate (query, attributes);
      CFRelease (item);
    }

  CFRelease (query);
  CFRelease (attributes);
  if (label != NULL)
    CFRelease (label);
  CFRelease (generation);
  CFRelease (value);

  if (status != errSecSuccess)
    {
      g_propagate_error (error, map_status (status, OP_STORE));
      return FALSE;
    }
  return TRUE;
}

/* Lookup ------------------------------------------------------------------ */

char *
pa_secrets_blocking_lookup (const PaSecretsRequest  *request,
                            GError                 **error)
{
  g_autofree char *account = pa_secrets_item_name (request, request->field);
  CFMutableDictionaryRef query = build_query (account);
  CFTypeRef result = NULL;
  CFDataRef value, generation, expected;
  gboolean current;
  CFIndex size;
  char *secret;
  OSStatus status;

  CFDictionarySetValue (query, kSecReturnData, kCFBooleanTrue);
  CFDictionarySetValue (query, kSecReturnAttributes, kCFBooleanTrue);
  CFDictionarySetValue (query, kSecMatchLimit, kSecMatchLimitOne);
  status = SecItemCopyMatching (query, &result);
  CFRelease (query);

  if (status == errSecItemNotFound)
    return NULL;
  if (status != errSecSuccess)
    {
      g_propagate_error (error, map_status (status, OP_LOOKUP));
      return NULL;
    }
  if (result == NULL || CFGetTypeID (result) != CFDictionaryGetTypeID ())
    {
      if (result != NULL)
        CFRelease (result);
      g_propagate_error (error, pa_secrets_protocol_error ("SecItemCopyMatching"));
      return NULL;
    }

  /* Written in an older format: it stops matching, as in the other
   * keyrings, instead of being misread. */
  generation = CFDictionaryGetValue (result, kSecAttrGeneric);
  expected = generation_data ();
  current = generation != NULL && CFGetTypeID (generation) == CFDataGetTypeID () &&
            CFEqual (generation, expected);
  CFRelease (expected);
  if (!current)
    {
      CFRelease (result);
      return NULL;
    }

  value = CFDictionaryGetValue (result, kSecValueData);
  if (value == NULL || CFGetTypeID (value) != CFDataGetTypeID () ||
      (size = CFDataGetLength (value)) == 0 || size > PA_LIMIT_SECRET_BYTES ||
      memchr (CFDataGetBytePtr (value), '\0', (size_t) size) != NULL ||
      !g_utf8_validate ((const char *) CFDataGetBytePtr (value), size, NULL))
    {
      CFRelease (result);
      g_propagate_error (error, pa_secrets_not_text_error ());
      return NULL;
    }

  secret = g_strndup ((const char *) CFDataGetBytePtr (value), (gsize) size);
  CFRelease (result);
  return secret;
}

/* Delete ------------------------------------------------------------------ */

/* Deletes every item @account names; none is fine. The file-based
 * keychain deletes one match per call, so go on until none is left. */
static gboolean
delete_account (const char  *account,
                GError     **error)
{
  CFMutableDictionaryRef query = build_query (account);
  OSStatus status = errSecSuccess;

  for (guint i = 0; i < 64 && status == errSecSuccess; i++)
    status = SecItemDelete (query);
  CFRelease (query);

  if (status != errSecSuccess && status != errSecItemNotFound)
    {
      g_propagate_error (error, map_status (status, OP_DELETE));
      return FALSE;
    }
  return TRUE;
}

gboolean
pa_secrets_blocking_delete (const PaSecretsRequest  *request,
                            GError                 **error)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  CFMutableDictionaryRef query;
  CFTypeRef result = NULL;
  OSStatus status;

  if (request->field != NULL)
    {
      g_autofree char *account = pa_secrets_item_name (request, request->field);

      return delete_account (account, error);
    }

  /* Every field of the profile, of every generation: the Keychain cannot
   * match a prefix, so list our accounts and pick. */
  prefix = pa_secrets_item_name (request, NULL);
  query = build_query (NULL);
  CFDictionarySetValue (query, kSecReturnAttributes, kCFBooleanTrue);
  CFDictionarySetValue (query, kSecMatchLimit, kSecMatchLimitAll);
  status = SecItemCopyMatching (query, &result);
  CFRelease (query);

  if (status == errSecItemNotFound)
    return TRUE;
  if (status != errSecSuccess)
    {
      g_propagate_error (error, map_status (status, OP_DELETE));
      return FALSE;
    }

  accounts = g_ptr_array_new_with_free_func (g_free);
  if (result != NULL && CFGetTypeID (result) == CFArrayGetTypeID ())
    {
      for (CFIndex i = 0; i < CFArrayGetCount (result); i++)
        {
          CFDictionaryRef item = CFArrayGetValueAtIndex (result, i);
          CFStringRef cf_account;
          char *account;

          if (CFGetTypeID (item) != CFDictionaryGetTypeID ())
            continue;
          cf_account = CFDictionaryGetValue (item, kSecAttrAccount);
          if (cf_account == NULL || CFGetTypeID (cf_account) != CFStringGetTypeID ())
            continue;
          account = utf8_from_cf_string (cf_account);
          if (account != NULL && g_str_has_prefix (account, prefix))
            g_ptr_array_add (accounts, account);
          else
            g_free (account);
        }
    }
  if (result != NULL)
    CFRelease (result);

  for (guint i = 0; i < accounts->len; i++)
    {
      if (!delete_account (g_ptr_array_index (accounts, i), error))
        return FALSE;
    }
  return TRUE;
}
