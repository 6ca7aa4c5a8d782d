/* pa-agora-token.c — Agora AccessToken2 ("007…") tokens: build, parse, verify
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
#include "pa-agora-token.h"

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

#define VERSION             "007"
#define VERSION_LEN         3
#define HEX_ID_LEN          32
#define SIGNATURE_LEN       32
/* Tokens travel in HTTP headers and SDK calls; anything larger than this
 * inflated is not a token, and inflating it could exhaust memory. */
#define MAX_PAYLOAD_BYTES   (256 * 1024)
#define MAX_TOKEN_CHARS     (64 * 1024)

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

static gboolean
is_hex_id (const char *str)
{
  if (str == NULL || strlen (str) != HEX_ID_LEN)
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
             guint8        out[SIGNATURE_LEN])
{
  unsigned int out_len = SIGNATURE_LEN;

  if (HMAC (EVP_sha256 (), key, (int) key_len, data, data_len, out, &out_len) == NULL ||
      out_len != SIGNATURE_LEN)
    g_error ("HMAC-SHA256 failed in OpenSSL");
}

/* The signature of @content, from the certificate, issue time and salt. */
static void
sign_content (const char   *app_certificate,
              guint32       issue_ts,
              guint32       salt,
              const guint8 *content,
              gsize         content_len,
              guint8        signature[SIGNATURE_LEN])
{
  guint8 ts_key[4] = { issue_ts & 0xff, (issue_ts >> 8) & 0xff, (issue_ts >> 16) & 0xff, issue_ts >> 24 };
  guint8 salt_key[4] = { salt & 0xff, (salt >> 8) & 0xff, (salt >> 16) & 0xff, salt >> 24 };
  guint8 first[SIGNATURE_LEN];
  guint8 signing[SIGNATURE_LEN];

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
  guint8 signature[SIGNATURE_LEN];
  uLongf compressed_len;
  int status;

  g_return_val_if_fail (self != NULL, NULL);

  if (!is_hex_id (self->app_id))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The Agora app ID should be 32 hexadecimal characters, as shown in the Agora Console."));
      return NULL;
    }
  if (!is_hex_id (self->app_certificate))
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
  sign_content (self->app_certificate, self->issue_ts, self->salt,
                content->data, content->len, signature);

  payload = g_byte_array_sized_new (content->len + 2 + SIGNATURE_LEN);
  put_bytes (payload, signature, SIGNATURE_LEN);
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
  return g_strconcat (VERSION, encoded, NULL);
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

/* ---- decoding ------------------------------------------------------------ */

static gboolean
malformed (GError     **error,
           const char  *why)
{
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("This is not a valid Agora token: %s"), why);
  return FALSE;
}

/* Standard padded base64, as every AccessToken2 builder writes it, and
 * nothing else: GLib's decoder would silently skip stray characters, and
 * accepting a missing "=" would let a cut-off token pass as whole. */
static gboolean
check_base64 (const char  *text,
              gsize        len,
              GError     **error)
{
  gsize padding = 0;

  if (len == 0)
    return malformed (error, _("it has nothing after the version."));

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          padding++;
          continue;
        }
      if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return malformed (error, _("it holds characters that are not base64."));
    }

  if (padding > 2 || len % 4 != 0)
    return malformed (error, _("its base64 text is cut short."));

  return TRUE;
}

