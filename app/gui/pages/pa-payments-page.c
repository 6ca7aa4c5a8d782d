/* pa-payments-page.c — the Payments page: which Stripe account, its sync, the page's states, the balance
 *
 * The page shows the account's synced copy (the store), never waits on
 * the network: a sync runs in the background when the page is shown and
 * every minute while it is, and each ::changed of the sync reads the
 * copy again. What the page shows depends on what is stored, not on
 * whether the last sync worked: a copy and a failed sync is "offline"
 * (or a failure line), only no copy at all is an error page.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-payments-page-private.h"
#include "pa-customers-view.h"
#include "pa-gui-util.h"
#include "pa-payment-links-view.h"
#include "pa-products-view.h"
#include "pa-subscriptions-view.h"
#include "pa-window.h"

G_DEFINE_FINAL_TYPE (PaPaymentsPage, pa_payments_page, ADW_TYPE_BIN)

static void update_state (PaPaymentsPage *self);
static void start_sync   (PaPaymentsPage *self);

/* ---- shared helpers ------------------------------------------------------ */

void
payments_page_toast (PaPaymentsPage *self,
                     const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  /* A toast's title is markup; Stripe's messages are not. */
  g_autofree char *title = g_markup_escape_text (message, -1);

  if (PA_IS_WINDOW (root))
    pa_window_add_toast (PA_WINDOW (root), adw_toast_new (title));
}

char *
payments_page_format_age (gint64 unix_ms)
{
  gint64 seconds = (g_get_real_time () / 1000 - unix_ms) / 1000;

  if (seconds < 60)
    return g_strdup (_("just now"));
  if (seconds < 3600)
    {
      guint minutes = seconds / 60;
      /* Translators: how long ago the stored copy was synced. */
      return g_strdup_printf (ngettext ("%u minute ago", "%u minutes ago", minutes), minutes);
    }
  if (seconds < 48 * 3600)
    {
      guint hours = seconds / 3600;
      return g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", hours), hours);
    }
  return payments_page_format_date (unix_ms / 1000);
}

char *
payments_page_format_date (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  if (time == NULL)
    return g_strdup ("—");
  /* Translators: a payment's date and time, see g_date_time_format(). */
  return g_date_time_format (time, _("%-d %b %Y, %H:%M"));
}

static gboolean
error_is_network (const GError *error)
{
  return error != NULL &&
         (g_error_matches (error, PA_ERROR, PA_ERROR_UNAVAILABLE) ||
          g_error_matches (error, PA_ERROR, PA_ERROR_TIMEOUT) ||
          g_error_matches (error, PA_ERROR, PA_ERROR_CONNECTION_LOST) ||
          g_error_matches (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN) ||
          error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR);
}

/* ---- the balance and the chart -------------------------------------------- */

/* An amount of the balance (its text exactly pa_money_format's) and
 * what it is, under it. */
static void
append_amount (GtkBox     *box,
               const char *name,
               const char *amount,
               const char *style,
               const char *caption)
{
  GtkWidget *label = gtk_label_new (amount);

  gtk_widget_set_name (label, name);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "numeric");
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_box_append (box, label);

  label = gtk_label_new (caption);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (box, label);
}

static GtkWidget *
balance_card (const PaStripeBalanceRecord *record)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autofree char *code = g_ascii_strup (record->currency, -1);
  g_autofree char *available = pa_money_format (record->available, record->currency, NULL);
  g_autofree char *pending = pa_money_format (record->pending, record->currency, NULL);
  GtkWidget *label;

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "payments-balance");
  gtk_widget_set_name (box, record->currency);

  label = gtk_label_new (code);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);

  append_amount (GTK_BOX (box), "available", available, "title-2", _("available"));
  append_amount (GTK_BOX (box), "pending", pending, NULL, _("pending"));

  return box;
}

