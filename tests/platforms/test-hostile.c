/* test-hostile.c — every platform client against a server that misbehaves
 *
 * SPDX-License-Identifier: MIT
 *
 * Each case points one client operation at tests/peers/hostile-server.mjs
 * with one hostile behaviour (the first segment of the base URL's path)
 * and asserts what issue 9 asks of it: the operation ends by itself, within
 * its retry budget, with a PA_ERROR whose code says what happened and whose
 * message is valid UTF-8, holds no control characters and no key, and no
 * credential reaches a redirect target. ASan (CI) proves "no crash".
 *
 * Built twice: as test-hostile, with every behaviour but "drip", and with
 * PA_TEST_HOSTILE_DRIP as test-hostile-drip, which has only "drip" and sets
 * the body idle timeout (pa_http_set_body_idle_timeout()).
 *
 * Each case runs in a process of its own (g_test_trap_subprocess()), which
 * writes what it found to a report file the test then reads: a crash, or
 * a case that hangs, fails that case alone, and the TAP output is the whole
 * table of behaviour × operation. The keyring and the peer are started
 * once, by the test itself; its cases' processes inherit them through the
 * environment.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-agora.h"
#include "pa-error.h"
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-n8n.h"
#include "pa-openai.h"
#include "pa-platform.h"
#include "pa-replicate.h"
#include "pa-replicate-download.h"
#include "pa-secrets.h"
#include "pa-stripe.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"
#include "pa-test-peer-private.h"

#define PROFILE "hostile"

/* Every secret holds this, so a leak of any of them is found by one search. */
#define CANARY "PaCanary"

/* The n8n webhook: its path is as good as a password (anyone who knows it
 * can start the workflow), and it is protected by a header of its own. */
#define WEBHOOK_PATH        "hook-" CANARY "Path7d1"
#define WEBHOOK_AUTH_HEADER "X-Hook-Token"
#define WEBHOOK_AUTH_VALUE  CANARY "HookToken"

/* Any version id will do: the peer runs nothing. */
#define REPLICATE_VERSION "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"

/* Short, so that a case that works ends in seconds: a request may take
 * this long; a body may stay silent for BODY_IDLE_S (the peer drips a byte
 * every DRIP_MS); a case that has not ended by itself after CASE_DEADLINE_S
 * (three attempts and their backoff, with room to spare) is cancelled and
 * fails. */
#define REQUEST_TIMEOUT_S 4
#define BODY_IDLE_S       1
#define DRIP_MS           "3000"
#define CASE_DEADLINE_S   20
#define CHILD_TIMEOUT_S   (CASE_DEADLINE_S + 20)

static const struct {
  const char *platform;
  const char *field;
  const char *value;
} secrets_stored[] = {
  { "stripe", "api-key", "sk_test_" CANARY "Stripe51f0" },
  { "openai", "api-key", "sk-" CANARY "Openai9a3c" },
  { "replicate", "api-key", "r8_" CANARY "Replicate2b7e" },
  { "vercel", "api-key", CANARY "Vercel6d04" },
  { "n8n", "api-key", "n8n_api_" CANARY "N8n0c55" },
  /* The app ID is not a secret (it goes in URLs); the rest are. */
  { "agora", "app-id", "0123456789abcdef0123456789abcdef" },
  { "agora", "app-certificate", CANARY "AgoraCert44e1" },
  { "agora", "customer-id", CANARY "AgoraCustomer" },
  { "agora", "customer-secret", CANARY "AgoraSecret8f" },
};

/* Headers that carry a credential, lower-case. */
static const char * const credential_headers[] = {
  "authorization", "proxy-authorization", "cookie", "x-n8n-api-key", "x-hook-token", NULL
};

/* ---- what the peer does, and what each client operation must make of it ---- */

typedef enum {
  EXPECT_SUCCESS,      /* the control: a well-formed answer */
  EXPECT_PROTOCOL,     /* the answer cannot be understood */
  EXPECT_TIMEOUT,      /* the body stopped coming */
  EXPECT_LOST,         /* the connection went away mid-answer */
  EXPECT_SERVER,       /* 5xx, every time */
  EXPECT_ANY,          /* any PA_ERROR but CANCELLED: the checks are elsewhere */
} Expect;

