/* test-cli-serve.c — playalter-cli serve: runs over HTTP, refusals, binding, stopping
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "playalter.h"

#include "pa-test-cli.h"

#define TOKEN "test-token-0123456789abcdef"

static const char *THREE_SETS =
  "{\"name\": \"three-sets\", \"inputs\": {\"n\": {\"type\": \"number\"}},"
  " \"steps\": ["
  "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": \"{{inputs.n}}\"}},"
  "  {\"id\": \"b\", \"uses\": \"local.set\", \"needs\": [\"a\"],"
  "   \"with\": {\"value\": {\"from_a\": \"{{steps.a.output.value}}\", \"text\": \"n={{inputs.n}}\"}}},"
  "  {\"id\": \"c\", \"uses\": \"local.set\", \"needs\": [\"b\"],"
  "   \"with\": {\"value\": [\"{{steps.b.output.value.text}}\", true]}}"
  " ]}";

/* Long enough to still be running when the server is told to stop. */
static const char *WAITING =
  "{\"name\": \"waiting\", \"inputs\": {\"seconds\": {\"type\": \"number\"}},"
  " \"steps\": ["
  "  {\"id\": \"pause\", \"uses\": \"local.wait\", \"with\": {\"seconds\": \"{{inputs.seconds}}\"}},"
  "  {\"id\": \"after\", \"uses\": \"local.set\", \"needs\": [\"pause\"], \"with\": {\"value\": 1}}"
  " ]}";

typedef struct {
  char              *data_dir;
  char              *token_file;
  char              *three_sets;
  char              *waiting;
  GSubprocess       *serve;
  GDataInputStream  *out;
  char              *uri;       /* "http://127.0.0.1:PORT/" */
  SoupSession       *session;
  const char        *durability;  /* --durability for start_serve, or NULL */
} Fixture;

