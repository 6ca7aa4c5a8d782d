/* pa-stripe.c — the Stripe API client: errors, requests, the account check
 *
 * The calls themselves live beside it: pa-stripe-catalogue.c,
 * pa-stripe-payments.c and pa-stripe-lists.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-json-private.h"
#include "pa-text.h"
#include "pa-platform-private.h"
#include "pa-stripe-private.h"

/* Stripe's messages are a sentence or two; anything longer is not meant
 * for a person. */
#define MESSAGE_MAX_CHARS 400

struct _PaStripe
{
  PaPlatform  parent_instance;

  PaSecrets  *secrets;
};

G_DEFINE_FINAL_TYPE (PaStripe, pa_stripe, PA_TYPE_PLATFORM)

/* ------------------------------------------------------------------------ */
/* Money                                                                    */

guint
pa_stripe_currency_decimals (const char *currency)
{
  /* From Stripe's currency docs: amounts in these are whole units.
   * UGX is missing on purpose: Stripe lists it as zero-decimal but, among
   * its special cases, keeps it two-decimal in the API for backwards
   * compatibility (5 UGX is 500, always ending in 00), as it does ISK;
   * HUF and TWD are two-decimal for charges too (whole units only for
   * payouts). */
  static const char *const zero_decimal[] = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
    "VND", "VUV", "XAF", "XOF", "XPF",
  };
  static const char *const three_decimal[] = {
    "BHD", "JOD", "KWD", "OMR", "TND",
  };

  g_return_val_if_fail (currency != NULL, 2);

  for (gsize i = 0; i < G_N_ELEMENTS (zero_decimal); i++)
    if (g_ascii_strcasecmp (currency, zero_decimal[i]) == 0)
      return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (three_decimal); i++)
    if (g_ascii_strcasecmp (currency, three_decimal[i]) == 0)
      return 3;
  return 2;
}

char *
pa_stripe_format_amount (gint64      minor,
                         const char *currency)
{
  g_autofree char *code = NULL;
  guint decimals;
  guint64 magnitude;
  guint64 scale = 1;

  g_return_val_if_fail (currency != NULL, NULL);

  code = g_ascii_strup (currency, -1);
  decimals = pa_stripe_currency_decimals (currency);
  /* Negated as unsigned, so G_MININT64 does not overflow. */
  magnitude = minor < 0 ? (guint64) 0 - (guint64) minor : (guint64) minor;

  if (decimals == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT " %s",
                            minor < 0 ? "-" : "", magnitude, code);

  for (guint i = 0; i < decimals; i++)
    scale *= 10;
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT " %s",
                          minor < 0 ? "-" : "", magnitude / scale,
                          (int) decimals, magnitude % scale, code);
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */

PaStripeMode
pa_stripe_mode_from_key (const char *key)
{
  if (key == NULL)
    return PA_STRIPE_MODE_UNKNOWN;
  if (g_str_has_prefix (key, "sk_test_") || g_str_has_prefix (key, "rk_test_"))
    return PA_STRIPE_MODE_TEST;
  if (g_str_has_prefix (key, "sk_live_") || g_str_has_prefix (key, "rk_live_"))
    return PA_STRIPE_MODE_LIVE;
  return PA_STRIPE_MODE_UNKNOWN;
}

const char *
pa_stripe_mode_to_string (PaStripeMode mode)
{
  switch (mode)
    {
    case PA_STRIPE_MODE_TEST:
      return _("Test mode");
    case PA_STRIPE_MODE_LIVE:
      return _("Live mode");
    case PA_STRIPE_MODE_UNKNOWN:
    default:
      return NULL;
    }
}

void
pa_stripe_set_secrets (PaStripe  *self,
                       PaSecrets *secrets)
{
  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (secrets == NULL || PA_IS_SECRETS (secrets));

  g_set_object (&self->secrets, secrets);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

/* "LEAD: Stripe's message (parameter “p”). HINT". The message and the
 * parameter come from the server (or whatever answers at the base URL):
 * they lose their control characters before anyone sees them. */
static void
set_stripe_error (GError     **error,
                  int          code,
                  const char  *lead,
                  const char  *peer_message,
                  const char  *peer_param,
                  const char  *hint)
{
  g_autoptr(GString) text = g_string_new (lead);
  g_autofree char *message = peer_message != NULL
                               ? pa_text_sanitize_for_display (peer_message, -1) : NULL;
  g_autofree char *param = peer_param != NULL
                             ? pa_text_sanitize_for_display (peer_param, -1) : NULL;

  if (message != NULL && message[0] != '\0')
    {
      g_string_append (text, ": ");
      if (g_utf8_strlen (message, -1) > MESSAGE_MAX_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (message, 0, MESSAGE_MAX_CHARS);

          g_string_append (text, cut);
          g_string_append (text, "…");
        }
      else
        {
          g_string_append (text, message);
        }
      /* Stripe ends its sentences; ours follow. */
      if (text->str[text->len - 1] == '.')
        g_string_truncate (text, text->len - 1);
    }
  if (param != NULL && param[0] != '\0')
    g_string_append_printf (text, _(" (parameter “%s”)"), param);
  g_string_append_c (text, '.');
  if (hint != NULL)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, hint);
    }

  g_set_error_literal (error, PA_ERROR, code, text->str);
}