typedef enum {
  BEHAVIOUR_JSON        = 1 << 0,  /* about a JSON body: not for downloads */
  BEHAVIOUR_REDIRECT    = 1 << 1,  /* check the landing's headers */
  BEHAVIOUR_DRIP        = 1 << 2,  /* needs the body idle timeout */
  BEHAVIOUR_TYPE        = 1 << 3,  /* about the content type */
  BEHAVIOUR_TLS         = 1 << 5,  /* served by the peer's https port */
  /* A download may rightly take a gigabyte (PA_LIMIT_REPLICATE_OUTPUT_BYTES)
   * before it stops: longer than a case may take at the peer's rate. */
  BEHAVIOUR_NO_DOWNLOAD = 1 << 4,
} BehaviourFlags;

typedef struct {
  const char     *name;         /* the peer's path segment */
  Expect          expect;
  BehaviourFlags  flags;
} Behaviour;

static const Behaviour behaviours[] = {
  /* Not hostile: proves that each operation works against the peer, so
   * that the cases below fail for their one hostile thing only. */
  { "control", EXPECT_SUCCESS, 0 },
  { "deep", EXPECT_PROTOCOL, BEHAVIOUR_JSON },
  { "deep600", EXPECT_PROTOCOL, BEHAVIOUR_JSON },
  { "huge-length", EXPECT_PROTOCOL, 0 },
  { "huge-chunked", EXPECT_PROTOCOL, BEHAVIOUR_NO_DOWNLOAD },
  { "drip", EXPECT_TIMEOUT, BEHAVIOUR_DRIP },
  { "reset", EXPECT_LOST, 0 },
  { "html", EXPECT_PROTOCOL, BEHAVIOUR_JSON | BEHAVIOUR_TYPE },
  { "textplain", EXPECT_PROTOCOL, BEHAVIOUR_JSON | BEHAVIOUR_TYPE },
  { "badutf8", EXPECT_PROTOCOL, BEHAVIOUR_JSON },
  { "500", EXPECT_SERVER, 0 },
  { "ctl", EXPECT_ANY, 0 },
  { "redirect-localhost", EXPECT_ANY, BEHAVIOUR_REDIRECT },
  { "redirect-127002", EXPECT_ANY, BEHAVIOUR_REDIRECT },
  /* From https down to http. */
  { "redirect-http", EXPECT_ANY, BEHAVIOUR_REDIRECT | BEHAVIOUR_TLS },
};

typedef struct _Op Op;

/* Runs the operation against @base_url to its end; FALSE with @error set
 * when it failed. */
typedef gboolean (*OpFunc) (const Op      *op,
                            PaHttp        *http,
                            const char    *base_url,
                            const char    *media_dir,
                            GCancellable  *cancellable,
                            GError       **error);

typedef enum {
  OP_ONCE     = 1 << 0,  /* not idempotent: must never be sent twice */
  OP_DOWNLOAD = 1 << 1,  /* reads a file, not JSON */
  /* Takes any content type: a webhook's workflow answers as it likes
   * (text, HTML, JSON), and the client hands it on as it came. */
  OP_ANY_TYPE = 1 << 2,
} OpFlags;

struct _Op {
  const char *platform;
  const char *name;
  OpFunc      func;
  OpFlags     flags;
};

typedef struct {
  const Behaviour *behaviour;
  const Op        *op;
} Case;

/* ---- shared peer and keyring --------------------------------------------- */

/* What a case's process learns from the test through its environment. */
#define ENV_PEER_URL    "PA_TEST_HOSTILE_PEER_URL"
#define ENV_SCRATCH_DIR "PA_TEST_HOSTILE_SCRATCH_DIR"
#define ENV_REPORT      "PA_TEST_HOSTILE_REPORT"
#define ENV_TLS_URL     "PA_TEST_HOSTILE_TLS_URL"
#define ENV_TLS_CA      "PA_TEST_HOSTILE_TLS_CA"

static PaTestKeyring *keyring;
static PaTestPeer *peer;
static char *scratch_dir;
/* Why the keyring or the peer did not start: every case reports it. */
static GError *setup_error;

/* In a case's process. */
static PaSecrets *secrets;
static FILE *report;

/* A line of the case's report: "fail TEXT", "info TEXT" or "done", with
 * TEXT escaped (g_strescape()) so that it fits on one line. */