typedef struct {
  guint     status;
  char     *body;
  JsonNode *json;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->body, g_free);
  g_clear_pointer (&answer->json, json_node_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static char *
read_out_line (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (fixture->out, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

/* Starts `serve` with the fixture's workflows and @extra options
 * (NULL-terminated), and reads the address it listens on. */
static void
start_serve (Fixture     *fixture,
             const char  *first_extra,
             ...)
{
  g_autoptr(GPtrArray) argv = pa_test_cli_argv_new (fixture->data_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  va_list args;

  if (fixture->durability != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--durability");
      g_ptr_array_add (argv, (gpointer) fixture->durability);
    }
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, fixture->three_sets);
  g_ptr_array_add (argv, fixture->waiting);
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  va_start (args, first_extra);
  for (const char *arg = first_extra; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* A case may start serve again after stopping it. */
  g_clear_object (&fixture->out);
  g_clear_object (&fixture->serve);
  g_clear_pointer (&fixture->uri, g_free);
  fixture->serve = g_subprocess_newv ((const char * const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                      | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  fixture->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->serve));
  line = read_out_line (fixture);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  fixture->uri = g_strdup (line + strlen ("Listening on "));
}

static void
start_serve_with_token_file (Fixture *fixture)
{
  start_serve (fixture, "--token-file", fixture->token_file, NULL);
}

/* Waits for a clean exit. */
static void
wait_serve_exit (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (fixture->serve, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (fixture->serve));
  g_assert_cmpint (g_subprocess_get_exit_status (fixture->serve), ==, 0);
}

/* Sends SIGTERM and waits for a clean exit. */
static void
stop_serve (Fixture *fixture)
{
  g_subprocess_send_signal (fixture->serve, SIGTERM);
  wait_serve_exit (fixture);
}

static SoupMessage *
new_request (Fixture    *fixture,
             const char *method,
             const char *path,
             const char *token,
             const char *body)
{
  g_autofree char *url = g_strconcat (fixture->uri, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return msg;
}

static void
read_answer (SoupMessage *msg,
             GBytes      *body,
             Answer      *answer)
{
  g_assert_nonnull (body);
  answer->status = soup_message_get_status (msg);
  answer->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  answer->json = json_from_string (answer->body, NULL);
  /* Every answer, refusals included, is a JSON object. */
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                   ==, "application/json");
}

static void
request (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *token,
         const char *body,
         Answer     *answer)
{
  g_autoptr(SoupMessage) msg = new_request (fixture, method, path, token, body);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read (fixture->session, msg, NULL, &error);

  g_assert_no_error (error);
  answer_clear (answer);
  read_answer (msg, bytes, answer);
}

static const char *
answer_string (Answer     *answer,
               const char *member)
{
  JsonObject *object = json_node_get_object (answer->json);

  g_assert_true (json_object_has_member (object, member));
  return json_object_get_string_member (object, member);
}

static void
assert_refused (Answer     *answer,
                guint       status,
                const char *fragment)
{
  if (answer->status != status)
    g_error ("expected %u, got %u: %s", status, answer->status, answer->body);
  g_assert_nonnull (strstr (answer_string (answer, "error"), fragment));
}

/* step id → output, from `show RUN`'s "  ID: status…" / "    output: JSON" lines. */
static JsonObject *
shown_outputs (Fixture    *fixture,
               const char *run_id,
               char      **status_out)
{
  g_auto(PaTestCliResult) shown = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *step = NULL;
  JsonObject *outputs = json_object_new ();

  pa_test_cli_run (&shown, fixture->data_dir, NULL, "show", run_id, NULL);
  g_assert_cmpint (shown.status, ==, 0);
  lines = g_strsplit (shown.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "status:"))
        *status_out = g_strstrip (g_strdup (lines[i] + strlen ("status:")));
      else if (g_str_has_prefix (lines[i], "  ") && !g_str_has_prefix (lines[i], "    "))
        {
          g_free (step);
          step = g_strndup (lines[i] + 2, strcspn (lines[i] + 2, ":"));
        }
      else if (g_str_has_prefix (lines[i], "    output: "))
        {
          g_autoptr(GError) error = NULL;
          JsonNode *node = json_from_string (lines[i] + strlen ("    output: "), &error);

          g_assert_no_error (error);
          g_assert_nonnull (step);
          json_object_set_member (outputs, step, node);
        }
    }
  return outputs;
}

static gboolean
json_objects_equal (JsonObject *a,
                    JsonObject *b)
{
  g_autoptr(JsonNode) x = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) y = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (x, a);
  json_node_set_object (y, b);
  return json_node_equal (x, y);
}

/* ---- fixture --------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->data_dir = pa_test_cli_data_dir_new ();
  fixture->token_file = pa_test_write_file (fixture->data_dir, "token", TOKEN "\n");
  fixture->three_sets = pa_test_write_file (fixture->data_dir, "three-sets.json", THREE_SETS);
  fixture->waiting = pa_test_write_file (fixture->data_dir, "waiting.json", WAITING);
  fixture->session = soup_session_new_with_options ("timeout", 30, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->serve != NULL)
    {
      g_subprocess_force_exit (fixture->serve);
      g_subprocess_wait (fixture->serve, NULL, NULL);
    }
  g_clear_object (&fixture->out);
  g_clear_object (&fixture->serve);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->uri, g_free);
  g_clear_pointer (&fixture->token_file, g_free);
  g_clear_pointer (&fixture->three_sets, g_free);
  g_clear_pointer (&fixture->waiting, g_free);
  g_clear_pointer (&fixture->data_dir, pa_test_cli_data_dir_free);
}

/* ---- tests ----------------------------------------------------------------- */

/* Runs started over HTTP read what serve was granted, and nothing else:
 * a path in a request is the caller's, not the user's. */
static void
test_file_grants (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *folder = g_build_filename (fixture->data_dir, "shared", NULL);
  g_autofree char *face = NULL;
  g_autofree char *outside = pa_test_write_file (fixture->data_dir, "outside.txt", "secret");
  g_autofree char *save = pa_test_write_file (fixture->data_dir, "save.json",
    "{\"name\": \"save\", \"inputs\": {\"path\": {\"type\": \"file\"}},"
    " \"steps\": [{\"id\": \"save\", \"uses\": \"local.save\","
    " \"with\": {\"path\": \"{{inputs.path}}\"}}]}");
  g_autofree char *granted_body = NULL;
  g_autofree char *outside_body = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  face = pa_test_write_file (folder, "face.png", "a face");
  granted_body = g_strdup_printf ("{\"path\": \"%s\"}", face);
  outside_body = g_strdup_printf ("{\"path\": \"%s\"}", outside);

  start_serve (fixture, "--token-file", fixture->token_file, save, "--allow-path", folder, NULL);
  request (fixture, "POST", "run/save?wait=true", TOKEN, granted_body, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
  request (fixture, "POST", "run/save?wait=true", TOKEN, outside_body, &answer);
  g_assert_cmpuint (answer.status, ==, 500);
  g_assert_nonnull (strstr (answer_string (&answer, "error"), outside));
  g_assert_nonnull (strstr (answer_string (&answer, "error"), "--allow-path"));
  stop_serve (fixture);
}

/* A run started over HTTP ends as `workflow run` ends, and is journaled. */
static void
test_same_as_workflow_run (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_auto(PaTestCliResult) run = { 0 };
  g_autofree char *cli_run = NULL;
  g_autofree char *cli_status = NULL;
  g_autofree char *http_status = NULL;
  g_autoptr(JsonObject) cli_outputs = NULL;
  g_autoptr(JsonObject) http_shown = NULL;
  JsonObject *http_outputs;
  const char *run_id;

  pa_test_cli_run (&run, fixture->data_dir, NULL, "workflow", "run", fixture->three_sets,
                   "--input", "n=7", NULL);
  g_assert_cmpint (run.status, ==, 0);
  cli_run = g_strndup (run.out, strcspn (run.out, "\n"));
  cli_outputs = shown_outputs (fixture, cli_run, &cli_status);
  g_assert_cmpstr (cli_status, ==, "succeeded");
  g_assert_cmpuint (json_object_get_size (cli_outputs), ==, 3);

  start_serve_with_token_file (fixture);
  request (fixture, "POST", "run/three-sets?wait=true", TOKEN, "{\"n\": 7}", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpstr (answer_string (&answer, "status"), ==, "succeeded");
  g_assert_true (json_object_get_null_member (json_node_get_object (answer.json), "error"));
  run_id = answer_string (&answer, "run_id");
  g_assert_cmpstr (run_id, !=, cli_run);
  http_outputs = json_object_get_object_member (json_node_get_object (answer.json), "outputs");
  g_assert_true (json_objects_equal (http_outputs, cli_outputs));

  /* Journaled: another process sees the run and the same outputs. */
  http_shown = shown_outputs (fixture, run_id, &http_status);
  g_assert_cmpstr (http_status, ==, "succeeded");
  g_assert_true (json_objects_equal (http_shown, cli_outputs));
  stop_serve (fixture);
}

/* Without wait: 202 with the run id at once; the run ends on its own. */
static void
test_accepted (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *expected = NULL;
  g_autofree char *status = NULL;
  g_autoptr(JsonObject) outputs = NULL;
  JsonObject *b;
  const char *run_id;

  start_serve_with_token_file (fixture);
  request (fixture, "POST", "run/three-sets", TOKEN, "{\"n\": \"3\"}", &answer);
  g_assert_cmpuint (answer.status, ==, 202);
  g_assert_cmpstr (answer_string (&answer, "status"), ==, "running");
  run_id = answer_string (&answer, "run_id");

  /* serve reports each run's end on stdout. */
  expected = g_strdup_printf ("run %s: succeeded", run_id);
  for (;;)
    {
      g_autofree char *line = read_out_line (fixture);

      g_assert_nonnull (line);
      if (g_str_equal (line, expected))
        break;
    }
  outputs = shown_outputs (fixture, run_id, &status);
  g_assert_cmpstr (status, ==, "succeeded");
  g_assert_true (json_object_has_member (outputs, "b"));
  b = json_object_get_object_member (json_object_get_object_member (outputs, "b"), "value");
  g_assert_nonnull (b);
  g_assert_cmpstr (json_object_get_string_member_with_default (b, "text", NULL), ==, "n=3");
  stop_serve (fixture);
}

typedef struct {
  const char *method;
  const char *path;
  const char *token;
  const char *body;
  guint       status;
  const char *fragment;   /* in the answer's "error" */
} Refusal;

static const Refusal refusals[] = {
  /* No token, a wrong one, one that only starts right, one too long. */
  { "POST", "run/three-sets", NULL, "{\"n\": 1}", 401, "Bearer" },
  { "POST", "run/three-sets", "wrong-token-0123456789abcdef", "{\"n\": 1}", 401, "Bearer" },
  { "POST", "run/three-sets", "test-token", "{\"n\": 1}", 401, "Bearer" },
  { "POST", "run/three-sets", TOKEN "x", "{\"n\": 1}", 401, "Bearer" },
  /* Unknown workflows are not told apart from known ones without the token. */
  { "POST", "run/nope", NULL, "{}", 401, "Bearer" },
  { "POST", "run/nope", TOKEN, "{}", 404, "No workflow" },
  { "POST", "run/three-sets/more", TOKEN, "{}", 404, "No workflow" },
  { "POST", "elsewhere", TOKEN, "{}", 404, "/run/" },
  { "GET", "run/three-sets", TOKEN, NULL, 405, "POST" },
  { "PUT", "run/three-sets", TOKEN, "{\"n\": 1}", 405, "POST" },
  { "POST", "run/three-sets", TOKEN, "n=1", 400, "not valid JSON" },
  { "POST", "run/three-sets", TOKEN, "[1, 2]", 400, "JSON object" },
  { "POST", "run/three-sets", TOKEN, "\"n\"", 400, "JSON object" },
  { "POST", "run/three-sets?wait=maybe", TOKEN, "{\"n\": 1}", 400, "wait" },
  /* Inputs are checked by the workflow, with its message. */
  { "POST", "run/three-sets", TOKEN, "{\"n\": \"seven\"}", 400, "inputs.n" },
  { "POST", "run/three-sets", TOKEN, "{}", 400, "inputs.n" },
  /* …in the words of HTTP, not of the command line. */
  { "POST", "run/three-sets", TOKEN, "{}", 400, "member “n” of the JSON object" },
};

static void
test_refusals (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *big = NULL;
  g_autofree char *deep = NULL;
  g_auto(PaTestCliResult) runs = { 0 };
  g_auto(GStrv) lines = NULL;

  start_serve_with_token_file (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      const Refusal *r = &refusals[i];

      g_test_message ("%s %s", r->method, r->path);
      request (fixture, r->method, r->path, r->token, r->body, &answer);
      assert_refused (&answer, r->status, r->fragment);
    }

  big = g_strnfill (PA_TRIGGER_SERVER_MAX_BODY_SIZE + 1, ' ');
  request (fixture, "POST", "run/three-sets", TOKEN, big, &answer);
  assert_refused (&answer, 413, "larger");
  deep = g_strnfill (PA_LIMIT_JSON_DEPTH + 1, '[');
  request (fixture, "POST", "run/three-sets", TOKEN, deep, &answer);
  assert_refused (&answer, 400, "levels deep");

  /* A body without a length could be any size: refused before it is read. */
  {
    g_autoptr(SoupMessage) msg = new_request (fixture, "POST", "run/three-sets", TOKEN, NULL);
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("{\"n\": 1}", -1, NULL);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;

    soup_message_set_request_body (msg, "application/json", stream, -1);
    bytes = soup_session_send_and_read (fixture->session, msg, NULL, &error);
    g_assert_no_error (error);
    answer_clear (&answer);
    read_answer (msg, bytes, &answer);
    assert_refused (&answer, 411, "Content-Length");
  }

  /* Still serving after all that, and none of it started a run. */
  request (fixture, "POST", "run/three-sets?wait=true", TOKEN, "{\"n\": 2}", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  stop_serve (fixture);
  pa_test_cli_run (&runs, fixture->data_dir, NULL, "runs", NULL);
  g_assert_cmpint (runs.status, ==, 0);
  lines = g_strsplit (runs.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);   /* header, the one run, "" */
}

static gboolean
can_connect (const char *host,
             guint16     port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 5);
  connection = g_socket_client_connect_to_host (client, host, port, NULL, NULL);
  return connection != NULL;
}

/* By default only 127.0.0.1 answers: not another loopback address, not
 * the machine's other addresses. */
static void
test_loopback_only (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autolist(GInetAddress) addresses = NULL;
  guint16 port;

  start_serve_with_token_file (fixture);
  uri = g_uri_parse (fixture->uri, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  port = (guint16) g_uri_get_port (uri);

  g_assert_true (can_connect ("127.0.0.1", port));
  g_assert_false (can_connect ("127.0.0.2", port));
  g_assert_false (can_connect ("::1", port));
  /* The machine's own name may resolve to a non-loopback address. */
  addresses = g_resolver_lookup_by_name (resolver, g_get_host_name (), NULL, NULL);
  for (GList *l = addresses; l != NULL; l = l->next)
    if (!g_inet_address_get_is_loopback (l->data))
      {
        g_autofree char *host = g_inet_address_to_string (l->data);

        g_test_message ("also checking %s", host);
        g_assert_false (can_connect (host, port));
      }
  stop_serve (fixture);
}

/* Any other address takes --listen, and gets a warning. */
static void
test_listen_elsewhere (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  start_serve (fixture, "--token-file", fixture->token_file, "--listen", "0.0.0.0", NULL);
  g_assert_true (g_str_has_prefix (fixture->uri, "http://0.0.0.0:"));
  g_subprocess_send_signal (fixture->serve, SIGTERM);
  g_subprocess_communicate_utf8 (fixture->serve, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (err, "warning: listening on 0.0.0.0"));
  g_assert_null (strstr (err, TOKEN));
}

/* Without --token-file a token is made up and shown once, on stderr. */
static void
test_generated_token (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GDataInputStream) err_stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto(Answer) answer = { 0 };
  const char *prefix = "playalter-cli: token (shown only now): ";
  const char *token;

  start_serve (fixture, NULL);
  err_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (fixture->serve));
  line = g_data_input_stream_read_line_utf8 (err_stream, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  token = line + strlen (prefix);
  g_assert_cmpuint (strlen (token), ==, 64);

  request (fixture, "POST", "run/three-sets?wait=true", token, "{\"n\": 1}", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  request (fixture, "POST", "run/three-sets?wait=true", TOKEN, "{\"n\": 1}", &answer);
  g_assert_cmpuint (answer.status, ==, 401);
  stop_serve (fixture);
}

/* The CLI exits with @status before listening, saying @fragment. */
static void
assert_serve_refuses (Fixture    *fixture,
                      int         status,
                      const char *fragment,
                      ...)
{
  g_auto(PaTestCliResult) result = { 0 };
  va_list args;

  va_start (args, fragment);
  pa_test_cli_run_valist (&result, fixture->data_dir, NULL, args);
  va_end (args);
  g_assert_cmpint (result.status, ==, status);
  g_assert_null (strstr (result.out, "Listening"));
  if (strstr (result.err, fragment) == NULL)
    g_error ("expected “%s” on stderr, got: %s", fragment, result.err);
}

static void
test_bad_start (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *bad = pa_test_write_file (fixture->data_dir, "bad.json",
                                             "{\"name\": \"bad\", \"steps\": [{\"id\": \"x\", \"uses\": \"local.nope\"}]}");
  g_autofree char *twin = pa_test_write_file (fixture->data_dir, "twin.json", THREE_SETS);
  g_autofree char *short_token = pa_test_write_file (fixture->data_dir, "short", "abc\n");

  /* A bad workflow among good ones: nothing listens. */
  assert_serve_refuses (fixture, 1, "local.nope", "serve", fixture->three_sets, bad, "--port", "0",
                        "--token-file", fixture->token_file, NULL);
  assert_serve_refuses (fixture, 1, "three-sets", "serve", fixture->three_sets, twin, "--port", "0",
                        "--token-file", fixture->token_file, NULL);
  assert_serve_refuses (fixture, 1, "too short", "serve", fixture->three_sets, "--port", "0",
                        "--token-file", short_token, NULL);
  assert_serve_refuses (fixture, 2, "IP address", "serve", fixture->three_sets,
                        "--listen", "localhost", NULL);
  assert_serve_refuses (fixture, 2, "at least one workflow", "serve", NULL);
}

/* serve says, after its addresses, how its store commits; a run
 * answered at that level. */
static void
assert_serve_durability (Fixture    *fixture,
                         const char *expected)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *line = NULL;

  start_serve_with_token_file (fixture);
  for (guint i = 0; i < 10; i++)
    {
      g_clear_pointer (&line, g_free);
      line = read_out_line (fixture);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "Durability: "))
        break;
    }
  g_assert_cmpstr (line, ==, expected);
  request (fixture, "POST", "run/three-sets?wait=true", TOKEN, "{\"n\": 1}", &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  stop_serve (fixture);
}

/* --durability and PLAYALTER_DURABILITY choose how commits reach the
 * disk (the option first); an unknown level is refused before anything
 * listens, not taken as the default. */
static void
test_durability (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *old_env = g_strdup (g_getenv ("PLAYALTER_DURABILITY"));

  g_unsetenv ("PLAYALTER_DURABILITY");
  assert_serve_durability (fixture, "Durability: journal_mode=wal synchronous=normal");
  fixture->durability = "full";
  assert_serve_durability (fixture, "Durability: journal_mode=wal synchronous=full");

  g_setenv ("PLAYALTER_DURABILITY", "full", TRUE);
  fixture->durability = NULL;
  assert_serve_durability (fixture, "Durability: journal_mode=wal synchronous=full");
  fixture->durability = "normal";
  assert_serve_durability (fixture, "Durability: journal_mode=wal synchronous=normal");
  fixture->durability = NULL;

  assert_serve_refuses (fixture, 2, "“fsync”", "--durability", "fsync", "serve",
                        fixture->three_sets, "--port", "0", "--token-file", fixture->token_file,
                        NULL);
  g_setenv ("PLAYALTER_DURABILITY", "fsync", TRUE);
  assert_serve_refuses (fixture, 2, "“fsync”", "serve", fixture->three_sets, "--port", "0",
                        "--token-file", fixture->token_file, NULL);

  if (old_env != NULL)
    g_setenv ("PLAYALTER_DURABILITY", old_env, TRUE);
  else
    g_unsetenv ("PLAYALTER_DURABILITY");
}

typedef struct {
  Answer   *answer;
  gboolean  sent;
  gboolean  done;
} Pending;

static void
on_wrote_body (SoupMessage *msg,
               Pending     *pending)
{
  pending->sent = TRUE;
}

/* Sends @msg from the main loop and returns once it has been written. */
static void
send_in_background (Fixture     *fixture,
                    SoupMessage *msg,
                    Pending     *pending);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  g_assert_no_error (error);
  read_answer (soup_session_get_async_result_message (SOUP_SESSION (source), result), body,
               pending->answer);
  pending->done = TRUE;
}

static void
send_in_background (Fixture     *fixture,
                    SoupMessage *msg,
                    Pending     *pending)
{
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_wrote_body), pending);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent, pending);
  while (!pending->sent)
    g_main_context_iteration (NULL, TRUE);
}

