/* test-agora-token.c — AccessToken2 against Agora's own SDK vectors, and malformed tokens
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "pa-agora-token.h"
#include "pa-error.h"
#include "pa-test-peer.h"

#define AGORA_APP_ID   "970CA35de60c44645bbae8a215061b33"
#define CERT     "5CFd2fd1755d40ecb72977518be15d3b"
#define CERT_2   "0123456789abcdef0123456789abcdef"
#define CHANNEL  "7d72365eb983485397e3e3f9d460bdda"

/* ---- helpers independent of the code under test ------------------------- */

static GBytes *
hex_decode (const char *hex)
{
  gsize len = strlen (hex);
  GByteArray *out = g_byte_array_sized_new (len / 2);

  g_assert_cmpuint (len % 2, ==, 0);
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = g_ascii_xdigit_value (hex[i]);
      int lo = g_ascii_xdigit_value (hex[i + 1]);
      guint8 byte;

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      byte = (guint8) (hi << 4 | lo);
      g_byte_array_append (out, &byte, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

/* The zlib-inflated payload of a "007…" token, decoded here with zlib
 * directly rather than through the parser under test. */
static GBytes *
inflate_token (const char *token)
{
  g_autofree guint8 *compressed = NULL;
  gsize compressed_len;
  uLongf out_len = 64 * 1024;
  guint8 *out = g_malloc (out_len);

  g_assert_true (g_str_has_prefix (token, "007"));
  compressed = g_base64_decode (token + 3, &compressed_len);
  g_assert_cmpint (uncompress (out, &out_len, compressed, compressed_len), ==, Z_OK);
  return g_bytes_new_take (out, out_len);
}

/* "007" + base64(zlib(@payload)), to make tokens the builder never would. */
static char *
encode_payload (const guint8 *payload,
                gsize         len)
{
  uLongf compressed_len = compressBound (len);
  g_autofree guint8 *compressed = g_malloc (compressed_len);
  g_autofree char *text = NULL;

  g_assert_cmpint (compress2 (compressed, &compressed_len, payload, len, Z_DEFAULT_COMPRESSION), ==, Z_OK);
  text = g_base64_encode (compressed, compressed_len);
  return g_strconcat ("007", text, NULL);
}

static void
put_u16 (GByteArray *out,
         guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, 2);
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (out, b, 4);
}

static void
put_string (GByteArray *out,
            const char *s)
{
  put_u16 (out, (guint16) strlen (s));
  g_byte_array_append (out, (const guint8 *) s, (guint) strlen (s));
}

/* The signing chain written out again from the format description, so
 * that the test can sign content the builder cannot produce. */
static GByteArray *
sign_and_wrap (const char *cert,
               guint32     issue_ts,
               guint32     salt,
               GByteArray *content)
{
  guint8 ts[4] = { issue_ts & 0xff, (issue_ts >> 8) & 0xff, (issue_ts >> 16) & 0xff, issue_ts >> 24 };
  guint8 sa[4] = { salt & 0xff, (salt >> 8) & 0xff, (salt >> 16) & 0xff, salt >> 24 };
  guint8 k1[32], k2[32], sig[32];
  unsigned int n = 32;
  GByteArray *payload = g_byte_array_new ();

  HMAC (EVP_sha256 (), ts, 4, (const guint8 *) cert, strlen (cert), k1, &n);
  HMAC (EVP_sha256 (), sa, 4, k1, 32, k2, &n);
  HMAC (EVP_sha256 (), k2, 32, content->data, content->len, sig, &n);

  put_u16 (payload, 32);
  g_byte_array_append (payload, sig, 32);
  g_byte_array_append (payload, content->data, content->len);
  return payload;
}

/* Content holding the header fields and @n_services services whose bytes
 * the caller appends. */
static GByteArray *
content_header (guint32 issue_ts,
                guint32 expire,
                guint32 salt,
                guint16 n_services)
{
  GByteArray *content = g_byte_array_new ();

  put_string (content, AGORA_APP_ID);
  put_u32 (content, issue_ts);
  put_u32 (content, expire);
  put_u32 (content, salt);
  put_u16 (content, n_services);
  return content;
}

static JsonArray *
load_vectors (JsonParser **parser_out)
{
  g_autofree char *path = pa_test_fixtures_require ("vectors/agora-accesstoken2.json");
  g_autoptr(GError) error = NULL;
  JsonParser *parser;
  JsonObject *root;

  if (path == NULL)
    return NULL;

  parser = json_parser_new ();
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "note"));
  *parser_out = parser;
  return json_object_get_array_member (root, "vectors");
}