static void
reload_balance (PaPaymentsPage *self)
{
  g_autoptr(GPtrArray) balance = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->balance_box))) != NULL)
    gtk_flow_box_remove (self->balance_box, child);

  if (self->account == NULL)
    return;

  balance = pa_store_stripe_get_balance (pa_stripe_account_get_store (self->account),
                                         pa_stripe_account_get_profile (self->account), &error);
  if (balance == NULL)
    {
      gtk_label_set_text (self->balance_empty_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->balance_empty_label), TRUE);
      return;
    }

  gtk_label_set_text (self->balance_empty_label,
                      _("Stripe has no balance for this account yet."));
  gtk_widget_set_visible (GTK_WIDGET (self->balance_empty_label), balance->len == 0);
  for (guint i = 0; i < balance->len; i++)
    gtk_flow_box_append (self->balance_box, balance_card (balance->pdata[i]));
}

/* Succeeded payments a day over the last 30 days, counted (not summed:
 * a sum would add up currencies). 30 counts on the indexed date. */
static void
reload_chart (PaPaymentsPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = NULL;
  PaStripePaymentFilter filter;
  guint total = 0;

  memset (self->chart_counts, 0, sizeof self->chart_counts);
  self->chart_max = 0;
  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 0, 0, 0);

  if (self->account != NULL)
    {
      pa_stripe_payment_filter_init (&filter);
      filter.status = "succeeded";
      for (guint i = 0; i < G_N_ELEMENTS (self->chart_counts); i++)
        {
          g_autoptr(GDateTime) from = g_date_time_add_days (today, -(int) (G_N_ELEMENTS (self->chart_counts) - 1 - i));
          g_autoptr(GDateTime) to = g_date_time_add_days (from, 1);
          g_autoptr(GError) error = NULL;

          filter.created_from = g_date_time_to_unix (from);
          filter.created_to = g_date_time_to_unix (to);
          self->chart_counts[i] = pa_store_stripe_count_payments (pa_stripe_account_get_store (self->account),
                                                                  pa_stripe_account_get_profile (self->account),
                                                                  &filter, &error);
          if (error != NULL)
            self->chart_counts[i] = 0;
          self->chart_max = MAX (self->chart_max, self->chart_counts[i]);
          total += self->chart_counts[i];
        }
    }

  {
    g_autofree char *title =
      g_strdup_printf (ngettext ("%u succeeded payment in the last 30 days",
                                 "%u succeeded payments in the last 30 days", total),
                       total);
    gtk_label_set_text (self->chart_title, title);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        data)
{
  PaPaymentsPage *self = data;
  const guint n = G_N_ELEMENTS (self->chart_counts);
  const double pad = 12;
  double bar_width = (width - 2 * pad) / n;
  GdkRGBA colour;

  /* The theme's accent (a suggested action's colour), as the bars. */
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (area)),
                                       "accent_color", &colour))
    gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &colour);
  gdk_cairo_set_source_rgba (cr, &colour);

  if (self->chart_max == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      double h = (height - 2 * pad) * self->chart_counts[i] / (double) self->chart_max;

      if (self->chart_counts[i] > 0 && h < 2)
        h = 2;
      cairo_rectangle (cr, pad + i * bar_width + 1, height - pad - h, MAX (bar_width - 2, 1), h);
    }
  cairo_fill (cr);
}

/* ---- sync status ------------------------------------------------------------ */