/* A waiting request whose run outlives the server: 503 with the run
 * id, and the run is left in the journal for `resume`. */
static void
test_stop_leaves_runs_resumable (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_auto(Answer) quick = { 0 };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *status = NULL;
  g_autoptr(JsonObject) outputs = NULL;
  Pending pending = { &answer, FALSE, FALSE };
  const char *run_id;

  start_serve_with_token_file (fixture);
  msg = new_request (fixture, "POST", "run/waiting?wait=true", TOKEN, "{\"seconds\": 600}");
  send_in_background (fixture, msg, &pending);
  /* A second request proves the first has been taken in. */
  request (fixture, "POST", "run/three-sets?wait=true", TOKEN, "{\"n\": 1}", &quick);
  g_assert_cmpuint (quick.status, ==, 200);

  g_subprocess_send_signal (fixture->serve, SIGTERM);
  g_usleep (G_USEC_PER_SEC / 5);
  g_subprocess_send_signal (fixture->serve, SIGTERM);
  while (!pending.done)
    g_main_context_iteration (NULL, TRUE);
  assert_refused (&answer, 503, "resume");
  run_id = answer_string (&answer, "run_id");

  g_subprocess_communicate_utf8 (fixture->serve, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (fixture->serve));
  g_assert_cmpint (g_subprocess_get_exit_status (fixture->serve), ==, 0);
  g_assert_nonnull (strstr (err, "1 run did not end"));

  outputs = shown_outputs (fixture, run_id, &status);
  g_assert_cmpstr (status, ==, "running");
  g_assert_cmpuint (json_object_get_size (outputs), ==, 0);
}

