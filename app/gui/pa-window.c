/* pa-window.c — the main window
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-window.h"
#include "pa-accounts-page.h"
#include "pa-face-swap-page.h"
#include "pa-payments-page.h"
#include "pa-result-gallery.h"
#include "pa-studio-page.h"

struct _PaWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GtkApplication       *application;   /* weak */
  AdwToast             *toast;         /* weak: the one on screen */

  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  AdwLeaflet           *leaflet;
  GtkWidget            *content_pane;
  GtkListBox           *sidebar_list;
  GtkListBoxRow        *face_swap_row;
  GtkListBoxRow        *accounts_row;
  GtkStack             *content_stack;
  AdwWindowTitle       *content_title;
  PaAccountsPage       *accounts_page;
  PaFaceSwapPage       *face_swap_page;
  PaStudioPage         *studio_page;
  PaPaymentsPage       *payments_page;
};

G_DEFINE_FINAL_TYPE (PaWindow, pa_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_section (PaWindow   *self,
              const char *name)
{
  GtkStackPage *page;

  gtk_stack_set_visible_child_name (self->content_stack, name);
  page = gtk_stack_get_page (self->content_stack,
                             gtk_stack_get_visible_child (self->content_stack));
  adw_window_title_set_title (self->content_title, gtk_stack_page_get_title (page));
}

static void
on_sidebar_row_activated (PaWindow      *self,
                          GtkListBoxRow *row)
{
  show_section (self, gtk_widget_get_name (GTK_WIDGET (row)));
  adw_leaflet_set_visible_child (self->leaflet, self->content_pane);
}

/* win.show-section("accounts"): a page sends the user to another one
 * (the Payments page with no Stripe account, to Accounts). */
static void
show_section_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PaWindow *self = PA_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (gtk_stack_get_child_by_name (self->content_stack, name) == NULL)
    return;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      gtk_list_box_select_row (self->sidebar_list, GTK_LIST_BOX_ROW (row));
  show_section (self, name);
  adw_leaflet_set_visible_child (self->leaflet, self->content_pane);
}

static void
on_back_clicked (PaWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
show_store_error (PaWindow     *self,
                  const GError *error,
                  const char   *data_dir)
{
  g_autofree char *message = g_markup_escape_text (error->message, -1);
  g_autofree char *folder = g_markup_escape_text (data_dir != NULL ? data_dir : "", -1);
  g_autofree char *description = NULL;

  /* The core's message already says what to do; add where it happened.
   * Translators: %1$s is why the database could not be opened, %2$s the
   * folder PlayAlter keeps its data in. The text is Pango markup. */
  description = g_strdup_printf (_("%1$s\n\nData folder: <tt>%2$s</tt>"), message, folder);
  adw_status_page_set_description (self->error_page, description);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}

static void
sync_with_application (PaWindow *self)
{
  PaApplication *app;
  const GError *store_error;
  PaAccountManager *manager;

  if (!PA_IS_APPLICATION (self->application))
    return;

  app = PA_APPLICATION (self->application);
  store_error = pa_application_get_store_error (app);
  manager = pa_application_get_account_manager (app);

  if (store_error != NULL)
    {
      show_store_error (self, store_error, pa_application_get_data_dir (app));
      return;
    }

  /* Showing the accounts only once the keyring has been read avoids a
   * flash of "Not signed in" for accounts that are signed in. */
  if (manager != NULL && !pa_application_get_loading (app))
    {
      pa_accounts_page_set_manager (self->accounts_page, manager);
      pa_face_swap_page_set_store (self->face_swap_page, pa_application_get_store (app),
                                   pa_application_get_data_dir (app));
      pa_face_swap_page_set_account_manager (self->face_swap_page, manager);
      pa_studio_page_set_store (self->studio_page, pa_application_get_store (app),
                                pa_application_get_data_dir (app));
      pa_studio_page_set_account_manager (self->studio_page, manager);
      pa_payments_page_set_application (self->payments_page, app);
      gtk_stack_set_visible_child_name (self->main_stack, "main");
      return;
    }

  gtk_stack_set_visible_child_name (self->main_stack, "loading");
}

static PaResultGallery *
find_gallery (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      PaResultGallery *gallery = PA_IS_RESULT_GALLERY (child) ? PA_RESULT_GALLERY (child)
                                                               : find_gallery (child);

      if (gallery != NULL)
        return gallery;
    }
  return NULL;
}

/* A recording is an asset: the gallery (on the Face Swap page) shows it. */
static void
on_recording_saved (PaWindow *self)
{
  PaResultGallery *gallery = find_gallery (GTK_WIDGET (self->face_swap_page));

  if (gallery != NULL)
    pa_result_gallery_reload (gallery);
}

static void
load_window_state (PaWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  /* An uninstalled build may have no compiled schema: it then runs with
   * the default size rather than aborting in g_settings_new(). */
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found; the window size will not be remembered", APP_ID);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (PaWindow *self)
{
  int width = 0;
  int height = 0;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
pa_window_close_request (GtkWindow *window)
{
  save_window_state (PA_WINDOW (window));

  return GTK_WINDOW_CLASS (pa_window_parent_class)->close_request (window);
}

/* "application" is set after construction, and may change: follow it. */
static void
on_application_changed (PaWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == self->application)
    return;

  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (self->application, self);
  g_set_weak_pointer (&self->application, app);

  if (app != NULL)
    {
      g_signal_connect_object (app, "notify::loading",
                               G_CALLBACK (sync_with_application), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (app, "notify::account-manager",
                               G_CALLBACK (sync_with_application), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (app, "notify::store-error",
                               G_CALLBACK (sync_with_application), self, G_CONNECT_SWAPPED);
    }

  sync_with_application (self);
}

static void
pa_window_dispose (GObject *object)
{
  PaWindow *self = PA_WINDOW (object);

  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (self->application, self);
  g_clear_weak_pointer (&self->application);
  g_clear_weak_pointer (&self->toast);
  gtk_widget_dispose_template (GTK_WIDGET (self), PA_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pa_window_parent_class)->dispose (object);
}

static void
pa_window_class_init (PaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pa_window_dispose;
  window_class->close_request = pa_window_close_request;

  g_type_ensure (PA_TYPE_ACCOUNTS_PAGE);
  g_type_ensure (PA_TYPE_FACE_SWAP_PAGE);
  g_type_ensure (PA_TYPE_STUDIO_PAGE);
  g_type_ensure (PA_TYPE_PAYMENTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/playalter/PlayAlter/ui/pa-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, content_pane);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, face_swap_row);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, accounts_row);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, accounts_page);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, face_swap_page);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, studio_page);
  gtk_widget_class_bind_template_child (widget_class, PaWindow, payments_page);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_install_action (widget_class, "win.show-section", "s", show_section_action);
}

static void
pa_window_init (PaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Face swap is what PlayAlter is first installed for: it opens there. */
  gtk_list_box_select_row (self->sidebar_list, self->face_swap_row);
  show_section (self, "face-swap");
  adw_leaflet_set_visible_child (self->leaflet, self->content_pane);

  load_window_state (self);

  g_signal_connect_object (self->studio_page, "recording-saved", G_CALLBACK (on_recording_saved),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
}

PaWindow *
pa_window_new (PaApplication *application)
{
  g_return_val_if_fail (PA_IS_APPLICATION (application), NULL);

  return g_object_new (PA_TYPE_WINDOW, "application", application, NULL);
}

void
pa_window_add_toast (PaWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (PA_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  /* The newest result replaces the one on screen rather than queueing
   * behind it: an old "Signed in" after a "Signed out" would mislead. */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);

  g_set_weak_pointer (&self->toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
