/* bench-payments-list.c — the Payments page's list scrolled through 100,000 stored payments
 *
 * Two runs in one process, each in a real window under an X server:
 * - the Payments page (PaPaymentsPage with a PaStripeAccount whose copy
 *   holds N payments, stored through the store's own event path), its
 *   Payments tab;
 * - the peer: a bare GtkListView of N GtkStringList labels, the least a
 *   list of that length costs in GTK.
 * Each list is scrolled from top to bottom at a steady rate: on every
 * frame clock tick the vadjustment is set to where the elapsed time says
 * it should be. The frame clock's own times give each frame's interval
 * (paint to paint) and its work (update to after-paint); the report has
 * their median, p95, p99, max and how many frames took over 16.7 ms and
 * 33.3 ms, with the process's RSS before and after.
 *
 *   xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
 *     _build/tests/bench/bench-payments-list [--rows N] [--seconds S]
 *
 * The account points at a closed port: its sync fails at once and the
 * page shows the stored copy (offline), so nothing but the list moves.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "playalter.h"
#include "pa-payments-page-private.h"
#include "pa-test-peer.h"
#include "pa-test-video.h"

#define PROFILE "bench"
#define WARMUP_FRAMES 30

typedef struct
{
  GtkWidget     *window;
  GtkWidget     *list;          /* the GtkListView scrolled */
  GtkAdjustment *adjustment;
  gint64         start_us;      /* frame time of the first measured tick */
  double         seconds;       /* top to bottom in this long */
  guint          warmup;
  gboolean       done;
  gint64         last_paint_us;
  gint64         update_us;
  GArray        *intervals;     /* gint64 µs, paint to paint */
  GArray        *work;          /* gint64 µs, update to after-paint */
  gint64         frame0;
} Scroll;

typedef struct
{
  double p50, p95, p99, max;
  guint  over_16, over_33, n;
} Figures;

static double
rss_mb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  return line != NULL ? g_ascii_strtod (line + strlen (field) + 1, NULL) / 1024.0 : 0;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static Figures
figures_of (GArray *samples)
{
  Figures f = { 0 };
  guint n = samples->len;

  if (n == 0)
    return f;
  g_array_sort (samples, compare_int64);
#define AT(p) (g_array_index (samples, gint64, MIN (n - 1, (guint) ((p) * n))) / 1000.0)
  f.p50 = AT (0.50);
  f.p95 = AT (0.95);
  f.p99 = AT (0.99);
#undef AT
  f.max = g_array_index (samples, gint64, n - 1) / 1000.0;
  f.n = n;
  for (guint i = 0; i < n; i++)
    {
      f.over_16 += g_array_index (samples, gint64, i) > 16667;
      f.over_33 += g_array_index (samples, gint64, i) > 33333;
    }
  return f;
}

/* ---- scrolling at a steady rate --------------------------------------------- */

static void
on_update (GdkFrameClock *clock,
           Scroll        *s)
{
  s->update_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Scroll        *s)
{
  gint64 now = g_get_monotonic_time ();

  if (s->start_us != 0 && !s->done)
    {
      if (s->last_paint_us != 0)
        {
          gint64 interval = now - s->last_paint_us;
          gint64 work = now - s->update_us;

          g_array_append_val (s->intervals, interval);
          g_array_append_val (s->work, work);
        }
      s->last_paint_us = now;
    }
}