static gboolean
pa_stripe_parse_error (PaPlatform      *platform,
                       PaHttpResponse  *response,
                       GError         **error)
{
  guint status = pa_http_response_get_status (response);
  JsonNode *root;
  JsonObject *object;
  const char *type;
  const char *code;
  const char *message;
  const char *param;
  const char *decline_code;
  g_autofree char *retry_hint = NULL;

  if (status >= 200 && status < 300)
    return TRUE;

  /* Stripe always sends {"error": {...}}; anything else (a proxy's page,
   * a cut-off body) gets the generic treatment. */
  root = pa_http_response_get_json (response, NULL);
  object = pa_json_get_object (pa_json_node_get_object (root), "error");
  if (object == NULL)
    return PA_PLATFORM_CLASS (pa_stripe_parent_class)->parse_error (platform, response, error);

  type = pa_json_get_string (object, "type");
  code = pa_json_get_string (object, "code");
  message = pa_json_get_string (object, "message");
  param = pa_json_get_string (object, "param");
  decline_code = pa_json_get_string (object, "decline_code");

  if (status == 401 || g_strcmp0 (type, "authentication_error") == 0)
    {
      set_stripe_error (error, PA_ERROR_AUTH, _("Stripe rejected the key"), message, NULL,
                        _("Check the Stripe key under Accounts."));
    }
  else if (status == 403 || g_strcmp0 (type, "permission_error") == 0)
    {
      set_stripe_error (error, PA_ERROR_AUTH, _("The Stripe key may not do this"), message, NULL,
                        _("Use a key with this permission under Accounts."));
    }
  else if (status == 429 || g_strcmp0 (type, "rate_limit_error") == 0
           || g_strcmp0 (code, "rate_limit") == 0)
    {
      gint64 wait = pa_http_response_get_retry_after_us (response);

      if (wait >= 0)
        retry_hint = g_strdup_printf (_("Try again in %d s."),
                                      (int) MIN ((wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                                                 G_MAXINT));
      set_stripe_error (error, PA_ERROR_RATE_LIMITED, _("Stripe is limiting the request rate"),
                        message, NULL,
                        retry_hint != NULL ? retry_hint : _("Try again in a moment."));
    }
  else if (g_strcmp0 (type, "idempotency_error") == 0)
    {
      set_stripe_error (error, PA_ERROR_INVALID_INPUT,
                        _("Stripe refused a reused idempotency key"), message, NULL,
                        _("The key was already used for a different request; "
                          "each distinct request needs its own key."));
    }
  else if (g_strcmp0 (type, "card_error") == 0)
    {
      g_autofree char *lead = decline_code != NULL
        ? g_strdup_printf (_("Stripe declined the card (%s)"), decline_code)
        : g_strdup (_("Stripe declined the card"));

      set_stripe_error (error, PA_ERROR_INVALID_INPUT, lead, message, param, NULL);
    }
  /* A 4xx is about the request, whatever type the body claims. */
  else if (status >= 500 || (status < 400 && g_strcmp0 (type, "api_error") == 0))
    {
      set_stripe_error (error, PA_ERROR_SERVER, _("Stripe had a problem"), message, NULL,
                        _("Try again later."));
    }
  else if (status == 404 || g_strcmp0 (code, "resource_missing") == 0)
    {
      set_stripe_error (error, PA_ERROR_NOT_FOUND, _("Stripe has no such object"), message,
                        param, NULL);
    }
  else if (status >= 400 && status < 500)
    {
      set_stripe_error (error, PA_ERROR_INVALID_INPUT, _("Stripe refused the request"),
                        message, param, NULL);
    }
  else
    {
      g_autofree char *lead = g_strdup_printf (_("Stripe answered with status %u"), status);

      set_stripe_error (error, PA_ERROR_PROTOCOL, lead, message, param, NULL);
    }

  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

PaHttpRequest *
pa_stripe_request (PaStripe   *self,
                   const char *method,
                   const char *path)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  pa_http_request_set_header (request, "Stripe-Version", PA_STRIPE_API_VERSION);
  return request;
}

char *
pa_stripe_object_path (const char  *prefix,
                       const char  *id,
                       const char  *suffix,
                       const char  *what,
                       GError     **error)
{
  g_autofree char *escaped = pa_platform_escape_id (id, what, error);

  if (escaped == NULL)
    return NULL;
  return g_strconcat (prefix, escaped, suffix, NULL);
}

void
pa_stripe_set_metadata (JsonObject *params,
                        JsonObject *metadata)
{
  if (metadata != NULL && json_object_get_size (metadata) > 0)
    json_object_set_object_member (params, "metadata", json_object_ref (metadata));
}

static void
object_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("Stripe answered with JSON that is not an object."));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
}

void
pa_stripe_send_object (PaStripe            *self,
                       PaHttpRequest       *request,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(PaHttpRequest) owned = request;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  pa_platform_send_json_async (PA_PLATFORM (self), owned, cancellable, object_cb, task);
}