static void
assert_bytes_equal (GBytes     *ours,
                    GBytes     *theirs,
                    const char *name)
{
  if (!g_bytes_equal (ours, theirs))
    {
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;
      gsize la, lb;
      const guint8 *da = g_bytes_get_data (ours, &la);
      const guint8 *db = g_bytes_get_data (theirs, &lb);
      GString *ha = g_string_new (NULL), *hb = g_string_new (NULL);

      for (gsize i = 0; i < la; i++)
        g_string_append_printf (ha, "%02x", da[i]);
      for (gsize i = 0; i < lb; i++)
        g_string_append_printf (hb, "%02x", db[i]);
      a = g_string_free (ha, FALSE);
      b = g_string_free (hb, FALSE);
      g_error ("%s: inflated payload differs\n ours:   %s\n vendor: %s", name, a, b);
    }
}

/* ---- the vendor's vectors ------------------------------------------------ */

static void
test_vectors (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *vectors = load_vectors (&parser);
  guint n_string_compared = 0;

  if (vectors == NULL)
    return;

  g_assert_cmpuint (json_array_get_length (vectors), >, 0);

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);
      const char *name = json_object_get_string_member (vector, "name");
      JsonObject *input = json_object_get_object_member (vector, "input");
      JsonObject *expected = json_object_get_object_member (vector, "expected");
      const char *vendor_token = json_object_get_string_member (expected, "token");
      const char *cert = json_object_get_string_member (input, "appCertificate");
      gint64 uid = json_object_get_int_member (input, "uid");
      gboolean publisher = g_str_equal (json_object_get_string_member (input, "role"), "PUBLISHER");
      guint32 privilege_expire = (guint32) json_object_get_int_member (input, "privilegeExpire");
      g_autofree char *uid_str = uid == 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, uid);
      g_autoptr(PaAgoraToken) builder = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *ours = NULL;
      g_autoptr(GBytes) expected_payload = NULL;
      g_autoptr(GBytes) our_payload = NULL;
      g_autoptr(GBytes) vendor_payload = NULL;
      g_autoptr(PaAgoraTokenInfo) info = NULL;
      const PaAgoraService *rtc;

      g_test_message ("vector %s", name);

      builder = pa_agora_token_new (json_object_get_string_member (input, "appId"), cert,
                                    (guint32) json_object_get_int_member (input, "issueTs"),
                                    (guint32) json_object_get_int_member (input, "salt"),
                                    (guint32) json_object_get_int_member (input, "tokenExpire"));
      pa_agora_token_add_rtc (builder, json_object_get_string_member (input, "channelName"), uid_str,
                              publisher ? PA_AGORA_ROLE_PUBLISHER : PA_AGORA_ROLE_SUBSCRIBER,
                              privilege_expire);
      ours = pa_agora_token_build (builder, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ours);

      /* 1. The inflated payload, byte for byte, against the fixture and
       *    against the vendor token itself. */
      expected_payload = hex_decode (json_object_get_string_member (expected, "inflated_content_hex"));
      our_payload = inflate_token (ours);
      vendor_payload = inflate_token (vendor_token);
      assert_bytes_equal (vendor_payload, expected_payload, name);
      assert_bytes_equal (our_payload, expected_payload, name);

      /* 2. The vendor's token verifies with our verifier, and ours too. */
      g_assert_true (pa_agora_token_verify (vendor_token, cert, &error));
      g_assert_no_error (error);
      g_assert_true (pa_agora_token_verify (ours, cert, &error));
      g_assert_no_error (error);

      /* 3. The string itself where every zlib deflates it the same way; and
       *    on Debian 12's zlib, the string Debian's zlib gives. */
      if (json_object_get_boolean_member (expected, "token_equal_across_zlibs"))
        {
          g_assert_cmpstr (ours, ==, vendor_token);
          n_string_compared++;
        }
      if (g_str_equal (zlibVersion (), "1.2.13") &&
          json_object_has_member (expected, "token_with_debian_libz_1_2_13"))
        g_assert_cmpstr (ours, ==, json_object_get_string_member (expected, "token_with_debian_libz_1_2_13"));

      /* 4. The parser reads back what the vendor put in. */
      info = pa_agora_token_parse (vendor_token, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->version, ==, "007");
      g_assert_cmpstr (info->app_id, ==, json_object_get_string_member (input, "appId"));
      g_assert_cmpuint (info->issue_ts, ==, json_object_get_int_member (input, "issueTs"));
      g_assert_cmpuint (info->salt, ==, json_object_get_int_member (input, "salt"));
      g_assert_cmpuint (info->expire_s, ==, json_object_get_int_member (input, "tokenExpire"));
      g_assert_cmpuint (g_bytes_get_size (info->signature), ==, 32);
      g_assert_cmpuint (info->services->len, ==, 1);
      rtc = pa_agora_token_info_get_service (info, PA_AGORA_SERVICE_RTC);
      g_assert_nonnull (rtc);
      g_assert_cmpstr (rtc->channel, ==, json_object_get_string_member (input, "channelName"));
      g_assert_cmpstr (rtc->user, ==, uid_str);
      g_assert_cmpuint (rtc->privileges->len, ==, publisher ? 4 : 1);
      for (guint j = 0; j < rtc->privileges->len; j++)
        {
          const PaAgoraPrivilege *privilege = &g_array_index (rtc->privileges, PaAgoraPrivilege, j);

          g_assert_cmpuint (privilege->id, ==, j + 1);
          g_assert_cmpuint (privilege->expire_s, ==, privilege_expire);
        }
      /* Issued in 1970 or 2023 with a 600 s life: long expired now. */
      g_assert_true (info->expired);
      g_assert_true (pa_agora_token_info_has_expired (info));
    }

  /* The fixture marks two of its three vectors equal across zlibs. */
  g_assert_cmpuint (n_string_compared, >=, 1);
}