static void
report_line (const char *kind,
             const char *text)
{
  g_autofree char *escaped = text != NULL ? g_strescape (text, NULL) : NULL;

  if (report == NULL)
    return;
  fprintf (report, "%s%s%s\n", kind, escaped != NULL ? " " : "",
           escaped != NULL ? escaped : "");
  /* At once: the case may yet crash. */
  fflush (report);
}

G_GNUC_PRINTF (1, 2)
static void
case_fail (const char *format,
           ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  report_line ("fail", text);
  g_test_fail_printf ("%s", text);
}

static JsonNode *
peer_get (const char  *path,
          GError     **error)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (g_getenv (ENV_PEER_URL), path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data;

  bytes = soup_session_send_and_read (session, message, NULL, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;
  return json_parser_steal_root (parser);
}

/* A self-signed certificate for 127.0.0.1, for the peer's https port: a
 * downgrade to http needs an https origin. The cases' clients trust it
 * (and nothing else trusts it: it lives in the scratch folder). */
static gboolean
make_certificate (const char  *dir,
                  char       **cert_path,
                  char       **key_path,
                  GError     **error)
{
  g_autofree char *openssl = pa_test_find_program ("openssl", "openssl", error);
  g_autofree char *cert = g_build_filename (dir, "peer-cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "peer-key.pem", NULL);
  g_autofree char *output = NULL;
  int status;

  if (openssl == NULL)
    return FALSE;

  {
    const char *argv[] = {
      openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert, NULL
    };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &output, &status, error))
      return FALSE;
  }
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "openssl could not make a certificate (%s): ", output);
      return FALSE;
    }

  *cert_path = g_steal_pointer (&cert);
  *key_path = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
start_peer_and_keyring (GError **error)
{
  g_autoptr(PaSecrets) store = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *tls_url = NULL;

  keyring = pa_test_keyring_start (error);
  if (keyring == NULL)
    return FALSE;
  store = pa_secrets_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (secrets_stored); i++)
    {
      if (!pa_secrets_store_sync (store, secrets_stored[i].platform, PROFILE,
                                  secrets_stored[i].field, secrets_stored[i].value,
                                  NULL, error))
        return FALSE;
    }

  scratch_dir = g_dir_make_tmp ("test-hostile-XXXXXX", error);
  if (scratch_dir == NULL || !make_certificate (scratch_dir, &cert, &key, error))
    return FALSE;

  {
    const char * const args[] = {
      "--drip-ms", DRIP_MS, "--tls-cert", cert, "--tls-key", key, NULL
    };

    peer = pa_test_node_peer_start ("hostile-server.mjs", args, error);
    if (peer == NULL)
      return FALSE;
  }

  /* The cases' processes inherit the keyring's bus and HOME the same way. */
  g_setenv (ENV_PEER_URL, pa_test_peer_get_url (peer), TRUE);
  g_setenv (ENV_SCRATCH_DIR, scratch_dir, TRUE);
  g_setenv (ENV_TLS_CA, cert, TRUE);

  info = peer_get ("/__peer/info", error);
  if (info == NULL)
    return FALSE;
  tls_url = g_strdup_printf ("https://127.0.0.1:%" G_GINT64_FORMAT,
                             json_object_get_int_member (json_node_get_object (info),
                                                         "tls_port"));
  g_setenv (ENV_TLS_URL, tls_url, TRUE);
  return TRUE;
}

/* Starts them for the first case; one failed start is enough to know. */
static gboolean
need_setup (void)
{
  static gboolean tried;

  if (!tried)
    {
      tried = TRUE;
      start_peer_and_keyring (&setup_error);
    }
  return pa_test_require_no_error (setup_error);
}

