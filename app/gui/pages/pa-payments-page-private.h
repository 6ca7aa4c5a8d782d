/* pa-payments-page-private.h — what the Payments page's files share
 *
 * The page is one widget in three files: pa-payments-page.c (the object,
 * which account, its sync and the page's states, the balance and the
 * chart), pa-payments-page-list.c (the lazy list, its rows, search and
 * filters) and pa-payments-page-detail.c (a payment's detail and the
 * refund dialog). The tests read the fields below.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "playalter.h"
#include "pa-payments-page.h"

G_BEGIN_DECLS

/* The page syncs this often while it is on screen. */
#define PAYMENTS_SYNC_INTERVAL_S 60
/* Typing in the search or amount fields narrows the list this long after
 * the last key, not on every key (each narrowing counts 100,000 rows). */
#define PAYMENTS_FILTER_DELAY_MS 300

/* The status filter's choices, in status_model's order. */
typedef enum {
  STATUS_CHOICE_ANY,
  STATUS_CHOICE_SUCCEEDED,
  STATUS_CHOICE_PENDING,
  STATUS_CHOICE_FAILED,
  STATUS_CHOICE_PARTIALLY_REFUNDED,
  STATUS_CHOICE_REFUNDED,
  STATUS_CHOICE_DISPUTED,
} PaymentsStatusChoice;

/* The date filter's presets, in date_model's order. */
typedef enum {
  DATE_CHOICE_ANY,
  DATE_CHOICE_TODAY,
  DATE_CHOICE_7_DAYS,
  DATE_CHOICE_30_DAYS,
  DATE_CHOICE_THIS_YEAR,
} PaymentsDateChoice;

struct _PaPaymentsPage
{
  AdwBin               parent_instance;

  PaApplication       *application;     /* weak */
  PaAccountManager    *manager;
  GPtrArray           *profiles;        /* signed-in Stripe profiles, as the dropdown lists them */
  GPtrArray           *watched;         /* PaAccount whose status is followed */
  gboolean             filling_accounts;

  PaStripeAccount     *account;         /* the account shown, or NULL */
  GCancellable        *cancellable;     /* this account's sync and reads */
  gboolean             syncing;
  gboolean             sync_tried;      /* a sync of this account has finished */
  GError              *sync_error;      /* the last sync's failure, or NULL */
  guint                periodic_id;
  guint                age_id;

  PaPaymentList       *payments;
  GtkNoSelection      *selection;
  char                *search;
  char                *currency;        /* the amount range's currency, or NULL */
  GPtrArray           *currencies;      /* as the currency dropdown lists them, after "Any" */
  gboolean             filling_currencies;
  gboolean             filter_narrows;
  char                *amount_error;    /* why an amount bound is not used, or NULL */
  guint                filter_id;
  GHashTable          *money_cache;     /* currency → amount → text (see bind_row) */
  guint                money_cache_size;
  guint                chart_counts[30];
  guint                chart_max;

  PaPayment           *detail;          /* the payment in the detail, or NULL */
  AdwMessageDialog    *refund_dialog;
  gboolean             refunding;
  char                *refund_error;    /* the last refund's failure, or NULL */

  GtkStack            *state_stack;
  AdwStatusPage       *no_account_page;
  AdwStatusPage       *loading_page;
  GtkSpinner          *loading_spinner;
  AdwStatusPage       *error_page;
  GtkButton           *retry_button;
  GtkDropDown         *account_dropdown;
  GtkLabel            *account_label;
  GtkLabel            *mode_badge;
  GtkLabel            *sync_label;
  GtkSpinner          *sync_spinner;
  GtkButton           *sync_button;
  GtkRevealer         *offline_revealer;
  GtkLabel            *offline_label;
  AdwViewSwitcher     *view_switcher;
  AdwViewStack        *view_stack;
  GtkFlowBox          *balance_box;
  GtkLabel            *balance_empty_label;
  GtkLabel            *chart_title;
  GtkDrawingArea      *chart;

  GtkSearchEntry      *search_entry;
  GtkDropDown         *status_dropdown;
  GtkDropDown         *date_dropdown;
  GtkMenuButton       *amount_button;
  GtkDropDown         *currency_dropdown;
  GtkEntry            *amount_min_entry;
  GtkEntry            *amount_max_entry;
  GtkStack            *list_stack;
  GtkScrolledWindow   *list_scroller;
  GtkListView         *list_view;
  AdwStatusPage       *empty_page;

  GtkRevealer         *detail_revealer;
  GtkLabel            *detail_amount;
  GtkLabel            *detail_status;
  GtkListBox          *detail_fields;
  GtkButton           *refund_button;
  GtkLabel            *detail_error;
  GtkListBox          *detail_refunds;
  GtkListBox          *detail_timeline;

  GtkWidget           *links_view;
  GtkWidget           *products_view;
  GtkWidget           *customers_view;
  GtkWidget           *subscriptions_view;
};

/* pa-payments-page.c */
/* Shows @account (NULL: none) without asking the application: what
 * pa_payments_page_set_application() does with the chosen one. */
void   payments_page_set_account      (PaPaymentsPage  *self,
                                       PaStripeAccount *account);
/* The newest result as a toast on the window, when the page is in one. */
void   payments_page_toast            (PaPaymentsPage *self,
                                       const char     *message);
/* "5 minutes ago", "just now", … for @unix_ms. */
char  *payments_page_format_age       (gint64          unix_ms);
/* A date and time as the user's locale writes them, for Unix @seconds. */
char  *payments_page_format_date      (gint64          seconds);

/* pa-payments-page-list.c */
void   payments_page_list_init        (PaPaymentsPage *self);
/* A new account (or none): a new model over its payments. */
void   payments_page_list_set_account (PaPaymentsPage *self);
/* The stored copy changed: count again, the currencies too. */
void   payments_page_list_reload      (PaPaymentsPage *self);
/* Narrows the list to what the filter widgets say now. */
void   payments_page_apply_filter     (PaPaymentsPage *self);
/* The status pill's text and style class for @status. */
void   payments_page_style_status     (GtkLabel       *pill,
                                       PaPaymentStatus status);
void   payments_page_list_dispose     (PaPaymentsPage *self);
/* A payments list row (also what the list benchmark draws), and filling it. */
GtkWidget *payments_page_row_new      (void);
void   payments_page_row_set          (GtkWidget       *row,
                                       const char      *amount_text,
                                       PaPaymentStatus  status,
                                       const char      *payer_text,
                                       const char      *description_text,
                                       const char      *date_text);

/* pa-payments-page-detail.c */
void   payments_page_detail_init      (PaPaymentsPage *self);
/* Shows @payment in the detail panel (NULL closes it). */
void   payments_page_show_detail      (PaPaymentsPage *self,
                                       PaPayment      *payment);
/* The stored copy changed: the payment shown is read again. */
void   payments_page_detail_reload    (PaPaymentsPage *self);
/* Opens the refund dialog for the payment in the detail. */
void   payments_page_open_refund      (PaPaymentsPage *self);
void   payments_page_detail_dispose   (PaPaymentsPage *self);

G_END_DECLS
