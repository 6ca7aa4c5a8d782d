/* pa-agora-token.c — Agora AccessToken2 ("007…") tokens: build
 *
 * Parsing and verifying are in pa-agora-token-parse.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-agora-token-private.h"

/* The layout, all integers little-endian, strings as a uint16 length and
 * the bytes:
 *
 *   token   = "007" base64(zlib(payload))
 *   payload = string signature, content
 *   content = string app_id, u32 issue_ts, u32 expire, u32 salt,
 *             u16 n_services, service…            (by ascending type)
 *   service = u16 type, u16 n_privileges, (u16 id, u32 expire)…  (by id),
 *             then per type: RTC string channel, string uid;
 *             RTM and chat string user_id; FPA nothing
 *
 * signature = HMAC-SHA256(key = signing, content), where
 * signing   = HMAC-SHA256(key = u32 salt, HMAC-SHA256(key = u32 issue_ts,
 *                                                     app_certificate)). */

struct _PaAgoraToken
{
  char        *app_id;
  char        *app_certificate;
  guint32      issue_ts;
  guint32      salt;
  guint32      expire_s;

  gboolean     has_rtc;
  char        *rtc_channel;
  char        *rtc_uid;
  PaAgoraRole  rtc_role;
  guint32      rtc_expire_s;

  gboolean     has_rtm;
  char        *rtm_user;
  guint32      rtm_expire_s;
};

/* ---- small helpers ------------------------------------------------------ */

static void
wipe_string (char *str)
{
  if (str != NULL)
    {
      OPENSSL_cleanse (str, strlen (str));
      g_free (str);
    }
}

gboolean
pa_agora_token_is_hex_id (const char *str)
{
  if (str == NULL || strlen (str) != PA_AGORA_TOKEN_HEX_ID_LEN)
    return FALSE;
  for (const char *p = str; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p))
        return FALSE;
    }
  return TRUE;
}

static void
put_u16 (GByteArray *out,
         guint16     value)
{
  guint8 bytes[2] = { value & 0xff, value >> 8 };

  g_byte_array_append (out, bytes, sizeof bytes);
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 bytes[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24 };

  g_byte_array_append (out, bytes, sizeof bytes);
}

/* The caller has checked that @len fits in 16 bits. */
static void
put_bytes (GByteArray   *out,
           const guint8 *data,
           gsize         len)
{
  g_assert (len <= G_MAXUINT16);
  put_u16 (out, (guint16) len);
  if (len > 0)
    g_byte_array_append (out, data, (guint) len);
}

static void
put_string (GByteArray *out,
            const char *str)
{
  put_bytes (out, (const guint8 *) str, strlen (str));
}

static void
hmac_sha256 (const guint8 *key,
             gsize         key_len,
             const guint8 *data,
             gsize         data_len,
             guint8        out[PA_AGORA_TOKEN_SIGNATURE_LEN])
{
  unsigned int out_len = PA_AGORA_TOKEN_SIGNATURE_LEN;

  if (HMAC (EVP_sha256 (), key, (int) key_len, data, data_len, out, &out_len) == NULL ||
      out_len != PA_AGORA_TOKEN_SIGNATURE_LEN)
    g_error ("HMAC-SHA256 failed in OpenSSL");
}

void
pa_agora_token_sign (const char   *app_certificate,
                     guint32       issue_ts,
                     guint32       salt,
                     const guint8 *content,
                     gsize         content_len,
                     guint8        signature[PA_AGORA_TOKEN_SIGNATURE_LEN])
{
  guint8 ts_key[4] = { issue_ts & 0xff, (issue_ts >> 8) & 0xff, (issue_ts >> 16) & 0xff, issue_ts >> 24 };
  guint8 salt_key[4] = { salt & 0xff, (salt >> 8) & 0xff, (salt >> 16) & 0xff, salt >> 24 };
  guint8 first[PA_AGORA_TOKEN_SIGNATURE_LEN];
  guint8 signing[PA_AGORA_TOKEN_SIGNATURE_LEN];

  hmac_sha256 (ts_key, sizeof ts_key,
               (const guint8 *) app_certificate, strlen (app_certificate), first);
  hmac_sha256 (salt_key, sizeof salt_key, first, sizeof first, signing);
  hmac_sha256 (signing, sizeof signing, content, content_len, signature);

  OPENSSL_cleanse (first, sizeof first);
  OPENSSL_cleanse (signing, sizeof signing);
}