static void
update_sync_label (PaPaymentsPage *self)
{
  gint64 last = self->account != NULL
                ? pa_stripe_sync_get_last_synced (pa_stripe_account_get_sync (self->account)) : 0;
  g_autofree char *age = last > 0 ? payments_page_format_age (last) : NULL;
  g_autofree char *text = NULL;
  gboolean offline = !self->syncing && error_is_network (self->sync_error) && last > 0;

  gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "error");
  if (self->syncing)
    text = g_strdup (_("Syncing…"));
  else if (self->sync_error != NULL && !offline)
    {
      /* Translators: the last sync failed; %s is why. */
      text = g_strdup_printf (_("Sync failed: %s"), self->sync_error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "error");
    }
  else if (age != NULL)
    /* Translators: %s is "5 minutes ago", "just now", or a date. */
    text = g_strdup_printf (_("Synced %s"), age);
  else
    text = g_strdup (_("Not synced yet"));
  gtk_label_set_text (self->sync_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sync_label),
                               self->sync_error != NULL ? self->sync_error->message : NULL);
  gtk_spinner_set_spinning (self->sync_spinner, self->syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), self->syncing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payments.sync",
                                 self->account != NULL && !self->syncing);

  if (offline)
    {
      g_autofree char *strip = NULL;

      /* Translators: %s is how old the stored copy is ("5 minutes ago"). */
      strip = g_strdup_printf (_("Offline — showing the copy from %s"), age);
      gtk_label_set_text (self->offline_label, strip);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->offline_label), self->sync_error->message);
    }
  gtk_revealer_set_reveal_child (self->offline_revealer, offline);
}

static void
update_mode_badge (PaPaymentsPage *self)
{
  PaStripeMode mode = self->account != NULL ? pa_stripe_account_get_mode (self->account)
                                            : PA_STRIPE_MODE_UNKNOWN;
  GtkWidget *badge = GTK_WIDGET (self->mode_badge);

  gtk_widget_remove_css_class (badge, "test");
  gtk_widget_remove_css_class (badge, "live");
  gtk_widget_remove_css_class (badge, "unknown");
  switch (mode)
    {
    case PA_STRIPE_MODE_TEST:
      gtk_label_set_text (self->mode_badge, _("Test"));
      gtk_widget_set_tooltip_text (badge, _("Test mode: no real money moves"));
      gtk_widget_add_css_class (badge, "test");
      break;
    case PA_STRIPE_MODE_LIVE:
      gtk_label_set_text (self->mode_badge, _("Live"));
      gtk_widget_set_tooltip_text (badge, _("Live mode: refunds move real money"));
      gtk_widget_add_css_class (badge, "live");
      break;
    case PA_STRIPE_MODE_UNKNOWN:
    default:
      gtk_label_set_text (self->mode_badge, _("Test or live?"));
      gtk_widget_set_tooltip_text (badge, _("The key's mode is not known yet"));
      gtk_widget_add_css_class (badge, "unknown");
      break;
    }
}

/* Which of the page's states the account is in: see the file's comment. */
static void
update_state (PaPaymentsPage *self)
{
  const char *state;
  gboolean has_copy;

  if (self->account == NULL)
    {
      gtk_stack_set_visible_child_name (self->state_stack, "no-account");
      gtk_spinner_set_spinning (self->loading_spinner, FALSE);
      return;
    }

  has_copy = pa_stripe_sync_get_last_synced (pa_stripe_account_get_sync (self->account)) > 0;
  if (has_copy)
    state = "main";
  else if (self->sync_error != NULL && !self->syncing)
    {
      /* A status page's description is markup; the message is not. */
      g_autofree char *message = g_markup_escape_text (self->sync_error->message, -1);

      adw_status_page_set_description (self->error_page, message);
      state = "error";
    }
  else
    state = "loading";

  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (state, "loading"));
  gtk_stack_set_visible_child_name (self->state_stack, state);
  update_sync_label (self);
  update_mode_badge (self);
}

static void
reload_copy (PaPaymentsPage *self)
{
  reload_balance (self);
  reload_chart (self);
  payments_page_list_reload (self);
  payments_page_detail_reload (self);
  update_state (self);
}

static void
on_sync_changed (PaPaymentsPage *self)
{
  reload_copy (self);
}