static GBytes *
decode_payload (const char  *token,
                GError     **error)
{
  g_autofree char *padded = NULL;
  g_autofree guint8 *compressed = NULL;
  g_autofree guint8 *out = NULL;
  gsize text_len;
  gsize compressed_len;
  z_stream stream = { 0 };
  gsize out_size = 4096;
  int status;

  g_return_val_if_fail (token != NULL, NULL);

  text_len = strnlen (token, MAX_TOKEN_CHARS + 1);
  if (text_len > MAX_TOKEN_CHARS)
    {
      malformed (error, _("it is far too long."));
      return NULL;
    }

  if (text_len < VERSION_LEN || memcmp (token, VERSION, VERSION_LEN) != 0)
    {
      if (text_len >= VERSION_LEN && g_ascii_isdigit (token[0]) && g_ascii_isdigit (token[1]) &&
          g_ascii_isdigit (token[2]))
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("This Agora token is version %.3s; only AccessToken2 tokens (version 007) are supported."),
                     token);
      else
        malformed (error, _("it does not start with the version “007”."));
      return NULL;
    }

  token += VERSION_LEN;
  text_len -= VERSION_LEN;
  if (!check_base64 (token, text_len, error))
    return NULL;

  padded = g_strndup (token, text_len);
  compressed = g_base64_decode (padded, &compressed_len);

  if (compressed_len == 0 || compressed_len > G_MAXUINT)
    {
      malformed (error, _("it is empty once decoded."));
      return NULL;
    }

  if (inflateInit (&stream) != Z_OK)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("Could not start zlib to read the Agora token."));
      return NULL;
    }

  out = g_malloc (out_size);
  stream.next_in = compressed;
  stream.avail_in = (uInt) compressed_len;
  stream.next_out = out;
  stream.avail_out = (uInt) out_size;

  for (;;)
    {
      status = inflate (&stream, Z_NO_FLUSH);
      if (status == Z_STREAM_END)
        break;
      if (status == Z_BUF_ERROR && stream.avail_in == 0)
        {
          inflateEnd (&stream);
          malformed (error, _("its compressed data is cut short."));
          return NULL;
        }
      if (status != Z_OK && status != Z_BUF_ERROR)
        {
          inflateEnd (&stream);
          malformed (error, _("its compressed data is corrupt."));
          return NULL;
        }
      if (stream.avail_out == 0)
        {
          gsize used = out_size;

          if (out_size >= MAX_PAYLOAD_BYTES)
            {
              inflateEnd (&stream);
              malformed (error, _("it inflates to far more than any token holds."));
              return NULL;
            }
          out_size *= 2;
          out = g_realloc (out, out_size);
          stream.next_out = out + used;
          stream.avail_out = (uInt) (out_size - used);
        }
    }

  if (stream.avail_in != 0)
    {
      inflateEnd (&stream);
      malformed (error, _("it has extra bytes after its compressed data."));
      return NULL;
    }

  out_size = stream.total_out;
  inflateEnd (&stream);

  return g_bytes_new_take (g_steal_pointer (&out), out_size);
}

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static gboolean
read_u16 (Reader  *reader,
          guint16 *value)
{
  if (reader->len - reader->pos < 2)
    return FALSE;
  *value = (guint16) (reader->data[reader->pos] | reader->data[reader->pos + 1] << 8);
  reader->pos += 2;
  return TRUE;
}

static gboolean
read_u32 (Reader  *reader,
          guint32 *value)
{
  const guint8 *p = reader->data + reader->pos;

  if (reader->len - reader->pos < 4)
    return FALSE;
  *value = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
  reader->pos += 4;
  return TRUE;
}

static gboolean
read_bytes (Reader        *reader,
            const guint8 **bytes,
            guint16       *len)
{
  if (!read_u16 (reader, len) || reader->len - reader->pos < *len)
    return FALSE;
  *bytes = reader->data + reader->pos;
  reader->pos += *len;
  return TRUE;
}

/* A string without NUL bytes, which would silently cut it short. */
static gboolean
read_string (Reader  *reader,
             char   **str)
{
  const guint8 *bytes;
  guint16 len;

  if (!read_bytes (reader, &bytes, &len) || memchr (bytes, '\0', len) != NULL)
    return FALSE;
  *str = g_strndup ((const char *) bytes, len);
  return TRUE;
}

typedef struct {
  const guint8 *signature;
  guint16       signature_len;
  const guint8 *content;
  gsize         content_len;
  char         *app_id;
  guint32       issue_ts;
  guint32       expire_s;
  guint32       salt;
} Header;