/* ---- building ------------------------------------------------------------ */

PaAgoraToken *
pa_agora_token_new (const char *app_id,
                    const char *app_certificate,
                    guint32     issue_ts,
                    guint32     salt,
                    guint32     expire_s)
{
  PaAgoraToken *self;

  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (app_certificate != NULL, NULL);

  self = g_new0 (PaAgoraToken, 1);
  self->app_id = g_strdup (app_id);
  self->app_certificate = g_strdup (app_certificate);
  self->issue_ts = issue_ts;
  self->salt = salt;
  self->expire_s = expire_s;

  return self;
}

void
pa_agora_token_free (PaAgoraToken *self)
{
  if (self == NULL)
    return;

  g_free (self->app_id);
  wipe_string (self->app_certificate);
  g_free (self->rtc_channel);
  g_free (self->rtc_uid);
  g_free (self->rtm_user);
  g_free (self);
}

void
pa_agora_token_add_rtc (PaAgoraToken *self,
                        const char   *channel,
                        const char   *uid,
                        PaAgoraRole   role,
                        guint32       privilege_expire_s)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (channel != NULL);
  g_return_if_fail (uid != NULL);
  g_return_if_fail (role == PA_AGORA_ROLE_PUBLISHER || role == PA_AGORA_ROLE_SUBSCRIBER);

  g_free (self->rtc_channel);
  g_free (self->rtc_uid);
  self->has_rtc = TRUE;
  self->rtc_channel = g_strdup (channel);
  self->rtc_uid = g_strdup (uid);
  self->rtc_role = role;
  self->rtc_expire_s = privilege_expire_s;
}

void
pa_agora_token_add_rtm (PaAgoraToken *self,
                        const char   *user_id,
                        guint32       privilege_expire_s)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (user_id != NULL);

  g_free (self->rtm_user);
  self->has_rtm = TRUE;
  self->rtm_user = g_strdup (user_id);
  self->rtm_expire_s = privilege_expire_s;
}

static gboolean
check_string_length (const char  *what,
                     const char  *str,
                     GError     **error)
{
  if (strlen (str) > G_MAXUINT16)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The Agora token’s %s is longer than the %u bytes a token can hold."),
                   what, (guint) G_MAXUINT16);
      return FALSE;
    }
  return TRUE;
}

static GByteArray *
pack_content (PaAgoraToken *self)
{
  GByteArray *out = g_byte_array_new ();

  put_string (out, self->app_id);
  put_u32 (out, self->issue_ts);
  put_u32 (out, self->expire_s);
  put_u32 (out, self->salt);
  put_u16 (out, (self->has_rtc ? 1 : 0) + (self->has_rtm ? 1 : 0));

  /* Services and privileges go in ascending order, as the map-based
   * reference builders emit them; the signature depends on it. */
  if (self->has_rtc)
    {
      put_u16 (out, PA_AGORA_SERVICE_RTC);
      if (self->rtc_role == PA_AGORA_ROLE_PUBLISHER)
        {
          put_u16 (out, 4);
          for (guint16 id = PA_AGORA_PRIVILEGE_JOIN_CHANNEL; id <= PA_AGORA_PRIVILEGE_PUBLISH_DATA_STREAM; id++)
            {
              put_u16 (out, id);
              put_u32 (out, self->rtc_expire_s);
            }
        }
      else
        {
          put_u16 (out, 1);
          put_u16 (out, PA_AGORA_PRIVILEGE_JOIN_CHANNEL);
          put_u32 (out, self->rtc_expire_s);
        }
      put_string (out, self->rtc_channel);
      put_string (out, self->rtc_uid);
    }

  if (self->has_rtm)
    {
      put_u16 (out, PA_AGORA_SERVICE_RTM);
      put_u16 (out, 1);
      put_u16 (out, PA_AGORA_PRIVILEGE_RTM_LOGIN);
      put_u32 (out, self->rtm_expire_s);
      put_string (out, self->rtm_user);
    }

  return out;
}