/* Stopping while a short run is under way lets it end and answers. */
static void
test_stop_finishes_runs (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_auto(Answer) quick = { 0 };
  g_autoptr(SoupMessage) msg = NULL;
  Pending pending = { &answer, FALSE, FALSE };

  start_serve_with_token_file (fixture);
  msg = new_request (fixture, "POST", "run/waiting?wait=true", TOKEN, "{\"seconds\": 1}");
  send_in_background (fixture, msg, &pending);
  request (fixture, "POST", "run/three-sets?wait=true", TOKEN, "{\"n\": 1}", &quick);
  g_assert_cmpuint (quick.status, ==, 200);

  g_subprocess_send_signal (fixture->serve, SIGTERM);
  while (!pending.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpstr (answer_string (&answer, "status"), ==, "succeeded");
  /* Its runs ended and its answers written, it exits on its own. */
  wait_serve_exit (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/serve/same-as-workflow-run", Fixture, NULL,
              fixture_set_up, test_same_as_workflow_run, fixture_tear_down);
  g_test_add ("/cli/serve/file-grants", Fixture, NULL,
              fixture_set_up, test_file_grants, fixture_tear_down);
  g_test_add ("/cli/serve/accepted", Fixture, NULL,
              fixture_set_up, test_accepted, fixture_tear_down);
  g_test_add ("/cli/serve/refusals", Fixture, NULL,
              fixture_set_up, test_refusals, fixture_tear_down);
  g_test_add ("/cli/serve/loopback-only", Fixture, NULL,
              fixture_set_up, test_loopback_only, fixture_tear_down);
  g_test_add ("/cli/serve/listen-elsewhere", Fixture, NULL,
              fixture_set_up, test_listen_elsewhere, fixture_tear_down);
  g_test_add ("/cli/serve/generated-token", Fixture, NULL,
              fixture_set_up, test_generated_token, fixture_tear_down);
  g_test_add ("/cli/serve/bad-start", Fixture, NULL,
              fixture_set_up, test_bad_start, fixture_tear_down);
  g_test_add ("/cli/serve/durability", Fixture, NULL,
              fixture_set_up, test_durability, fixture_tear_down);
  g_test_add ("/cli/serve/stop-leaves-runs-resumable", Fixture, NULL,
              fixture_set_up, test_stop_leaves_runs_resumable, fixture_tear_down);
  g_test_add ("/cli/serve/stop-finishes-runs", Fixture, NULL,
              fixture_set_up, test_stop_finishes_runs, fixture_tear_down);

  return g_test_run ();
}
