/* pa-trigger-server.c — runs workflows when an HTTP request asks (a webhook trigger)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-trigger-server.h"

#define RUN_PREFIX       "/run/"
/* How long answers already given may take to be written once stopping
 * was cancelled, before the connections are closed anyway. */
#define STOP_FLUSH_MS    2000

typedef struct {
  PaTriggerServer   *self;
  SoupServerMessage *msg;
  char              *run_id;
} Waiter;

struct _PaTriggerServer {
  GObject       parent_instance;
  PaEngine     *engine;
  SoupServer   *server;
  GHashTable   *workflows;      /* name → PaWorkflow */
  GHashTable   *running;        /* run ids started here and not ended */
  GHashTable   *waiters;        /* run id → Waiter *, for ?wait=true */
  guint8        token_digest[32];
  guint         in_flight;      /* requests seen and not yet answered */
  gulong        run_finished_id;
  gboolean      stopping;
  gboolean      abandoning;     /* stopping was cancelled */
  gboolean      flushed;        /* ... and STOP_FLUSH_MS has passed */
  GTask        *stop_task;
  GSource      *cancel_source;
  guint         flush_id;
  guint         finish_id;
  GStrv         allowed_paths;  /* what the runs started here may read */
  gint64        network_wait_s;
};

G_DEFINE_FINAL_TYPE (PaTriggerServer, pa_trigger_server, G_TYPE_OBJECT)

static void maybe_finish_stop (PaTriggerServer *self);

static void
waiter_free (Waiter *waiter)
{
  g_object_unref (waiter->msg);
  g_free (waiter->run_id);
  g_free (waiter);
}

/* Only a digest of the token is kept; comparing digests takes the same
 * time whatever the first differing byte or the length of the guess. */
static void
token_digest (const char *token,
              gsize       len,
              guint8      digest[32])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = 32;

  g_checksum_update (checksum, (const guchar *) token, len);
  g_checksum_get_digest (checksum, digest, &digest_len);
}

static gboolean
token_matches (PaTriggerServer   *self,
               SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  guint8 digest[32];
  guint8 diff = 0;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return FALSE;
  header += 7;
  token_digest (header, strlen (header), digest);
  for (guint i = 0; i < sizeof digest; i++)
    diff |= digest[i] ^ self->token_digest[i];
  return diff == 0;
}

/* ---- answers ------------------------------------------------------------- */

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonObject        *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  char *text;

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  respond_json (msg, status, object);
}

static JsonObject *
run_answer (const char *run_id,
            const char *status)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "run_id", run_id);
  json_object_set_string_member (object, "status", status);
  return object;
}

/* ---- requests ------------------------------------------------------------ */

/* The workflow a path names, or NULL. */
static PaWorkflow *
lookup_workflow (PaTriggerServer *self,
                 const char      *path)
{
  g_autofree char *name = NULL;

  if (!g_str_has_prefix (path, RUN_PREFIX))
    return NULL;
  /* NULL for an escaped '/' or a broken escape: no workflow has one. */
  name = g_uri_unescape_string (path + strlen (RUN_PREFIX), "/");
  if (name == NULL)
    return NULL;
  return g_hash_table_lookup (self->workflows, name);
}

static void
on_message_finished (SoupServerMessage *msg,
                     PaTriggerServer   *self)
{
  const char *run_id = g_object_get_data (G_OBJECT (msg), "pa-trigger-run-id");

  /* A client that went away no longer waits. */
  if (run_id != NULL)
    {
      Waiter *waiter = g_hash_table_lookup (self->waiters, run_id);

      if (waiter != NULL && waiter->msg == msg)
        g_hash_table_remove (self->waiters, run_id);
    }
  g_signal_handlers_disconnect_by_func (msg, on_message_finished, self);
  self->in_flight--;
  maybe_finish_stop (self);
}

