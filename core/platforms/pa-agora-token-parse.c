/* pa-agora-token-parse.c — Agora AccessToken2 ("007…") tokens: parse, verify
 *
 * The layout is described in pa-agora-token.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <zlib.h>

#include <glib/gi18n-lib.h>

#include "pa-limits.h"
#include "pa-error.h"
#include "pa-agora-token-private.h"

/* Tokens travel in HTTP headers and SDK calls; anything larger than this
 * inflated is not a token, and inflating it could exhaust memory. */
#define MAX_PAYLOAD_BYTES   PA_LIMIT_AGORA_TOKEN_PAYLOAD_BYTES
#define MAX_TOKEN_CHARS     PA_LIMIT_AGORA_TOKEN_CHARS

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

  if (text_len < PA_AGORA_TOKEN_VERSION_LEN || memcmp (token, PA_AGORA_TOKEN_VERSION, PA_AGORA_TOKEN_VERSION_LEN) != 0)
    {
      if (text_len >= PA_AGORA_TOKEN_VERSION_LEN && g_ascii_isdigit (token[0]) && g_ascii_isdigit (token[1]) &&
          g_ascii_isdigit (token[2]))
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("This Agora token is version %.3s; only AccessToken2 tokens (version 007) are supported."),
                     token);
      else
        malformed (error, _("it does not start with the version “007”."));
      return NULL;
    }

  token += PA_AGORA_TOKEN_VERSION_LEN;
  text_len -= PA_AGORA_TOKEN_VERSION_LEN;
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
  info->version = g_strdup (PA_AGORA_TOKEN_VERSION);
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
  guint8 expected[PA_AGORA_TOKEN_SIGNATURE_LEN];
  gboolean match;

  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (app_certificate != NULL, FALSE);

  if (!pa_agora_token_is_hex_id (app_certificate))
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
  pa_agora_token_sign (app_certificate, header.issue_ts, header.salt,
                       header.content, header.content_len, expected);
  match = header.signature_len == PA_AGORA_TOKEN_SIGNATURE_LEN &&
          CRYPTO_memcmp (expected, header.signature, PA_AGORA_TOKEN_SIGNATURE_LEN) == 0;
  OPENSSL_cleanse (expected, sizeof expected);

  if (!match)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
                   _("The Agora token’s signature does not match this app certificate: it was signed with another certificate or altered."));
      return FALSE;
    }

  return TRUE;
}