static gboolean
tick (GtkWidget     *widget,
      GdkFrameClock *clock,
      gpointer       data)
{
  Scroll *s = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double upper = gtk_adjustment_get_upper (s->adjustment) - gtk_adjustment_get_page_size (s->adjustment);
  double progress;

  if (s->warmup < WARMUP_FRAMES)
    {
      s->warmup++;
      return G_SOURCE_CONTINUE;
    }
  if (s->start_us == 0)
    {
      s->start_us = now;
      s->frame0 = gdk_frame_clock_get_frame_counter (clock);
    }
  progress = (now - s->start_us) / (s->seconds * G_USEC_PER_SEC);
  if (progress >= 1)
    {
      gtk_adjustment_set_value (s->adjustment, upper);
      s->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  /* The list view's upper bound is an estimate until it has seen the
   * rows' heights; where to be is taken from it anew each frame. */
  gtk_adjustment_set_value (s->adjustment, progress * upper);
  return G_SOURCE_CONTINUE;
}

static void
scroll_through (Scroll     *s,
                const char *what)
{
  GdkFrameClock *clock;
  gulong update_id, paint_id;
  double rss0 = rss_mb ("VmRSS:");

  s->intervals = g_array_new (FALSE, FALSE, sizeof (gint64));
  s->work = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_window_present (GTK_WINDOW (s->window));
  while (!gtk_widget_get_mapped (s->list))
    g_main_context_iteration (NULL, TRUE);
  s->adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (s->list));
  clock = gtk_widget_get_frame_clock (s->list);
  update_id = g_signal_connect (clock, "update", G_CALLBACK (on_update), s);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), s);
  gtk_widget_add_tick_callback (s->list, tick, s, NULL);
  while (!s->done)
    g_main_context_iteration (NULL, TRUE);
  /* The last frame, at the bottom. */
  for (int i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
  g_signal_handler_disconnect (clock, update_id);
  g_signal_handler_disconnect (clock, paint_id);

  {
    Figures interval = figures_of (s->intervals);
    Figures work = figures_of (s->work);
    gint64 frames = gdk_frame_clock_get_frame_counter (clock) - s->frame0;

    g_print ("%s: %u frames in %.0f s (%.1f fps), at the bottom: %.0f of %.0f px\n", what,
             interval.n, s->seconds, frames / s->seconds,
             gtk_adjustment_get_value (s->adjustment),
             gtk_adjustment_get_upper (s->adjustment) - gtk_adjustment_get_page_size (s->adjustment));
    g_print ("  interval ms: median %.1f, p95 %.1f, p99 %.1f, max %.1f; over 16.7 ms %u, over 33.3 ms %u\n",
             interval.p50, interval.p95, interval.p99, interval.max, interval.over_16, interval.over_33);
    g_print ("  work ms:     median %.1f, p95 %.1f, p99 %.1f, max %.1f; over 16.7 ms %u, over 33.3 ms %u\n",
             work.p50, work.p95, work.p99, work.max, work.over_16, work.over_33);
    g_print ("  RSS: %.0f MB before scrolling, %.0f MB after; peak %.0f MB\n", rss0,
             rss_mb ("VmRSS:"), rss_mb ("VmHWM:"));
    g_print ("| %s | %u | %.1f | %.1f | %.1f | %.1f | %u | %u | %.1f | %.1f | %.0f |\n", what,
             interval.n, interval.p50, interval.p95, interval.p99, interval.max,
             interval.over_16, interval.over_33, work.p50, work.p99, rss_mb ("VmRSS:"));
  }
  g_array_unref (s->intervals);
  g_array_unref (s->work);
}

/* ---- the stored copy ----------------------------------------------------------- */

static const char *const currencies[] = { "usd", "eur", "gbp", "jpy", "kwd" };
static const char *const brands[] = { "visa", "mastercard", "amex" };