/* Everything that can be decided from the headers is decided before the
 * body is read: a request without the token, for nothing, or too large
 * costs no more than its headers. */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  PaTriggerServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  self->in_flight++;
  g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), self);

  if (self->stopping)
    respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, _("The server is stopping."));
  else if (!token_matches (self, msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED,
                     _("This server needs its token: send “Authorization: Bearer TOKEN”."));
    }
  else if (lookup_workflow (self, path) == NULL)
    respond_error (msg, SOUP_STATUS_NOT_FOUND,
                   g_str_has_prefix (path, RUN_PREFIX)
                   ? _("No workflow of that name is served here.")
                   : _("Nothing here: POST to /run/WORKFLOW."));
  else if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST");
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Start a run with POST."));
    }
  else if (encoding == SOUP_ENCODING_CHUNKED)
    respond_error (msg, SOUP_STATUS_LENGTH_REQUIRED,
                   _("Send the inputs with a Content-Length."));
  else if (encoding == SOUP_ENCODING_CONTENT_LENGTH
           && soup_message_headers_get_content_length (headers) > PA_TRIGGER_SERVER_MAX_BODY_SIZE)
    {
      g_autofree char *message =
        g_strdup_printf (_("The inputs are larger than %u bytes."), PA_TRIGGER_SERVER_MAX_BODY_SIZE);

      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
    }
  else
    return;

  /* The body was not read: the connection cannot carry another request. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

/* The request's inputs, or NULL with an answer set. */
static JsonObject *
read_inputs (SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *data;
  gsize len;

  data = g_bytes_get_data (body, &len);
  if (len > PA_TRIGGER_SERVER_MAX_BODY_SIZE)
    {
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The inputs are too large."));
      return NULL;
    }
  /* No body: a workflow without required inputs needs none. */
  if (len == 0)
    return json_object_new ();
  root = pa_json_parse_bounded (data, (gssize) len, PA_TRIGGER_SERVER_MAX_BODY_SIZE,
                                PA_ERROR_INVALID_INPUT, _("The inputs"), &error);
  if (root == NULL)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                     _("The inputs must be a JSON object of input names and values."));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  PaTriggerServer *self = user_data;
  PaWorkflow *workflow = lookup_workflow (self, path);
  const char *wait_param = query != NULL ? g_hash_table_lookup (query, "wait") : NULL;
  g_autoptr(JsonObject) given = NULL;
  g_autoptr(JsonObject) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_id = NULL;
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  gboolean wait;

  /* The early handler has answered everything else. */
  g_return_if_fail (workflow != NULL);

  if (wait_param != NULL && !g_str_equal (wait_param, "true") && !g_str_equal (wait_param, "false"))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, _("wait takes true or false."));
      return;
    }
  wait = g_strcmp0 (wait_param, "true") == 0;

  given = read_inputs (msg);
  if (given == NULL)
    return;
  bound = pa_workflow_bind_inputs_from (workflow, given, PA_WORKFLOW_INPUTS_FROM_JSON, &error);
  if (bound == NULL)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  /* Inputs come from whoever holds the token, not from the user at this
   * machine: only what serve was started with is granted. */
  options.allowed_paths = (const char * const *) self->allowed_paths;
  options.network_wait_s = self->network_wait_s;
  pa_engine_start_run_with_options (self->engine, workflow, bound, &options, &run_id, &error);
  if (run_id == NULL)
    {
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      return;
    }
  g_hash_table_add (self->running, g_strdup (run_id));

  if (wait)
    {
      Waiter *waiter = g_new0 (Waiter, 1);

      waiter->self = self;
      waiter->msg = g_object_ref (msg);
      waiter->run_id = g_strdup (run_id);
      g_object_set_data_full (G_OBJECT (msg), "pa-trigger-run-id", g_strdup (run_id), g_free);
      g_hash_table_replace (self->waiters, waiter->run_id, waiter);
      soup_server_message_pause (msg);
    }
  else
    {
      g_autoptr(JsonObject) answer = run_answer (run_id, "running");

      respond_json (msg, SOUP_STATUS_ACCEPTED, answer);
    }
}