/* ---- running an operation ------------------------------------------------ */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
await (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static PaHttp *
hostile_http (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);
  g_autoptr(GTlsDatabase) trusted = NULL;
  g_autoptr(GError) error = NULL;

  /* The peer's own certificate, for its https port, and nothing else. */
  trusted = g_tls_file_database_new (g_getenv (ENV_TLS_CA), &error);
  if (trusted == NULL)
    case_fail ("cannot read the peer's certificate: %s", error->message);
  else
    soup_session_set_tls_database (pa_http_get_session (http), trusted);

  pa_http_set_backoff (http, 1000, 5000);
#ifdef PA_TEST_HOSTILE_DRIP
  /* Only the idle timeout can end a drip in time: the request's own
   * timeout is longer than the case may take. */
  pa_http_set_default_timeout (http, 3 * CASE_DEADLINE_S);
  pa_http_set_body_idle_timeout (http, BODY_IDLE_S);
#else
  pa_http_set_default_timeout (http, REQUEST_TIMEOUT_S);
#endif
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

static gboolean
op_check (const Op      *op,
          PaHttp        *http,
          const char    *base_url,
          const char    *media_dir,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(PaPlatform) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaIdentity) identity = NULL;

  client = pa_platform_new (op->platform, http, PROFILE, base_url, error);
  if (client == NULL)
    return FALSE;
  if (PA_IS_STRIPE (client))
    pa_stripe_set_secrets (PA_STRIPE (client), secrets);
  /* The API, with its key; a Cog server takes none. */
  if (PA_IS_REPLICATE (client))
    pa_replicate_set_mode (PA_REPLICATE (client), PA_REPLICATE_MODE_API);

  pa_platform_check_async (client, cancellable, got_result, &result);
  identity = pa_platform_check_finish (client, await (&result), error);
  return identity != NULL;
}

static gboolean
op_openai_chat_stream (const Op      *op,
                       PaHttp        *http,
                       const char    *base_url,
                       const char    *media_dir,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(PaOpenai) client = pa_openai_new (http, PROFILE, base_url);
  g_autoptr(JsonArray) messages = pa_openai_messages_add (NULL, "user", "Say hello.");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;

#ifdef PA_TEST_HOSTILE_DRIP
  /* A stream keeps its own idle timeout (a model may think for a while
   * before its first token), set on the client, not on the transport. */
  pa_openai_set_stream_idle_timeout (client, BODY_IDLE_S);
#endif
  pa_openai_chat_stream_async (client, "gpt-4o-mini", messages, -1, 0, NULL, NULL, NULL,
                               cancellable, got_result, &result);
  chat = pa_openai_chat_stream_finish (client, await (&result), error);
  return chat != NULL;
}