void
pa_stripe_send_list (PaStripe            *self,
                     const char          *path,
                     const char          *filter_name,
                     const char          *filter_value,
                     guint                limit,
                     const char          *starting_after,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  PaHttpRequest *request = pa_stripe_request (self, "GET", path);

  if (filter_value != NULL)
    pa_http_request_add_query (request, filter_name, filter_value);
  /* 0 leaves the page size to Stripe (10). */
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", MIN (limit, PA_STRIPE_MAX_PAGE_SIZE));
  if (starting_after != NULL)
    pa_http_request_add_query (request, "starting_after", starting_after);
  pa_stripe_send_object (self, request, source_tag, cancellable, callback, user_data);
}

static PaHttpRequest *
stripe_post (PaStripe   *self,
             const char *path,
             JsonObject *params,
             const char *idempotency_key)
{
  PaHttpRequest *request = pa_stripe_request (self, "POST", path);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (body, params);
  pa_http_request_set_form_body (request, body);
  pa_http_request_set_idempotency_key (request, idempotency_key);
  return request;
}

void
pa_stripe_send_post (PaStripe            *self,
                     const char          *path,
                     JsonObject          *params,
                     const char          *idempotency_key,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  pa_stripe_send_object (self, stripe_post (self, path, params, idempotency_key),
                         source_tag, cancellable, callback, user_data);
}

JsonNode *
pa_stripe_object_finish (PaStripe      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (PA_IS_STRIPE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Account                                                                  */

void
pa_stripe_get_balance_async (PaStripe            *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PA_IS_STRIPE (self));

  pa_stripe_send_object (self, pa_stripe_request (self, "GET", "/v1/balance"),
                         pa_stripe_get_balance_async, cancellable, callback, user_data);
}

/* ------------------------------------------------------------------------ */
/* Check                                                                    */

typedef struct {
  char *id;
  char *name;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->id);
  g_free (data->name);
  g_free (data);
}

/* Stripe leaves unset names empty: an empty string is no name. */
static const char *
non_empty (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

static void
key_looked_up_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) key = NULL;
  PaStripeMode mode;

  key = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  /* The account answered, so the key works; not knowing its mode is no
   * reason to fail the check. */
  if (error != NULL)
    g_debug ("Stripe check: could not read the key's mode: %s", error->message);
  mode = pa_stripe_mode_from_key (key);

  g_task_return_pointer (task,
                         pa_identity_new (data->id, data->name, pa_stripe_mode_to_string (mode)),
                         (GDestroyNotify) pa_identity_free);
}

static void
account_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripe *self = PA_STRIPE (source);
  g_autoptr(JsonNode) account = NULL;
  CheckData *data;
  JsonObject *object;
  GCancellable *cancellable;
  const char *id;
  const char *name;
  GError *error = NULL;

  account = pa_stripe_object_finish (self, result, &error);
  if (account == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  object = json_node_get_object (account);
  id = non_empty (pa_json_get_string (object, "id"));
  if (id == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("Stripe’s account answer has no id."));
      return;
    }

  name = non_empty (pa_json_get_string (pa_json_get_object (object, "business_profile"), "name"));
  if (name == NULL)
    name = non_empty (pa_json_get_string (pa_json_get_object (pa_json_get_object (object, "settings"),
                                                             "dashboard"),
                                          "display_name"));
  if (name == NULL)
    name = non_empty (pa_json_get_string (object, "email"));

  data = g_new0 (CheckData, 1);
  data->id = g_strdup (id);
  data->name = g_strdup (name);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  if (self->secrets == NULL)
    self->secrets = pa_secrets_new ();
  cancellable = g_task_get_cancellable (task);
  pa_secrets_lookup_async (self->secrets, "stripe", pa_platform_get_profile (PA_PLATFORM (self)),
                           "api-key", cancellable, key_looked_up_cb, g_steal_pointer (&task));
}

static void
pa_stripe_check_async (PaPlatform          *platform,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  PaStripe *self = PA_STRIPE (platform);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_stripe_check_async);
  pa_stripe_send_object (self, pa_stripe_request (self, "GET", "/v1/account"),
                         pa_stripe_check_async, cancellable, account_cb, task);
}

static PaIdentity *
pa_stripe_check_finish (PaPlatform    *platform,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Object                                                                   */

static void
pa_stripe_finalize (GObject *object)
{
  PaStripe *self = PA_STRIPE (object);

  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (pa_stripe_parent_class)->finalize (object);
}

static void
pa_stripe_class_init (PaStripeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  object_class->finalize = pa_stripe_finalize;

  platform_class->platform_id = "stripe";
  platform_class->check_async = pa_stripe_check_async;
  platform_class->check_finish = pa_stripe_check_finish;
  platform_class->parse_error = pa_stripe_parse_error;
}

static void
pa_stripe_init (PaStripe *self)
{
}

PaStripe *
pa_stripe_new (PaHttp     *http,
               const char *profile,
               const char *base_url)
{
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);

  return g_object_new (PA_TYPE_STRIPE,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}

