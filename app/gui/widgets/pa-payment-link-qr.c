/* pa-payment-link-qr.c — a payment link's QR code with its URL, Copy and Save as PNG
 *
 * Shared by the payment links view and the sell dialog: what a buyer's
 * phone scans, and the two ways to pass the link on.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-payment-link-qr.h"

/* Big enough to scan from a phone held at arm's length off a laptop. */
#define QR_SIZE 280

static void
copy_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkWidget *box = user_data;
  GtkButton *button = g_object_get_data (G_OBJECT (box), "pa-copy-button");
  const char *url = g_object_get_data (G_OBJECT (box), "pa-url");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (box), url);
  /* Says it worked where the user looks, in any window. */
  gtk_button_set_label (button, _("Copied"));
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GtkWidget) box = user_data;
  GtkLabel *status = g_object_get_data (G_OBJECT (box), "pa-status");
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (pa_gui_error_is_cancelled (error))
        return;
      /* Translators: %s says why, from the system. */
      text = g_strdup_printf (_("The picture could not be saved: %s"), error->message);
    }
  else
    {
      name = g_file_get_parse_name (G_FILE (source));
      /* Translators: %s is where the file was saved. */
      text = g_strdup_printf (_("Saved as %s"), name);
    }
  gtk_label_set_text (status, text);
  gtk_widget_set_visible (GTK_WIDGET (status), TRUE);
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  GtkWidget       *box)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = NULL;
  PaQrCode *code = pa_qr_view_get_code (pa_payment_link_qr_get_view (box));
  GtkLabel *status = g_object_get_data (G_OBJECT (box), "pa-status");

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL && code != NULL)
    {
      png = pa_qr_code_to_png (code, PA_PAYMENT_LINK_QR_PNG_SCALE, &error);
      if (png == NULL)
        {
          gtk_label_set_text (status, error->message);
          gtk_widget_set_visible (GTK_WIDGET (status), TRUE);
        }
      else
        g_file_replace_contents_bytes_async (file, png, NULL, FALSE,
                                             G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                             saved_cb, g_object_ref (box));
    }
  g_object_unref (chooser);
}

static void
save_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkWidget *box = user_data;
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (pa_qr_view_get_code (pa_payment_link_qr_get_view (box)) == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save QR Code"),
                                         GTK_WINDOW (gtk_widget_get_root (box)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* Translators: the file name a saved QR code gets first; keep .png. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("payment-link.png"));
  gtk_file_filter_set_name (filter, _("PNG pictures"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (pictures);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_save_response), box, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

GtkWidget *
pa_payment_link_qr_new (const char *url)
{
  static const GActionEntry entries[] = {
    { "copy", copy_activated, NULL, NULL, NULL, { 0 } },
    { "save", save_activated, NULL, NULL, NULL, { 0 } },
  };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  GtkWidget *box;
  GtkWidget *frame;
  GtkWidget *view;
  GtkWidget *label;
  GtkWidget *buttons;
  GtkWidget *copy;
  GtkWidget *save;
  GtkWidget *status;

  g_return_val_if_fail (url != NULL, NULL);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  g_object_set_data_full (G_OBJECT (box), "pa-url", g_strdup (url), g_free);

  /* Dark on white whatever the style: a scanner needs the contrast and
   * the quiet zone, which the white frame gives. */
  view = pa_qr_view_new ();
  pa_qr_view_set_text (PA_QR_VIEW (view), url);
  gtk_widget_set_size_request (view, QR_SIZE, QR_SIZE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code of the payment link"),
                                  -1);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  gtk_widget_set_halign (frame, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (frame, "qr-code");
  gtk_box_append (GTK_BOX (box), frame);
  g_object_set_data (G_OBJECT (box), "pa-view", view);

  label = gtk_label_new (url);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "monospace");
  gtk_box_append (GTK_BOX (box), label);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  copy = gtk_button_new_with_mnemonic (_("_Copy Link"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (copy), "qr.copy");
  gtk_widget_add_css_class (copy, "pill");
  gtk_widget_add_css_class (copy, "suggested-action");
  save = gtk_button_new_with_mnemonic (_("Save as _PNG…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (save), "qr.save");
  gtk_widget_add_css_class (save, "pill");
  gtk_box_append (GTK_BOX (buttons), copy);
  gtk_box_append (GTK_BOX (buttons), save);
  gtk_box_append (GTK_BOX (box), buttons);
  g_object_set_data (G_OBJECT (box), "pa-copy-button", copy);

  status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_set_visible (status, FALSE);
  gtk_box_append (GTK_BOX (box), status);
  g_object_set_data (G_OBJECT (box), "pa-status", status);

  /* Copy is what most people want next; the URL's label, focused first
   * otherwise, would show its text selected. */
  g_signal_connect_object (box, "map", G_CALLBACK (gtk_widget_grab_focus), copy,
                           G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), box);
  gtk_widget_insert_action_group (box, "qr", G_ACTION_GROUP (group));

  return box;
}

PaQrView *
pa_payment_link_qr_get_view (GtkWidget *qr)
{
  g_return_val_if_fail (GTK_IS_WIDGET (qr), NULL);

  return g_object_get_data (G_OBJECT (qr), "pa-view");
}

GtkWindow *
pa_payment_link_qr_dialog_new (GtkWindow  *parent,
                               const char *url,
                               const char *name)
{
  GtkWidget *window;
  GtkWidget *content;
  GtkWidget *header;
  GtkWidget *title;
  GtkWidget *clamp;
  GtkWidget *qr;

  g_return_val_if_fail (url != NULL, NULL);

  window = adw_window_new ();
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 560);
  gtk_window_set_title (GTK_WINDOW (window), _("Payment Link"));

  header = adw_header_bar_new ();
  title = adw_window_title_new (_("Payment Link"), name != NULL ? name : "");
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), TRUE);

  qr = pa_payment_link_qr_new (url);
  gtk_widget_set_margin_top (qr, 18);
  gtk_widget_set_margin_bottom (qr, 18);
  gtk_widget_set_margin_start (qr, 18);
  gtk_widget_set_margin_end (qr, 18);
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 420);
  adw_clamp_set_child (ADW_CLAMP (clamp), qr);
  gtk_widget_set_vexpand (clamp, TRUE);
  gtk_widget_set_valign (clamp, GTK_ALIGN_CENTER);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), clamp);
  adw_window_set_content (ADW_WINDOW (window), content);
  g_object_set_data (G_OBJECT (window), "pa-qr", qr);

  return GTK_WINDOW (window);
}