static void
on_sync_running (PaPaymentsPage *self)
{
  self->syncing = pa_stripe_sync_get_running (pa_stripe_account_get_sync (self->account));
  update_state (self);
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(PaPaymentsPage) self = data;
  g_autoptr(GError) error = NULL;
  gint64 added;

  added = pa_stripe_sync_run_finish (PA_STRIPE_SYNC (source), result, &error);
  if (pa_gui_error_is_cancelled (error) ||
      self->account == NULL || PA_STRIPE_SYNC (source) != pa_stripe_account_get_sync (self->account))
    return;

  g_clear_error (&self->sync_error);
  if (error != NULL)
    {
      g_debug ("Stripe sync of %s failed: %s", pa_stripe_account_get_profile (self->account),
               error->message);
      self->sync_error = g_steal_pointer (&error);
    }
  else
    g_debug ("Stripe sync of %s: %" G_GINT64_FORMAT " new events",
             pa_stripe_account_get_profile (self->account), added);
  self->syncing = FALSE;
  self->sync_tried = TRUE;
  /* The copy may not have changed (nothing new) while its age did. */
  reload_copy (self);
}

static void
start_sync (PaPaymentsPage *self)
{
  if (self->account == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  update_state (self);
  pa_stripe_sync_run_async (pa_stripe_account_get_sync (self->account), self->cancellable,
                            sync_done, g_object_ref (self));
}

static gboolean
on_periodic_sync (gpointer data)
{
  start_sync (PA_PAYMENTS_PAGE (data));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_age_tick (gpointer data)
{
  update_sync_label (PA_PAYMENTS_PAGE (data));
  return G_SOURCE_CONTINUE;
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  start_sync (PA_PAYMENTS_PAGE (widget));
}

static void
refund_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  payments_page_open_refund (PA_PAYMENTS_PAGE (widget));
}

static void
close_detail_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  payments_page_show_detail (PA_PAYMENTS_PAGE (widget), NULL);
}

static void
mode_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PaPaymentsPage) self = data;
  g_autoptr(GError) error = NULL;

  pa_stripe_account_load_mode_finish (PA_STRIPE_ACCOUNT (source), result, &error);
  if (error != NULL && !pa_gui_error_is_cancelled (error))
    g_debug ("The Stripe key's mode is not known: %s", error->message);
  if (!pa_gui_error_is_cancelled (error))
    update_mode_badge (self);
}

/* ---- which account -------------------------------------------------------- */