static void
header_clear (Header *header)
{
  g_clear_pointer (&header->app_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Header, header_clear)

/* Reads the signature and the fixed fields that open the content; @reader
 * is left at the service count. */
static gboolean
read_header (Reader  *reader,
             Header  *header,
             GError **error)
{
  if (!read_bytes (reader, &header->signature, &header->signature_len))
    return malformed (error, _("its signature is cut short."));

  header->content = reader->data + reader->pos;
  header->content_len = reader->len - reader->pos;

  if (!read_string (reader, &header->app_id) ||
      !read_u32 (reader, &header->issue_ts) ||
      !read_u32 (reader, &header->expire_s) ||
      !read_u32 (reader, &header->salt))
    return malformed (error, _("its app ID, issue time, expiry or salt is cut short."));

  return TRUE;
}

static void
service_free (PaAgoraService *service)
{
  g_free (service->channel);
  g_free (service->user);
  g_clear_pointer (&service->privileges, g_array_unref);
  g_free (service);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAgoraService, service_free)

static PaAgoraService *
read_service (Reader  *reader,
              GError **error)
{
  g_autoptr(PaAgoraService) service = g_new0 (PaAgoraService, 1);
  guint16 n_privileges;

  if (!read_u16 (reader, &service->type) || !read_u16 (reader, &n_privileges))
    {
      malformed (error, _("a service is cut short."));
      return NULL;
    }

  service->privileges = g_array_sized_new (FALSE, TRUE, sizeof (PaAgoraPrivilege), n_privileges);
  for (guint i = 0; i < n_privileges; i++)
    {
      PaAgoraPrivilege privilege = { 0 };

      if (!read_u16 (reader, &privilege.id) || !read_u32 (reader, &privilege.expire_s))
        {
          malformed (error, _("a privilege is cut short."));
          return NULL;
        }
      g_array_append_val (service->privileges, privilege);
    }

  switch (service->type)
    {
    case PA_AGORA_SERVICE_RTC:
      if (!read_string (reader, &service->channel) || !read_string (reader, &service->user))
        {
          malformed (error, _("its RTC channel or user ID is cut short."));
          return NULL;
        }
      break;
    case PA_AGORA_SERVICE_RTM:
    case PA_AGORA_SERVICE_CHAT:
      if (!read_string (reader, &service->user))
        {
          malformed (error, _("a user ID is cut short."));
          return NULL;
        }
      break;
    case PA_AGORA_SERVICE_FPA:
      break;
    default:
      /* Each service type has its own trailing fields: an unknown one
       * leaves no way to find where the next service starts. */
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("This Agora token holds a service of type %u, which PlayAlter cannot read."),
                   service->type);
      return NULL;
    }

  return g_steal_pointer (&service);
}

static void
compute_expiry (PaAgoraTokenInfo *info,
                gint64            now)
{
  info->expires_at = (gint64) info->issue_ts + info->expire_s;
  info->expired = now >= info->expires_at;

  for (guint i = 0; i < info->services->len; i++)
    {
      PaAgoraService *service = g_ptr_array_index (info->services, i);

      for (guint j = 0; j < service->privileges->len; j++)
        {
          PaAgoraPrivilege *privilege = &g_array_index (service->privileges, PaAgoraPrivilege, j);

          privilege->expires_at = privilege->expire_s != 0
                                  ? (gint64) info->issue_ts + privilege->expire_s
                                  : info->expires_at;
          privilege->expired = now >= privilege->expires_at;
        }
    }
}