/* ---- round trips --------------------------------------------------------- */

static void
test_round_trip (void)
{
  g_autoptr(PaAgoraToken) builder = pa_agora_token_new (AGORA_APP_ID, CERT, 1700000000, 42, 3600);
  g_autoptr(PaAgoraTokenInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const PaAgoraService *rtc, *rtm;

  /* Added RTM first: the token still lists RTC (type 1) first. */
  pa_agora_token_add_rtm (builder, "alice", 1800);
  pa_agora_token_add_rtc (builder, "stage", "1001", PA_AGORA_ROLE_SUBSCRIBER, 900);
  token = pa_agora_token_build (builder, &error);
  g_assert_no_error (error);

  g_assert_true (pa_agora_token_verify (token, CERT, &error));
  g_assert_no_error (error);

  info = pa_agora_token_parse_at (token, 1700000000 + 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->services->len, ==, 2);
  g_assert_cmpuint (((PaAgoraService *) g_ptr_array_index (info->services, 0))->type, ==, PA_AGORA_SERVICE_RTC);
  g_assert_cmpuint (((PaAgoraService *) g_ptr_array_index (info->services, 1))->type, ==, PA_AGORA_SERVICE_RTM);

  rtc = pa_agora_token_info_get_service (info, PA_AGORA_SERVICE_RTC);
  g_assert_cmpstr (rtc->channel, ==, "stage");
  g_assert_cmpstr (rtc->user, ==, "1001");
  g_assert_cmpuint (rtc->privileges->len, ==, 1);
  g_assert_nonnull (pa_agora_service_get_privilege (rtc, PA_AGORA_PRIVILEGE_JOIN_CHANNEL));
  g_assert_null (pa_agora_service_get_privilege (rtc, PA_AGORA_PRIVILEGE_PUBLISH_VIDEO));

  rtm = pa_agora_token_info_get_service (info, PA_AGORA_SERVICE_RTM);
  g_assert_cmpstr (rtm->user, ==, "alice");
  g_assert_null (rtm->channel);
  g_assert_cmpuint (pa_agora_service_get_privilege (rtm, PA_AGORA_PRIVILEGE_RTM_LOGIN)->expire_s, ==, 1800);

  g_assert_false (pa_agora_token_info_has_expired (info));
}

static void
test_convenience (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autoptr(PaAgoraTokenInfo) info_a = NULL;
  g_autoptr(PaAgoraTokenInfo) info_b = NULL;
  g_autoptr(PaAgoraTokenInfo) info_c = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const PaAgoraService *rtc;

  a = pa_agora_build_rtc_token (AGORA_APP_ID, CERT, "room", 0, PA_AGORA_ROLE_PUBLISHER, 600, &error);
  g_assert_no_error (error);
  b = pa_agora_build_rtc_token (AGORA_APP_ID, CERT, "room", 0, PA_AGORA_ROLE_PUBLISHER, 600, &error);
  g_assert_no_error (error);
  c = pa_agora_build_rtc_token (AGORA_APP_ID, CERT, "room", 4294967295u, PA_AGORA_ROLE_SUBSCRIBER, 60, &error);
  g_assert_no_error (error);

  g_assert_true (pa_agora_token_verify (a, CERT, &error));
  g_assert_no_error (error);

  info_a = pa_agora_token_parse (a, &error);
  g_assert_no_error (error);
  info_b = pa_agora_token_parse (b, &error);
  g_assert_no_error (error);
  info_c = pa_agora_token_parse (c, &error);
  g_assert_no_error (error);

  /* Issued now, with a random salt that makes two tokens differ. */
  g_assert_cmpint (info_a->issue_ts, >=, now - 5);
  g_assert_cmpint (info_a->issue_ts, <=, now + 5);
  g_assert_cmpuint (info_a->salt, >=, 1);
  g_assert_cmpuint (info_a->salt, <=, 99999999);
  if (info_a->salt != info_b->salt)
    g_assert_cmpstr (a, !=, b);
  g_assert_false (pa_agora_token_info_has_expired (info_a));

  /* uid 0 is the empty uid; publishers get four privileges. */
  rtc = pa_agora_token_info_get_service (info_a, PA_AGORA_SERVICE_RTC);
  g_assert_cmpstr (rtc->user, ==, "");
  g_assert_cmpuint (rtc->privileges->len, ==, 4);
  g_assert_cmpuint (pa_agora_service_get_privilege (rtc, PA_AGORA_PRIVILEGE_PUBLISH_AUDIO)->expire_s, ==, 600);

  rtc = pa_agora_token_info_get_service (info_c, PA_AGORA_SERVICE_RTC);
  g_assert_cmpstr (rtc->user, ==, "4294967295");
  g_assert_cmpuint (rtc->privileges->len, ==, 1);
  g_assert_cmpuint (info_c->expire_s, ==, 60);
}

static void
test_builder_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = pa_agora_build_rtc_token ("not-an-app-id", CERT, "room", 1, PA_AGORA_ROLE_PUBLISHER, 60, &error);
  g_assert_null (token);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  token = pa_agora_build_rtc_token (AGORA_APP_ID, "5CFd2fd1755d40ecb72977518be15d3", "room", 1, PA_AGORA_ROLE_PUBLISHER, 60, &error);
  g_assert_null (token);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  {
    g_autoptr(PaAgoraToken) empty = pa_agora_token_new (AGORA_APP_ID, CERT, 1, 1, 1);

    token = pa_agora_token_build (empty, &error);
    g_assert_null (token);
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  {
    g_autoptr(PaAgoraToken) huge = pa_agora_token_new (AGORA_APP_ID, CERT, 1, 1, 1);
    g_autofree char *channel = g_strnfill (70000, 'x');

    pa_agora_token_add_rtc (huge, channel, "", PA_AGORA_ROLE_PUBLISHER, 0);
    token = pa_agora_token_build (huge, &error);
    g_assert_null (token);
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
}

/* ---- expiry -------------------------------------------------------------- */

static void
test_expiry (void)
{
  g_autoptr(PaAgoraToken) builder = pa_agora_token_new (AGORA_APP_ID, CERT, 1000000, 7, 600);
  g_autoptr(PaAgoraToken) open_ended = pa_agora_token_new (AGORA_APP_ID, CERT, 1000000, 7, 600);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_open = NULL;
  const PaAgoraPrivilege *join;

  pa_agora_token_add_rtc (builder, "room", "5", PA_AGORA_ROLE_PUBLISHER, 300);
  token = pa_agora_token_build (builder, &error);
  g_assert_no_error (error);

  /* Before any limit. */
  {
    g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse_at (token, 1000000 + 299, &error);

    g_assert_no_error (error);
    g_assert_cmpint (info->expires_at, ==, 1000600);
    g_assert_false (info->expired);
    join = pa_agora_service_get_privilege (pa_agora_token_info_get_service (info, PA_AGORA_SERVICE_RTC),
                                           PA_AGORA_PRIVILEGE_JOIN_CHANNEL);
    g_assert_cmpint (join->expires_at, ==, 1000300);
    g_assert_false (join->expired);
    g_assert_false (pa_agora_token_info_has_expired (info));
  }

  /* The privileges ran out before the token did: reported. */
  {
    g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse_at (token, 1000000 + 300, &error);

    g_assert_no_error (error);
    g_assert_false (info->expired);
    join = pa_agora_service_get_privilege (pa_agora_token_info_get_service (info, PA_AGORA_SERVICE_RTC),
                                           PA_AGORA_PRIVILEGE_JOIN_CHANNEL);
    g_assert_true (join->expired);
    g_assert_true (pa_agora_token_info_has_expired (info));
  }

  /* A privilege of 0 has no limit of its own: the token's applies. */
  pa_agora_token_add_rtc (open_ended, "room", "5", PA_AGORA_ROLE_SUBSCRIBER, 0);
  token_open = pa_agora_token_build (open_ended, &error);
  g_assert_no_error (error);
  {
    g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse_at (token_open, 1000000 + 599, &error);

    g_assert_no_error (error);
    join = pa_agora_service_get_privilege (pa_agora_token_info_get_service (info, PA_AGORA_SERVICE_RTC),
                                           PA_AGORA_PRIVILEGE_JOIN_CHANNEL);
    g_assert_cmpint (join->expires_at, ==, 1000600);
    g_assert_false (pa_agora_token_info_has_expired (info));
  }
  {
    g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse_at (token_open, 1000000 + 600, &error);

    g_assert_no_error (error);
    g_assert_true (info->expired);
  }
}

/* ---- what must be refused ------------------------------------------------ */

static char *
sample_token (void)
{
  g_autoptr(PaAgoraToken) builder = pa_agora_token_new (AGORA_APP_ID, CERT, 1700000000, 12345678, 600);
  g_autoptr(GError) error = NULL;
  char *token;

  pa_agora_token_add_rtc (builder, CHANNEL, "2882341273", PA_AGORA_ROLE_PUBLISHER, 600);
  pa_agora_token_add_rtm (builder, "bob", 600);
  token = pa_agora_token_build (builder, &error);
  g_assert_no_error (error);
  return token;
}

static void
test_wrong_certificate (void)
{
  g_autofree char *token = sample_token ();
  g_autoptr(GError) error = NULL;

  g_assert_false (pa_agora_token_verify (token, CERT_2, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_clear_error (&error);

  /* Same certificate, different case: HMAC keys are bytes, so it differs. */
  g_assert_false (pa_agora_token_verify (token, "5cfd2fd1755d40ecb72977518be15d3b", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_clear_error (&error);

  g_assert_false (pa_agora_token_verify (token, "short", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

static void
test_tampered (void)
{
  g_autofree char *token = sample_token ();
  g_autoptr(GBytes) payload = inflate_token (token);
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  guint n_checked = 0;

  /* Flip each byte of the payload in turn (signature, app id, times,
   * salt, services), re-wrap it properly, and verify: always refused. */
  for (gsize i = 0; i < len; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autofree char *forged = NULL;
      g_autoptr(GError) error = NULL;

      /* The length prefix of the signature only shifts everything. */
      copy[i] ^= 0x01;
      forged = encode_payload (copy, len);
      g_assert_false (pa_agora_token_verify (forged, CERT, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == PA_ERROR);
      g_assert_true (error->code == PA_ERROR_AUTH || error->code == PA_ERROR_INVALID_INPUT);
      if (i >= 2 + 32)  /* past the signature: a valid layout, a wrong signature */
        {
          if (error->code == PA_ERROR_AUTH)
            n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, >, len / 2);

  /* And a changed character in the text: refused, whatever breaks first. */
  {
    g_autofree char *forged = g_strdup (token);
    g_autoptr(GError) error = NULL;
    gsize mid = strlen (forged) / 2;

    forged[mid] = forged[mid] == 'A' ? 'B' : 'A';
    g_assert_false (pa_agora_token_verify (forged, CERT, &error));
    g_assert_nonnull (error);
  }
}

static void
test_truncated (void)
{
  g_autofree char *token = sample_token ();
  g_autoptr(GBytes) payload = inflate_token (token);
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  gsize text_len = strlen (token);

  /* Every prefix of the token text. */
  for (gsize n = 0; n < text_len; n++)
    {
      g_autofree char *cut = g_strndup (token, n);
      g_autoptr(GError) error = NULL;
      g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse (cut, &error);

      g_assert_null (info);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_clear_error (&error);
      g_assert_false (pa_agora_token_verify (cut, CERT, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }

  /* Every prefix of the inflated payload, properly compressed: this is
   * what reaches the field reader. */
  for (gsize n = 0; n < len; n++)
    {
      g_autofree char *cut = encode_payload (data, n);
      g_autoptr(GError) error = NULL;
      g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse (cut, &error);

      g_assert_null (info);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_clear_error (&error);
      g_assert_false (pa_agora_token_verify (cut, CERT, &error));
      g_assert_nonnull (error);
    }

  /* And one byte too many. */
  {
    g_autofree guint8 *longer = g_malloc (len + 1);
    g_autofree char *extra = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PaAgoraTokenInfo) info = NULL;

    memcpy (longer, data, len);
    longer[len] = 0;
    extra = encode_payload (longer, len + 1);
    info = pa_agora_token_parse (extra, &error);
    g_assert_null (info);
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
}

static void
test_bad_encoding (void)
{
  const char *bad[] = {
    "",
    "00",
    "006970CA35de60c44645bbae8a215061b33IAB",   /* the older AccessToken */
    "008eJxTYA==",
    "abc",
    "007",
    "007!!!!",
    "007eJxT YA==",
    "007eJxTY",                                  /* whole quads, cut zlib */
    "007A",                                      /* one base64 char: impossible */
    "007AAA=A",                                  /* padding inside */
    "007AA===",                                  /* too much padding */
    "007bm90IHpsaWIgZGF0YQ==",                   /* "not zlib data" */
    "007eJwDAAAAAAE=",                           /* zlib of nothing */
    "007eJxLTEpOSU1Lz8jMAgAVhgP4",               /* zlib of "abcdefghij" */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse (bad[i], &error);

      g_test_message ("refusing %s", bad[i]);
      g_assert_null (info);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
      g_assert_false (pa_agora_token_verify (bad[i], CERT, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }

  /* The version names itself in the message. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse ("006abc", &error);

    g_assert_null (info);
    g_assert_nonnull (strstr (error->message, "006"));
  }

  /* Valid zlib around a payload far larger than any token. */
  {
    gsize size = 1024 * 1024;
    g_autofree guint8 *zeros = g_malloc0 (size);
    g_autofree char *bomb = encode_payload (zeros, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(PaAgoraTokenInfo) info = pa_agora_token_parse (bomb, &error);

    g_assert_null (info);
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
}

static void
test_unknown_service (void)
{
  g_autoptr(GByteArray) content = content_header (1700000000, 600, 99, 2);
  g_autoptr(GByteArray) payload = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaAgoraTokenInfo) info = NULL;

  /* An FPA service (no fields of its own), then a type nobody knows. */
  put_u16 (content, PA_AGORA_SERVICE_FPA);
  put_u16 (content, 1);
  put_u16 (content, 1);
  put_u32 (content, 0);
  put_u16 (content, 99);
  put_u16 (content, 0);
  put_string (content, "opaque");

  payload = sign_and_wrap (CERT, 1700000000, 99, content);
  token = encode_payload (payload->data, payload->len);

  /* The signature covers the bytes, understood or not. */
  g_assert_true (pa_agora_token_verify (token, CERT, &error));
  g_assert_no_error (error);

  info = pa_agora_token_parse (token, &error);
  g_assert_null (info);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "99"));
}

static void
test_independent_signature (void)
{
  g_autoptr(GByteArray) content = content_header (1111111, 600, 1, 1);
  g_autoptr(GByteArray) payload = NULL;
  g_autoptr(PaAgoraToken) builder = pa_agora_token_new (AGORA_APP_ID, CERT, 1111111, 1, 600);
  g_autofree char *token = NULL;
  g_autoptr(GBytes) ours = NULL;
  g_autoptr(GBytes) theirs = NULL;
  g_autoptr(GError) error = NULL;

  /* A token written byte by byte here (RTC join only, uid "") equals the
   * builder's. */
  put_u16 (content, PA_AGORA_SERVICE_RTC);
  put_u16 (content, 1);
  put_u16 (content, PA_AGORA_PRIVILEGE_JOIN_CHANNEL);
  put_u32 (content, 0);
  put_string (content, "ch");
  put_string (content, "");
  payload = sign_and_wrap (CERT, 1111111, 1, content);

  pa_agora_token_add_rtc (builder, "ch", "", PA_AGORA_ROLE_SUBSCRIBER, 0);
  token = pa_agora_token_build (builder, &error);
  g_assert_no_error (error);

  ours = inflate_token (token);
  theirs = g_bytes_new (payload->data, payload->len);
  assert_bytes_equal (ours, theirs, "hand-made");
}

/* Random single-byte and length mutations of a valid payload, re-wrapped:
 * the parser must answer, never crash (the ASan build checks reads). */
static void
test_fuzz (void)
{
  g_autofree char *token = sample_token ();
  g_autoptr(GBytes) payload = inflate_token (token);
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  GRand *rand = g_rand_new_with_seed (20240607);
  guint n_rounds = g_test_slow () ? 20000 : 2000;

  for (guint round = 0; round < n_rounds; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      gsize n = len;
      g_autofree char *mutated = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(PaAgoraTokenInfo) info = NULL;
      guint n_mutations = g_rand_int_range (rand, 1, 4);

      for (guint m = 0; m < n_mutations; m++)
        copy[g_rand_int_range (rand, 0, (gint32) len)] = (guint8) g_rand_int_range (rand, 0, 256);
      if (g_rand_boolean (rand))
        n = g_rand_int_range (rand, 0, (gint32) len + 1);

      mutated = encode_payload (copy, n);
      info = pa_agora_token_parse (mutated, &error);
      g_assert_true ((info == NULL) == (error != NULL));
      if (error != NULL)
        g_assert_true (error->domain == PA_ERROR);
      g_clear_error (&error);
      if (!pa_agora_token_verify (mutated, CERT, &error))
        g_assert_nonnull (error);
    }

  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agora-token/vectors", test_vectors);
  g_test_add_func ("/agora-token/round-trip", test_round_trip);
  g_test_add_func ("/agora-token/convenience", test_convenience);
  g_test_add_func ("/agora-token/builder-errors", test_builder_errors);
  g_test_add_func ("/agora-token/independent-signature", test_independent_signature);
  g_test_add_func ("/agora-token/expiry", test_expiry);
  g_test_add_func ("/agora-token/wrong-certificate", test_wrong_certificate);
  g_test_add_func ("/agora-token/tampered", test_tampered);
  g_test_add_func ("/agora-token/truncated", test_truncated);
  g_test_add_func ("/agora-token/bad-encoding", test_bad_encoding);
  g_test_add_func ("/agora-token/unknown-service", test_unknown_service);
  g_test_add_func ("/agora-token/fuzz", test_fuzz);

  return g_test_run ();
}