void
payments_page_set_account (PaPaymentsPage  *self,
                           PaStripeAccount *account)
{
  if (account == self->account)
    return;

  if (self->account != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->account, self);
      g_signal_handlers_disconnect_by_data (pa_stripe_account_get_sync (self->account), self);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->sync_error);
  g_set_object (&self->account, account);
  self->syncing = FALSE;
  self->sync_tried = FALSE;

  if (account != NULL)
    {
      PaStripeSync *sync = pa_stripe_account_get_sync (account);

      self->cancellable = g_cancellable_new ();
      self->syncing = pa_stripe_sync_get_running (sync);
      g_signal_connect_object (sync, "changed", G_CALLBACK (on_sync_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (sync, "notify::running", G_CALLBACK (on_sync_running), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::mode", G_CALLBACK (update_mode_badge), self,
                               G_CONNECT_SWAPPED);
      pa_stripe_account_load_mode_async (account, self->cancellable, mode_loaded,
                                         g_object_ref (self));
    }

  pa_payment_links_view_set_account (PA_PAYMENT_LINKS_VIEW (self->links_view), account);
  pa_products_view_set_account (PA_PRODUCTS_VIEW (self->products_view), account);
  pa_customers_view_set_account (PA_CUSTOMERS_VIEW (self->customers_view), account);
  pa_subscriptions_view_set_account (PA_SUBSCRIPTIONS_VIEW (self->subscriptions_view), account);

  payments_page_show_detail (self, NULL);
  payments_page_list_set_account (self);
  reload_copy (self);

  /* A new account on screen is synced at once; off screen, when shown. */
  if (account != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_sync (self);
}

static void
on_account_selected (PaPaymentsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->account_dropdown);
  PaStripeAccount *account = NULL;

  if (self->filling_accounts)
    return;
  if (self->application != NULL && selected < self->profiles->len)
    account = pa_application_get_stripe_account (self->application,
                                                 self->profiles->pdata[selected]);
  payments_page_set_account (self, account);
}

static void rescan_accounts (PaPaymentsPage *self);

/* The signed-in Stripe accounts, again: one signed in or out changes
 * what the dropdown lists, and maybe which account is shown. */
static void
rescan_accounts (PaPaymentsPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *current = NULL;
  GListModel *accounts;
  guint keep = GTK_INVALID_LIST_POSITION;

  if (self->account != NULL)
    current = g_strdup (pa_stripe_account_get_profile (self->account));

  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_data (self->watched->pdata[i], self);
  g_ptr_array_set_size (self->watched, 0);
  g_ptr_array_set_size (self->profiles, 0);

  accounts = self->manager != NULL ? pa_account_manager_get_accounts (self->manager) : NULL;
  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(PaAccount) row = g_list_model_get_item (accounts, i);
      const char *name;

      if (g_strcmp0 (pa_account_get_platform (row), "stripe") != 0)
        continue;
      g_signal_connect_object (row, "notify::status", G_CALLBACK (rescan_accounts), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (row, "notify::base-url", G_CALLBACK (rescan_accounts), self,
                               G_CONNECT_SWAPPED);
      g_ptr_array_add (self->watched, g_object_ref (row));
      if (pa_account_get_status (row) != PA_ACCOUNT_STATUS_SIGNED_IN)
        continue;

      if (g_strcmp0 (current, pa_account_get_profile (row)) == 0)
        keep = self->profiles->len;
      g_ptr_array_add (self->profiles, g_strdup (pa_account_get_profile (row)));
      name = pa_account_get_display_name (row);
      if (name != NULL && *name != '\0')
        {
          g_autofree char *both = g_strdup_printf ("%s (%s)", name, pa_account_get_profile (row));
          gtk_string_list_append (names, both);
        }
      else
        gtk_string_list_append (names, pa_account_get_profile (row));
    }

  self->filling_accounts = TRUE;
  gtk_drop_down_set_model (self->account_dropdown, G_LIST_MODEL (names));
  if (self->profiles->len > 0)
    gtk_drop_down_set_selected (self->account_dropdown,
                                keep != GTK_INVALID_LIST_POSITION ? keep : 0);
  self->filling_accounts = FALSE;

  /* A choice only when there is one to make; one account is named. */
  gtk_widget_set_visible (GTK_WIDGET (self->account_dropdown), self->profiles->len > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->account_label), self->profiles->len == 1);
  if (self->profiles->len == 1)
    gtk_label_set_text (self->account_label,
                        gtk_string_list_get_string (names, 0));
  on_account_selected (self);
}

/* ---- the widget ------------------------------------------------------------- */

static void
pa_payments_page_map (GtkWidget *widget)
{
  PaPaymentsPage *self = PA_PAYMENTS_PAGE (widget);

  GTK_WIDGET_CLASS (pa_payments_page_parent_class)->map (widget);

  start_sync (self);
  if (self->periodic_id == 0)
    self->periodic_id = g_timeout_add_seconds (PAYMENTS_SYNC_INTERVAL_S, on_periodic_sync, self);
  if (self->age_id == 0)
    self->age_id = g_timeout_add_seconds (30, on_age_tick, self);
}

static void
pa_payments_page_unmap (GtkWidget *widget)
{
  PaPaymentsPage *self = PA_PAYMENTS_PAGE (widget);

  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->age_id, g_source_remove);

  GTK_WIDGET_CLASS (pa_payments_page_parent_class)->unmap (widget);
}