static gboolean
op_replicate_prediction (const Op      *op,
                         PaHttp        *http,
                         const char    *base_url,
                         const char    *media_dir,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(PaReplicate) client = pa_replicate_new (http, PROFILE, base_url);
  g_autoptr(JsonNode) input = json_from_string ("{\"prompt\": \"a lighthouse\"}", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;

  pa_replicate_set_mode (client, PA_REPLICATE_MODE_API);
  pa_replicate_create_prediction_async (client, NULL, REPLICATE_VERSION, input, NULL,
                                        cancellable, got_result, &result);
  prediction = pa_replicate_create_prediction_finish (client, await (&result), error);
  return prediction != NULL;
}

/* An output the peer serves: the case's behaviour is in its URL. */
static gboolean
op_replicate_download (const Op      *op,
                       PaHttp        *http,
                       const char    *base_url,
                       const char    *media_dir,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(PaReplicate) client = pa_replicate_new (http, PROFILE, base_url);
  g_autofree char *url = g_strconcat (base_url, "/output.png", NULL);
  g_autoptr(JsonNode) output = json_node_init_string (json_node_alloc (), url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) assets = NULL;

  pa_replicate_set_mode (client, PA_REPLICATE_MODE_API);
  pa_replicate_download_outputs_async (client, output, media_dir, NULL, NULL,
                                       cancellable, got_result, &result);
  assets = pa_replicate_download_outputs_finish (client, await (&result), error);
  return assets != NULL;
}

static gboolean
op_n8n_webhook (const Op      *op,
                PaHttp        *http,
                const char    *base_url,
                const char    *media_dir,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(PaN8n) client = pa_n8n_new (http, PROFILE, base_url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) answer = NULL;

  pa_n8n_trigger_webhook_async (client, WEBHOOK_PATH, NULL, WEBHOOK_AUTH_HEADER,
                                WEBHOOK_AUTH_VALUE, cancellable, got_result, &result);
  answer = pa_n8n_trigger_webhook_finish (client, await (&result), error);
  return answer != NULL;
}

/* The Media Gateway's REST API. */
static gboolean
op_agora_gateway (const Op      *op,
                  PaHttp        *http,
                  const char    *base_url,
                  const char    *media_dir,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(PaAgora) client = pa_agora_new (http, PROFILE, base_url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) streams = NULL;

  pa_agora_set_secrets (client, secrets);
  pa_agora_list_streams_async (client, NULL, cancellable, got_result, &result);
  streams = pa_agora_list_streams_finish (client, await (&result), error);
  return streams != NULL;
}

static const Op ops[] = {
  { "stripe", "check", op_check, 0 },
  { "openai", "check", op_check, 0 },
  { "openai", "chat-stream", op_openai_chat_stream, OP_ONCE },
  { "replicate", "check", op_check, 0 },
  { "replicate", "prediction", op_replicate_prediction, OP_ONCE },
  { "replicate", "download", op_replicate_download, OP_DOWNLOAD },
  { "vercel", "check", op_check, 0 },
  { "n8n", "check", op_check, 0 },
  { "n8n", "webhook", op_n8n_webhook, OP_ONCE | OP_ANY_TYPE },
  { "agora", "gateway", op_agora_gateway, 0 },
};

/* ---- what is checked ------------------------------------------------------ */

static const char *
expect_to_string (Expect expect)
{
  switch (expect)
    {
    case EXPECT_SUCCESS:
      return "success";
    case EXPECT_PROTOCOL:
      return "PA_ERROR_PROTOCOL";
    case EXPECT_TIMEOUT:
      return "PA_ERROR_TIMEOUT";
    case EXPECT_LOST:
      return "PA_ERROR_CONNECTION_LOST or PA_ERROR_UNAVAILABLE";
    case EXPECT_SERVER:
      return "PA_ERROR_SERVER";
    case EXPECT_ANY:
    default:
      return "a PA_ERROR";
    }
}

static gboolean
code_expected (Expect expect,
               int    code)
{
  switch (expect)
    {
    case EXPECT_SUCCESS:
      return FALSE;
    case EXPECT_PROTOCOL:
      return code == PA_ERROR_PROTOCOL;
    case EXPECT_TIMEOUT:
      return code == PA_ERROR_TIMEOUT;
    case EXPECT_LOST:
      return code == PA_ERROR_CONNECTION_LOST || code == PA_ERROR_UNAVAILABLE;
    case EXPECT_SERVER:
      return code == PA_ERROR_SERVER;
    case EXPECT_ANY:
    default:
      return code != PA_ERROR_CANCELLED;
    }
}

/* Characters a terminal acts on or that reorder what is shown: C0 but tab
 * and newline, DEL, C1, and the bidi marks, embeddings, overrides and
 * isolates. */
static gboolean
is_unsafe_char (gunichar c)
{
  return (c < 0x20 && c != '\n' && c != '\t') ||
         (c >= 0x7f && c <= 0x9f) ||
         c == 0x061c || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069);
}

/* @text with every unsafe character and invalid byte written as an
 * escape, so that it can be shown (in the TAP output, on a terminal). */
static char *
show_text (const char *text)
{
  GString *shown = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (shown, "\\x%02X", (guchar) *p);
          p++;
          continue;
        }
      if (is_unsafe_char (c))
        g_string_append_printf (shown, "\\u%04X", c);
      else
        g_string_append_len (shown, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (shown, FALSE);
}

static void
check_message (const GError *error)
{
  const char *message = error->message;
  g_autofree char *shown = show_text (message);
  const char *p;

  if (message[0] == '\0')
    {
      case_fail ("the error has no message");
      return;
    }
  if (!g_utf8_validate (message, -1, NULL))
    {
      case_fail ("the message is not valid UTF-8: \"%s\"", shown);
      return;
    }
  for (p = message; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (is_unsafe_char (g_utf8_get_char (p)))
        {
          case_fail ("the message holds control character U+%04X: \"%s\"",
                     g_utf8_get_char (p), shown);
          break;
        }
    }
  if (strstr (message, CANARY) != NULL)
    case_fail ("the message holds a secret (a key or the webhook's path): \"%s\"", shown);
}

static JsonArray *
peer_requests (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = peer_get ("/__peer/requests", &error);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      case_fail ("cannot read the peer's request log: %s",
                 error != NULL ? error->message : "not a JSON array");
      return NULL;
    }
  return json_array_ref (json_node_get_array (node));
}