/* Called while the engine still holds the run, so its outputs are there. */
static void
on_run_finished (PaEngine        *engine,
                 const char      *run_id,
                 const char      *status,
                 PaTriggerServer *self)
{
  Waiter *waiter;

  if (!g_hash_table_remove (self->running, run_id))
    return;

  waiter = g_hash_table_lookup (self->waiters, run_id);
  if (waiter != NULL)
    {
      g_autoptr(SoupServerMessage) msg = g_object_ref (waiter->msg);
      g_autoptr(JsonObject) answer = run_answer (run_id, status);
      g_autofree char *failure = pa_engine_dup_run_error (engine, run_id);
      JsonObject *outputs = pa_engine_dup_run_outputs (engine, run_id);

      json_object_set_object_member (answer, "outputs",
                                     outputs != NULL ? outputs : json_object_new ());
      if (failure != NULL)
        json_object_set_string_member (answer, "error", failure);
      else
        json_object_set_null_member (answer, "error");
      g_hash_table_remove (self->waiters, run_id);
      respond_json (msg, g_str_equal (status, "succeeded") ? SOUP_STATUS_OK
                                                            : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                    answer);
      soup_server_message_unpause (msg);
    }
  maybe_finish_stop (self);
}

/* ---- stopping ------------------------------------------------------------ */

static gboolean
stop_is_due (PaTriggerServer *self)
{
  return self->stop_task != NULL
         && (self->abandoning || g_hash_table_size (self->running) == 0)
         && (self->in_flight == 0 || self->flushed);
}

static gboolean
finish_stop_cb (gpointer user_data)
{
  PaTriggerServer *self = user_data;
  g_autoptr(GTask) task = NULL;

  self->finish_id = 0;
  if (!stop_is_due (self))
    return G_SOURCE_REMOVE;

  task = g_steal_pointer (&self->stop_task);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  soup_server_disconnect (self->server);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* From an idle: the last answer is often written from inside libsoup's
 * own callbacks, which must not see the server disconnect under them. */
static void
maybe_finish_stop (PaTriggerServer *self)
{
  if (stop_is_due (self) && self->finish_id == 0)
    self->finish_id = g_idle_add (finish_stop_cb, self);
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  PaTriggerServer *self = user_data;

  self->flush_id = 0;
  self->flushed = TRUE;
  maybe_finish_stop (self);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  PaTriggerServer *self = user_data;
  g_autoptr(GList) waiters = g_hash_table_get_values (self->waiters);

  g_clear_pointer (&self->cancel_source, g_source_unref);
  self->abandoning = TRUE;
  g_hash_table_steal_all (self->waiters);
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      Waiter *waiter = l->data;
      g_autoptr(JsonObject) answer = run_answer (waiter->run_id, "running");

      json_object_set_string_member (answer, "error",
                                     _("The server stopped before the run ended; it goes on at the "
                                       "next `playalter-cli resume`."));
      respond_json (waiter->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, answer);
      soup_server_message_unpause (waiter->msg);
      waiter_free (waiter);
    }
  self->flush_id = g_timeout_add (STOP_FLUSH_MS, flush_timeout_cb, self);
  maybe_finish_stop (self);
  return G_SOURCE_REMOVE;
}

void
pa_trigger_server_stop_async (PaTriggerServer     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PA_IS_TRIGGER_SERVER (self));
  g_return_if_fail (self->stop_task == NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, pa_trigger_server_stop_async);
  self->stopping = TRUE;
  self->stop_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      /* From the main loop, so that it never runs inside this call. */
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (stop_cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, NULL);
    }
  maybe_finish_stop (self);
}

gboolean
pa_trigger_server_stop_finish (PaTriggerServer  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- object -------------------------------------------------------------- */

static void
pa_trigger_server_dispose (GObject *object)
{
  PaTriggerServer *self = PA_TRIGGER_SERVER (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->finish_id, g_source_remove);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  g_clear_signal_handler (&self->run_finished_id, self->engine);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_pointer (&self->waiters, g_hash_table_unref);
  g_clear_object (&self->server);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->workflows, g_hash_table_unref);
  g_clear_pointer (&self->running, g_hash_table_unref);
  g_clear_object (&self->stop_task);
  memset (self->token_digest, 0, sizeof self->token_digest);
  g_clear_pointer (&self->allowed_paths, g_strfreev);

  G_OBJECT_CLASS (pa_trigger_server_parent_class)->dispose (object);
}