static void
pa_payments_page_dispose (GObject *object)
{
  PaPaymentsPage *self = PA_PAYMENTS_PAGE (object);

  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->age_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->account != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->account, self);
      g_signal_handlers_disconnect_by_data (pa_stripe_account_get_sync (self->account), self);
    }
  if (self->watched != NULL)
    for (guint i = 0; i < self->watched->len; i++)
      g_signal_handlers_disconnect_by_data (self->watched->pdata[i], self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (pa_account_manager_get_accounts (self->manager), self);
  payments_page_detail_dispose (self);
  payments_page_list_dispose (self);
  /* No gtk_widget_dispose_template(): the template's tree is AdwBin's
   * child, which AdwBin's dispose unparents (disposing the template
   * first would leave it a dangling child). */

  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_error (&self->sync_error);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (pa_payments_page_parent_class)->dispose (object);
}

static void
pa_payments_page_class_init (PaPaymentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_payments_page_dispose;
  widget_class->map = pa_payments_page_map;
  widget_class->unmap = pa_payments_page_unmap;

  g_type_ensure (PA_TYPE_PAYMENT_LINKS_VIEW);
  g_type_ensure (PA_TYPE_PRODUCTS_VIEW);
  g_type_ensure (PA_TYPE_CUSTOMERS_VIEW);
  g_type_ensure (PA_TYPE_SUBSCRIPTIONS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-payments-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, PaPaymentsPage, name)
  BIND (state_stack);
  BIND (no_account_page);
  BIND (loading_page);
  BIND (loading_spinner);
  BIND (error_page);
  BIND (retry_button);
  BIND (account_dropdown);
  BIND (account_label);
  BIND (mode_badge);
  BIND (sync_label);
  BIND (sync_spinner);
  BIND (sync_button);
  BIND (offline_revealer);
  BIND (offline_label);
  BIND (view_switcher);
  BIND (view_stack);
  BIND (balance_box);
  BIND (balance_empty_label);
  BIND (chart_title);
  BIND (chart);
  BIND (search_entry);
  BIND (status_dropdown);
  BIND (date_dropdown);
  BIND (amount_button);
  BIND (currency_dropdown);
  BIND (amount_min_entry);
  BIND (amount_max_entry);
  BIND (list_stack);
  BIND (list_scroller);
  BIND (list_view);
  BIND (empty_page);
  BIND (detail_revealer);
  BIND (detail_amount);
  BIND (detail_status);
  BIND (detail_fields);
  BIND (refund_button);
  BIND (detail_error);
  BIND (detail_refunds);
  BIND (detail_timeline);
  BIND (links_view);
  BIND (products_view);
  BIND (customers_view);
  BIND (subscriptions_view);
#undef BIND

  gtk_widget_class_install_action (widget_class, "payments.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "payments.refund", NULL, refund_action);
  gtk_widget_class_install_action (widget_class, "payments.close-detail", NULL,
                                   close_detail_action);
}

static void
pa_payments_page_init (PaPaymentsPage *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_free);
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->chart, draw_chart, self, NULL);
  g_signal_connect_object (self->account_dropdown, "notify::selected",
                           G_CALLBACK (on_account_selected), self, G_CONNECT_SWAPPED);
  payments_page_list_init (self);
  payments_page_detail_init (self);
  update_state (self);
  reload_chart (self);
}

void
pa_payments_page_set_application (PaPaymentsPage *self,
                                  PaApplication  *application)
{
  PaAccountManager *manager;

  g_return_if_fail (PA_IS_PAYMENTS_PAGE (self));
  g_return_if_fail (application == NULL || PA_IS_APPLICATION (application));

  g_set_weak_pointer (&self->application, application);
  manager = application != NULL ? pa_application_get_account_manager (application) : NULL;
  if (manager != self->manager)
    {
      if (self->manager != NULL)
        g_signal_handlers_disconnect_by_data (pa_account_manager_get_accounts (self->manager), self);
      g_set_object (&self->manager, manager);
      if (manager != NULL)
        g_signal_connect_object (pa_account_manager_get_accounts (manager), "items-changed",
                                 G_CALLBACK (rescan_accounts), self, G_CONNECT_SWAPPED);
    }
  rescan_accounts (self);
}