PaAgoraTokenInfo *
pa_agora_token_parse_at (const char  *token,
                         gint64       now,
                         GError     **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(PaAgoraTokenInfo) info = NULL;
  g_auto(Header) header = { 0 };
  Reader reader = { 0 };
  guint16 n_services;

  g_return_val_if_fail (token != NULL, NULL);

  payload = decode_payload (token, error);
  if (payload == NULL)
    return NULL;

  reader.data = g_bytes_get_data (payload, &reader.len);
  if (!read_header (&reader, &header, error))
    return NULL;

  info = g_new0 (PaAgoraTokenInfo, 1);
  info->version = g_strdup (VERSION);
  info->app_id = g_steal_pointer (&header.app_id);
  info->issue_ts = header.issue_ts;
  info->expire_s = header.expire_s;
  info->salt = header.salt;
  info->signature = g_bytes_new (header.signature, header.signature_len);
  info->services = g_ptr_array_new_with_free_func ((GDestroyNotify) service_free);

  if (!read_u16 (&reader, &n_services))
    {
      malformed (error, _("its list of services is cut short."));
      return NULL;
    }

  for (guint i = 0; i < n_services; i++)
    {
      PaAgoraService *service = read_service (&reader, error);

      if (service == NULL)
        return NULL;
      g_ptr_array_add (info->services, service);
    }

  if (reader.pos != reader.len)
    {
      malformed (error, _("it has extra bytes after its last service."));
      return NULL;
    }

  compute_expiry (info, now);
  return g_steal_pointer (&info);
}

PaAgoraTokenInfo *
pa_agora_token_parse (const char  *token,
                      GError     **error)
{
  return pa_agora_token_parse_at (token, g_get_real_time () / G_USEC_PER_SEC, error);
}

void
pa_agora_token_info_free (PaAgoraTokenInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->version);
  g_free (info->app_id);
  g_clear_pointer (&info->services, g_ptr_array_unref);
  g_clear_pointer (&info->signature, g_bytes_unref);
  g_free (info);
}

const PaAgoraService *
pa_agora_token_info_get_service (const PaAgoraTokenInfo *info,
                                 guint16                 type)
{
  g_return_val_if_fail (info != NULL, NULL);

  for (guint i = 0; i < info->services->len; i++)
    {
      const PaAgoraService *service = g_ptr_array_index (info->services, i);

      if (service->type == type)
        return service;
    }
  return NULL;
}

const PaAgoraPrivilege *
pa_agora_service_get_privilege (const PaAgoraService *service,
                                guint16               id)
{
  g_return_val_if_fail (service != NULL, NULL);

  for (guint i = 0; i < service->privileges->len; i++)
    {
      const PaAgoraPrivilege *privilege = &g_array_index (service->privileges, PaAgoraPrivilege, i);

      if (privilege->id == id)
        return privilege;
    }
  return NULL;
}

gboolean
pa_agora_token_info_has_expired (const PaAgoraTokenInfo *info)
{
  g_return_val_if_fail (info != NULL, TRUE);

  if (info->expired)
    return TRUE;

  for (guint i = 0; i < info->services->len; i++)
    {
      const PaAgoraService *service = g_ptr_array_index (info->services, i);

      for (guint j = 0; j < service->privileges->len; j++)
        {
          if (g_array_index (service->privileges, PaAgoraPrivilege, j).expired)
            return TRUE;
        }
    }
  return FALSE;
}

gboolean
pa_agora_token_verify (const char  *token,
                       const char  *app_certificate,
                       GError     **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_auto(Header) header = { 0 };
  Reader reader = { 0 };
  guint8 expected[SIGNATURE_LEN];
  gboolean match;

  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (app_certificate != NULL, FALSE);

  if (!is_hex_id (app_certificate))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The Agora app certificate should be 32 hexadecimal characters, as shown in the Agora Console."));
      return FALSE;
    }

  payload = decode_payload (token, error);
  if (payload == NULL)
    return FALSE;

  reader.data = g_bytes_get_data (payload, &reader.len);
  if (!read_header (&reader, &header, error))
    return FALSE;

  /* The signature covers everything after it, services included, so the
   * services need not be understood to check it. */
  sign_content (app_certificate, header.issue_ts, header.salt,
                header.content, header.content_len, expected);
  match = header.signature_len == SIGNATURE_LEN &&
          CRYPTO_memcmp (expected, header.signature, SIGNATURE_LEN) == 0;
  OPENSSL_cleanse (expected, sizeof expected);

  if (!match)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
                   _("The Agora token’s signature does not match this app certificate: it was signed with another certificate or altered."));
      return FALSE;
    }

  return TRUE;
}