/* Each request the case made was sent at most as often as it may be. */
static void
check_attempts (const Case *test,
                JsonArray  *requests,
                const char *prefix)
{
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint budget = (test->op->flags & OP_ONCE) ? 1 : PA_HTTP_DEFAULT_MAX_ATTEMPTS;
  guint n_sent = 0;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *path = json_object_get_string_member (request, "path");
      char *what;

      if (!g_str_has_prefix (path, prefix))
        continue;
      what = g_strdup_printf ("%s %s", json_object_get_string_member (request, "method"), path);
      value = g_hash_table_lookup (counts, what);
      g_hash_table_replace (counts, what, GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
      n_sent++;
    }

  if (n_sent == 0)
    case_fail ("no request reached the peer under %s", prefix);

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (GPOINTER_TO_UINT (value) > budget)
        case_fail ("%s was sent %u times; its budget is %u%s", (const char *) key,
                   GPOINTER_TO_UINT (value), budget, budget == 1 ? " (not idempotent)" : "");
    }
}

/* No credential followed a redirect to another origin. */
static void
check_landing (JsonArray  *requests,
               const char *prefix)
{
  guint n_landed = 0;
  g_autofree char *info = NULL;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *path = json_object_get_string_member (request, "path");
      JsonObject *headers = json_object_get_object_member (request, "headers");
      g_autoptr(GList) names = NULL;

      if (!g_str_has_prefix (path, prefix))
        continue;
      n_landed++;
      names = json_object_get_members (headers);
      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *name = l->data;
          const char *value = json_object_get_string_member (headers, name);

          if (g_strv_contains (credential_headers, name) ||
              (value != NULL && strstr (value, CANARY) != NULL))
            case_fail ("header %s reached the redirect target (%s)", name, path);
        }
    }

  /* Refusing to follow is as good as following without the key. */
  info = g_strdup_printf ("%u requests followed the redirect", n_landed);
  report_line ("info", info);
}