/* N charge.succeeded events, stored as the sync stores a page. */
static void
fill_store (PaStore *store,
            guint    n_rows)
{
  const guint batch = 1000;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  GRand *rand = g_rand_new_with_seed (13);

  for (guint first = 0; first < n_rows; first += batch)
    {
      g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      g_autofree PaStripeEventRow *rows = g_new0 (PaStripeEventRow, batch);
      guint n = MIN (batch, n_rows - first);

      for (guint i = 0; i < n; i++)
        {
          guint k = first + i;
          gint64 created = now - 30 * 86400 + (gint64) k * (30 * 86400) / n_rows;
          const char *currency = currencies[k % G_N_ELEMENTS (currencies)];
          gint64 amount = g_rand_int_range (rand, 100, 50000) * (g_str_equal (currency, "kwd") ? 10 : 1);
          char *id = g_strdup_printf ("ch_bench%08u", k);
          char *payload = g_strdup_printf (
            "{\"id\":\"evt_bench%08u\",\"object\":\"event\",\"type\":\"charge.succeeded\","
            "\"created\":%" G_GINT64_FORMAT ",\"livemode\":false,\"data\":{\"object\":{"
            "\"id\":\"%s\",\"object\":\"charge\",\"amount\":%" G_GINT64_FORMAT ","
            "\"amount_captured\":%" G_GINT64_FORMAT ",\"amount_refunded\":0,\"currency\":\"%s\","
            "\"created\":%" G_GINT64_FORMAT ",\"status\":\"succeeded\",\"paid\":true,"
            "\"refunded\":false,\"disputed\":false,\"livemode\":false,"
            "\"payment_intent\":\"pi_bench%08u\",\"customer\":\"cus_bench%05u\","
            "\"description\":\"Print no. %u\",\"receipt_email\":\"buyer%u@example.com\","
            "\"billing_details\":{\"email\":\"buyer%u@example.com\",\"name\":\"Buyer %u\"},"
            "\"payment_method_details\":{\"type\":\"card\",\"card\":{\"brand\":\"%s\",\"last4\":\"%04u\"}}}}}",
            k, created, id, amount, amount, currency, created, k, k % 20000, k, k % 20000,
            k % 20000, k % 20000, brands[k % G_N_ELEMENTS (brands)], k % 10000);

          g_ptr_array_add (ids, g_strdup_printf ("evt_bench%08u", k));
          rows[i].type = "charge.succeeded";
          rows[i].created = created;
          rows[i].payload_json = payload;
          g_ptr_array_add (payloads, payload);
          g_free (id);
        }
      for (guint i = 0; i < n; i++)
        rows[i].id = ids->pdata[i];
      if (!pa_store_stripe_add_events (store, PROFILE, rows, n, PA_STRIPE_ORDER_FORWARD, "sync",
                                       NULL, NULL, &error))
        g_error ("Could not store the payments: %s", error->message);
    }
  g_rand_free (rand);

  {
    PaStripeSyncState state = { 0 };

    state.backfilled = TRUE;
    state.last_synced_at = g_get_real_time () / 1000;
    if (!pa_store_stripe_set_sync_state (store, PROFILE, &state, &error))
      g_error ("Could not store the sync state: %s", error->message);
  }
  g_print ("stored %u payments in %.1f s\n", n_rows,
           (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
}

/* ---- the two lists ---------------------------------------------------------------- */

static void
bench_page (PaStore *store,
            guint    n_rows,
            double   seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) closed = NULL;
  g_autoptr(PaStripe) client = NULL;
  g_autoptr(PaStripeAccount) account = NULL;
  g_autofree char *url = NULL;
  Scroll s = { 0 };
  PaPaymentsPage *page;
  guint16 port = 0;

  /* Refused at once: the sync fails, the page shows the stored copy. */
  closed = pa_test_peer_reserve_port (&port, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = pa_stripe_new (pa_http_get_default (), PROFILE, url);
  account = pa_stripe_account_new (store, client, NULL, PROFILE);

  s.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (s.window), 1000, 800);
  page = g_object_new (PA_TYPE_PAYMENTS_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (s.window), GTK_WIDGET (page));
  payments_page_set_account (page, account);
  adw_view_stack_set_visible_child_name (page->view_stack, "payments");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (page->payments)), ==, n_rows);
  s.list = GTK_WIDGET (page->list_view);
  s.seconds = seconds;
  scroll_through (&s, "Payments page");
  g_print ("  the store was read %u pages of rows for %u rows\n",
           pa_payment_list_get_page_reads (page->payments), n_rows);
  gtk_window_destroy (GTK_WINDOW (s.window));
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static void
bench_peer (guint  n_rows,
            double seconds)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  Scroll s = { 0 };

  for (guint i = 0; i < n_rows; i++)
    {
      char text[96];

      g_snprintf (text, sizeof text, "ch_bench%08u  $%u.%02u  Succeeded  Buyer %u  Print no. %u",
                  i, i % 500, i % 100, i % 20000, i);
      gtk_string_list_append (strings, text);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  s.list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (strings)))),
                              factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), s.list);
  s.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (s.window), 1000, 800);
  gtk_window_set_child (GTK_WINDOW (s.window), scroller);
  s.seconds = seconds;
  scroll_through (&s, "bare GtkListView of GtkStringList");
  gtk_window_destroy (GTK_WINDOW (s.window));
}

int
main (int   argc,
      char *argv[])
{
  int rows = 100000;
  int seconds = 30;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Stored payments (100000)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Top to bottom in S seconds (30)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— the payments list's frame times");
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr(GtkCssProvider) css = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (rows <= 0 || seconds <= 0)
    g_error ("--rows and --seconds must be above zero");
  if (!gtk_init_check ())
    g_error ("No display: run under an X server (xvfb-run)");
  adw_init ();
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/playalter/PlayAlter/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_print ("GTK %u.%u.%u, libadwaita %u.%u.%u, GSK_RENDERER=%s; %d rows scrolled top to bottom in %d s\n",
           gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
           adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version (),
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(GTK's choice)",
           rows, seconds);
  g_print ("| List | Frames | Interval median ms | p95 | p99 | max | > 16.7 ms | > 33.3 ms | Work median ms | Work p99 ms | RSS MB |\n");

  data_dir = g_dir_make_tmp ("playalter-bench-payments-XXXXXX", &error);
  g_assert_no_error (error);
  store = pa_store_open (data_dir, &error);
  if (store == NULL)
    g_error ("Could not open a store in %s: %s", data_dir, error->message);
  fill_store (store, rows);
  bench_page (store, rows, seconds);
  bench_peer (rows, seconds);

  g_clear_object (&store);
  pa_test_remove_dir (data_dir);
  return 0;
}
