/* pa-stripe-webhook.c — checks the Stripe-Signature header of a webhook
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-stripe-webhook.h"

#define DIGEST_LEN 32  /* SHA-256 */

static gboolean
compute_signature (const char *payload,
                   gsize       len,
                   const char *secret,
                   gint64      timestamp,
                   guint8      digest[DIGEST_LEN])
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT ".", timestamp);
  unsigned int digest_len = 0;

  /* Stripe signs the raw bytes it sent, so the payload is never
   * re-encoded or parsed first. */
  g_byte_array_append (message, (const guint8 *) prefix, strlen (prefix));
  if (len > 0)
    g_byte_array_append (message, (const guint8 *) payload, len);

  if (HMAC (EVP_sha256 (), secret, (int) strlen (secret),
            message->data, message->len, digest, &digest_len) == NULL)
    return FALSE;
  return digest_len == DIGEST_LEN;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
decode_hex_digest (const char *hex,
                   guint8      digest[DIGEST_LEN])
{
  if (strlen (hex) != DIGEST_LEN * 2)
    return FALSE;

  for (guint i = 0; i < DIGEST_LEN; i++)
    {
      int hi = hex_value (hex[2 * i]);
      int lo = hex_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      digest[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
parse_timestamp (const char *text,
                 gint64     *out)
{
  guint64 value = 0;

  if (text[0] == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
      /* Far beyond any real time; also keeps the product from wrapping. */
      if (value > G_MAXINT64 / 100)
        return FALSE;
    }
  *out = (gint64) value;
  return TRUE;
}

static gboolean
malformed (GError     **error,
           const char  *why)
{
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("The Stripe-Signature header is malformed: %s. "
                 "The request did not come from Stripe as sent."), why);
  return FALSE;
}

gboolean
pa_stripe_webhook_verify (const char  *payload,
                          gsize        len,
                          const char  *signature_header,
                          const char  *secret,
                          gint64       now_s,
                          gint64       tolerance_s,
                          GError     **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GPtrArray) signatures = g_ptr_array_new_with_free_func (g_free);
  guint8 expected[DIGEST_LEN];
  gboolean have_timestamp = FALSE;
  gboolean matched = FALSE;
  gint64 timestamp = 0;

  g_return_val_if_fail (payload != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (secret == NULL || secret[0] == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("No webhook signing secret is set. Copy the endpoint’s "
                             "signing secret (whsec_…) from the Stripe Dashboard."));
      return FALSE;
    }

  if (signature_header == NULL || signature_header[0] == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("The request has no Stripe-Signature header, so it cannot "
                             "be shown to come from Stripe."));
      return FALSE;
    }

  items = g_strsplit (signature_header, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      char *eq;
      const char *key;
      const char *value;

      if (item[0] == '\0')
        continue;

      eq = strchr (item, '=');
      if (eq == NULL)
        return malformed (error, _("an entry has no “=”"));
      *eq = '\0';
      key = item;
      value = eq + 1;

      if (g_str_equal (key, "t"))
        {
          if (have_timestamp)
            return malformed (error, _("the timestamp appears twice"));
          if (!parse_timestamp (value, &timestamp))
            return malformed (error, _("the timestamp is not a number of seconds"));
          have_timestamp = TRUE;
        }
      else if (g_str_equal (key, "v1"))
        {
          guint8 *digest = g_malloc (DIGEST_LEN);

          g_ptr_array_add (signatures, digest);
          if (!decode_hex_digest (value, digest))
            return malformed (error, _("a v1 signature is not 64 hexadecimal digits"));
        }
      /* v0 and any future scheme: not ours to check. */
    }

  if (!have_timestamp)
    return malformed (error, _("it has no timestamp (t=…)"));
  if (signatures->len == 0)
    return malformed (error, _("it has no v1 signature"));

  if (!compute_signature (payload, len, secret, timestamp, expected))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_FAILED,
                           _("Could not compute the webhook signature (OpenSSL failed)."));
      return FALSE;
    }

  /* Every candidate is compared, in constant time, so timing tells an
   * attacker nothing about which bytes or which entry came close. */
  for (guint i = 0; i < signatures->len; i++)
    matched |= CRYPTO_memcmp (expected, signatures->pdata[i], DIGEST_LEN) == 0;
  OPENSSL_cleanse (expected, sizeof expected);

  if (!matched)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_AUTH,
                           _("The webhook signature does not match: the body was changed "
                             "or it was signed with another secret. Check the endpoint’s "
                             "signing secret."));
      return FALSE;
    }

  if (tolerance_s > 0 && (now_s - timestamp > tolerance_s || timestamp - now_s > tolerance_s))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
                   _("The webhook signature is %" PRId64 " s away from now, more "
                     "than the %" PRId64 " s allowed: it may be a replay. Check "
                     "the computer’s clock."),
                   ABS (now_s - timestamp), tolerance_s);
      return FALSE;
    }

  return TRUE;
}

char *
pa_stripe_webhook_sign (const char *payload,
                        gsize       len,
                        const char *secret,
                        gint64      timestamp)
{
  guint8 digest[DIGEST_LEN];
  GString *header;

  g_return_val_if_fail (payload != NULL || len == 0, NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (timestamp >= 0, NULL);

  if (!compute_signature (payload, len, secret, timestamp, digest))
    return NULL;

  header = g_string_new (NULL);
  g_string_append_printf (header, "t=%" G_GINT64_FORMAT ",v1=", timestamp);
  for (guint i = 0; i < DIGEST_LEN; i++)
    g_string_append_printf (header, "%02x", digest[i]);
  OPENSSL_cleanse (digest, sizeof digest);

  return g_string_free (header, FALSE);
}