char *
pa_agora_token_build (PaAgoraToken  *self,
                      GError       **error)
{
  g_autoptr(GByteArray) content = NULL;
  g_autoptr(GByteArray) payload = NULL;
  g_autofree guint8 *compressed = NULL;
  g_autofree char *encoded = NULL;
  guint8 signature[PA_AGORA_TOKEN_SIGNATURE_LEN];
  uLongf compressed_len;
  int status;

  g_return_val_if_fail (self != NULL, NULL);

  if (!pa_agora_token_is_hex_id (self->app_id))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The Agora app ID should be 32 hexadecimal characters, as shown in the Agora Console."));
      return NULL;
    }
  if (!pa_agora_token_is_hex_id (self->app_certificate))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The Agora app certificate should be 32 hexadecimal characters, as shown in the Agora Console."));
      return NULL;
    }
  if (!self->has_rtc && !self->has_rtm)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("An Agora token needs at least one service (RTC or RTM)."));
      return NULL;
    }
  if ((self->has_rtc && (!check_string_length (_("channel name"), self->rtc_channel, error) ||
                         !check_string_length (_("user ID"), self->rtc_uid, error))) ||
      (self->has_rtm && !check_string_length (_("user ID"), self->rtm_user, error)))
    return NULL;

  content = pack_content (self);
  pa_agora_token_sign (self->app_certificate, self->issue_ts, self->salt,
                       content->data, content->len, signature);

  payload = g_byte_array_sized_new (content->len + 2 + PA_AGORA_TOKEN_SIGNATURE_LEN);
  put_bytes (payload, signature, PA_AGORA_TOKEN_SIGNATURE_LEN);
  g_byte_array_append (payload, content->data, content->len);

  compressed_len = compressBound (payload->len);
  compressed = g_malloc (compressed_len);
  status = compress2 (compressed, &compressed_len, payload->data, payload->len, Z_DEFAULT_COMPRESSION);
  if (status != Z_OK)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("Could not compress the Agora token (zlib error %d)."), status);
      return NULL;
    }

  encoded = g_base64_encode (compressed, compressed_len);
  return g_strconcat (PA_AGORA_TOKEN_VERSION, encoded, NULL);
}

char *
pa_agora_build_rtc_token (const char   *app_id,
                          const char   *app_certificate,
                          const char   *channel,
                          guint32       uid,
                          PaAgoraRole   role,
                          guint32       expire_s,
                          GError      **error)
{
  g_autoptr(PaAgoraToken) token = NULL;
  g_autofree char *uid_str = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint32 salt = 0;

  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (app_certificate != NULL, NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  /* The salt makes two tokens issued in the same second differ; it need
   * not be secret, but a predictable one would help nobody. */
  if (RAND_bytes ((unsigned char *) &salt, sizeof salt) != 1)
    salt = g_random_int ();
  salt = salt % 99999999 + 1;

  /* uid 0 is Agora's "any user": the token then carries an empty uid. */
  uid_str = uid == 0 ? g_strdup ("") : g_strdup_printf ("%" G_GUINT32_FORMAT, uid);

  token = pa_agora_token_new (app_id, app_certificate, (guint32) CLAMP (now, 0, G_MAXUINT32), salt, expire_s);
  pa_agora_token_add_rtc (token, channel, uid_str, role, expire_s);

  return pa_agora_token_build (token, error);
}