static gboolean
deadline_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* In the case's own process: runs the operation and checks the outcome. */
static void
run_case (const Case *test)
{
  const Behaviour *behaviour = test->behaviour;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *sent_prefix = NULL;
  g_autofree char *landing_prefix = NULL;
  g_autofree char *media_dir = NULL;
  g_autofree char *outcome = NULL;
  g_autofree char *message = NULL;
  gboolean ok;
  guint deadline;
  gint64 started;

  report = fopen (g_getenv (ENV_REPORT), "w");
  g_assert_nonnull (report);
  secrets = pa_secrets_new ();

  /* One prefix per case: the peer's log tells the cases apart by it. */
  tag = g_strdup_printf ("%s-%s-%s", test->op->platform, test->op->name, behaviour->name);
  base_url = g_strdup_printf ("%s/%s/%s",
                              g_getenv ((behaviour->flags & BEHAVIOUR_TLS) ? ENV_TLS_URL
                                                                           : ENV_PEER_URL),
                              behaviour->name, tag);
  sent_prefix = g_strdup_printf ("/%s/%s/", behaviour->name, tag);
  landing_prefix = g_strdup_printf ("/landing/%s/", tag);
  media_dir = g_build_filename (g_getenv (ENV_SCRATCH_DIR), tag, NULL);

  http = hostile_http ();
  deadline = g_timeout_add_seconds (CASE_DEADLINE_S, deadline_cb, cancellable);
  started = g_get_monotonic_time ();
  ok = test->op->func (test->op, http, base_url, media_dir, cancellable, &error);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (deadline);
  message = error != NULL ? show_text (error->message) : g_strdup ("");
  outcome = g_strdup_printf ("%s/%s against %s after %.1f s: %s %d: %s",
                             test->op->platform, test->op->name, behaviour->name,
                             (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC,
                             error != NULL ? g_quark_to_string (error->domain) : "success",
                             error != NULL ? error->code : 0, message);
  report_line ("info", outcome);

  if (behaviour->expect == EXPECT_SUCCESS)
    {
      if (!ok || error != NULL)
        case_fail ("the operation failed against a well-formed answer: %s",
                   error != NULL ? error->message : "no error set");
    }
  else if (ok || error == NULL)
    case_fail ("the operation succeeded against a hostile answer");
  else if (g_cancellable_is_cancelled (cancellable))
    case_fail ("the operation did not end by itself within %u s (cancelled)", CASE_DEADLINE_S);
  else
    {
      if (error->domain != PA_ERROR || !code_expected (behaviour->expect, error->code))
        case_fail ("expected %s, got %s %d", expect_to_string (behaviour->expect),
                   g_quark_to_string (error->domain), error->code);
      check_message (error);
    }

  requests = peer_requests ();
  if (requests != NULL)
    {
      check_attempts (test, requests, sent_prefix);
      if (behaviour->flags & BEHAVIOUR_REDIRECT)
        check_landing (requests, landing_prefix);
    }

  report_line ("done", NULL);
  g_clear_pointer (&report, fclose);
  g_clear_object (&secrets);
}

/* Runs the case in a process of its own and takes over what it reported. */
static void
test_hostile (gconstpointer data)
{
  const Case *test = data;
  g_autofree char *name = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean done = FALSE;
  guint n_failed = 0;
  gint64 started;
  double elapsed_s;

  if (g_test_subprocess ())
    {
      run_case (test);
      return;
    }

  if (!need_setup ())
    return;

  name = g_strdup_printf ("%s-%s-%s.report", test->op->platform, test->op->name,
                          test->behaviour->name);
  report_path = g_build_filename (scratch_dir, name, NULL);
  g_setenv (ENV_REPORT, report_path, TRUE);
  started = g_get_monotonic_time ();
  /* Its stderr is the test's: where ASan and GLib say why it died. */
  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_S * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  elapsed_s = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;

  if (!g_file_get_contents (report_path, &contents, NULL, &error))
    contents = g_strdup ("");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strchr (lines[i], ' ');
      g_autofree char *text = space != NULL ? g_strcompress (space + 1) : NULL;

      if (g_str_has_prefix (lines[i], "fail "))
        {
          g_test_fail_printf ("%s", text);
          n_failed++;
        }
      else if (g_str_has_prefix (lines[i], "info "))
        g_test_message ("%s", text);
      else if (g_str_equal (lines[i], "done"))
        done = TRUE;
    }

  if (!done && elapsed_s < CHILD_TIMEOUT_S)
    g_test_fail_printf ("the case's process crashed after %.1f s (its stderr says how)",
                        elapsed_s);
  else if (!done)
    g_test_fail_printf ("the case's process hung: killed after %u s", CHILD_TIMEOUT_S);
  else if (!g_test_trap_has_passed () && n_failed == 0)
    g_test_fail_printf ("the case's process failed after its checks passed (under ASan, "
                        "a leak: its stderr says)");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  for (gsize b = 0; b < G_N_ELEMENTS (behaviours); b++)
    {
      const Behaviour *behaviour = &behaviours[b];

#ifdef PA_TEST_HOSTILE_DRIP
      if (!(behaviour->flags & BEHAVIOUR_DRIP))
        continue;
#else
      if (behaviour->flags & BEHAVIOUR_DRIP)
        continue;
#endif
      for (gsize o = 0; o < G_N_ELEMENTS (ops); o++)
        {
          Case *test;
          g_autofree char *path = NULL;

          if ((behaviour->flags & (BEHAVIOUR_JSON | BEHAVIOUR_NO_DOWNLOAD)) &&
              (ops[o].flags & OP_DOWNLOAD))
            continue;
          if ((behaviour->flags & BEHAVIOUR_TYPE) && (ops[o].flags & OP_ANY_TYPE))
            continue;
          test = g_new0 (Case, 1);
          test->behaviour = behaviour;
          test->op = &ops[o];
          g_ptr_array_add (cases, test);
          path = g_strdup_printf ("/hostile/%s/%s/%s", behaviour->name, ops[o].platform,
                                  ops[o].name);
          g_test_add_data_func (path, test, test_hostile);
        }
    }

  status = g_test_run ();

  if (scratch_dir != NULL)
    pa_test_remove_tree (scratch_dir, NULL);
  g_clear_pointer (&scratch_dir, g_free);
  g_clear_pointer (&peer, pa_test_peer_stop);
  g_clear_error (&setup_error);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