static void
pa_trigger_server_class_init (PaTriggerServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pa_trigger_server_dispose;
}

static void
pa_trigger_server_init (PaTriggerServer *self)
{
  self->workflows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiters = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) waiter_free);
  self->network_wait_s = -1;
}

void
pa_trigger_server_set_run_options (PaTriggerServer    *self,
                                   const char * const *allowed_paths,
                                   gint64              network_wait_s)
{
  g_return_if_fail (PA_IS_TRIGGER_SERVER (self));

  g_strfreev (self->allowed_paths);
  self->allowed_paths = g_strdupv ((char **) allowed_paths);
  self->network_wait_s = network_wait_s;
}

PaTriggerServer *
pa_trigger_server_new (PaEngine   *engine,
                       const char *token)
{
  PaTriggerServer *self;
  g_autofree char *server_header = g_strdup_printf ("PlayAlter/%s", PACKAGE_VERSION);

  g_return_val_if_fail (PA_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (token != NULL && strlen (token) >= PA_TRIGGER_SERVER_MIN_TOKEN_LENGTH, NULL);

  self = g_object_new (PA_TYPE_TRIGGER_SERVER, NULL);
  self->engine = g_object_ref (engine);
  token_digest (token, strlen (token), self->token_digest);
  self->server = soup_server_new ("server-header", server_header, NULL);
  soup_server_add_early_handler (self->server, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->server, NULL, handler, self, NULL);
  self->run_finished_id = g_signal_connect (engine, "run-finished",
                                            G_CALLBACK (on_run_finished), self);
  return self;
}

gboolean
pa_trigger_server_add_workflow (PaTriggerServer  *self,
                                PaWorkflow       *workflow,
                                GError          **error)
{
  const char *name;

  g_return_val_if_fail (PA_IS_TRIGGER_SERVER (self), FALSE);
  g_return_val_if_fail (PA_IS_WORKFLOW (workflow), FALSE);

  name = pa_workflow_get_name (workflow);
  if (g_hash_table_contains (self->workflows, name))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Two workflows are named “%s”; each needs its own name to be served."), name);
      return FALSE;
    }
  if (strchr (name, '/') != NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The workflow “%s” cannot be served: its name holds a “/”."), name);
      return FALSE;
    }
  g_hash_table_insert (self->workflows, g_strdup (name), g_object_ref (workflow));
  return TRUE;
}

gboolean
pa_trigger_server_listen (PaTriggerServer  *self,
                          GInetAddress     *address,
                          guint16           port,
                          GError          **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;

  g_return_val_if_fail (PA_IS_TRIGGER_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);

  socket_address = g_inet_socket_address_new (address, port);
  return soup_server_listen (self->server, socket_address, 0, error);
}

char *
pa_trigger_server_dup_uri (PaTriggerServer *self)
{
  GSList *listeners;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *host = NULL;
  GInetAddress *inet;

  g_return_val_if_fail (PA_IS_TRIGGER_SERVER (self), NULL);

  /* Not soup_server_get_uris: libsoup 3.2 leaks an address in it. */
  listeners = soup_server_get_listeners (self->server);
  if (listeners == NULL)
    return NULL;
  address = g_socket_get_local_address (listeners->data, NULL);
  g_slist_free (listeners);
  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  host = g_inet_address_to_string (inet);
  return g_strdup_printf (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
                          ? "http://[%s]:%u/" : "http://%s:%u/",
                          host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

guint
pa_trigger_server_get_n_running (PaTriggerServer *self)
{
  g_return_val_if_fail (PA_IS_TRIGGER_SERVER (self), 0);

  return g_hash_table_size (self->running);
}
