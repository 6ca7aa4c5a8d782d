/* test-language.c — the app in the user's language
 *
 * The real application, started as main() starts it, under LANGUAGE=LL
 * (the test's environment, with a C.UTF-8 locale and the build's own
 * catalogues): the labels and titles of its window are the catalogue's
 * translations, and none of them is left in English. A catalogue without
 * those translations fails, so this cannot pass on an empty one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-gui.h"

/* Texts the window shows as soon as it is up: on the page switcher, the
 * Face Swap page and its engine choice. */
static const char *const shown_at_start[] = {
  "Face Swap",
  "Accounts",
  "Drop a picture of the face to use here",
  "Picture or Video",
  "Drop the picture or video to put it into here",
  "On this computer: no account, and nothing leaves it",
  NULL
};

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  else if (ADW_IS_PREFERENCES_GROUP (widget))
    g_ptr_array_add (texts, g_strdup (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget))));
  else if (ADW_IS_PREFERENCES_ROW (widget))
    g_ptr_array_add (texts, g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget))));
  if (ADW_IS_ACTION_ROW (widget))
    g_ptr_array_add (texts, g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget))));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static gboolean
texts_contain (GPtrArray  *texts,
               const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_strcmp0 (g_ptr_array_index (texts, i), text) == 0)
      return TRUE;
  return FALSE;
}

static void
check_window (PaApplication *app,
              GtkWindow     *window,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  const char *language = g_getenv ("LANGUAGE");

  wait_for_paint (GTK_WIDGET (window));
  collect_texts (GTK_WIDGET (window), texts);
  g_assert_cmpuint (texts->len, >, 10);

  for (guint i = 0; shown_at_start[i] != NULL; i++)
    {
      const char *english = shown_at_start[i];
      const char *translated = g_dgettext (GETTEXT_PACKAGE, english);

      /* The catalogue must have it, or the check below proves nothing. */
      if (g_strcmp0 (translated, english) == 0)
        g_error ("The %s catalogue in %s has no translation of “%s”",
                 language, pa_install_dirs_get_locale_dir (), english);
      if (!texts_contain (texts, translated))
        g_error ("The window does not show “%s” (%s for “%s”)", translated, language, english);
      if (texts_contain (texts, english))
        g_error ("The window still shows “%s” in English under LANGUAGE=%s", english, language);
      g_test_message ("shows “%s” for “%s”", translated, english);
    }

  save_screenshot (GTK_WIDGET (window), "screenshot-language.png");
}

static void
test_window_language (void)
{
  char *data_dir;

  if (!need_display ())
    return;
  g_assert_nonnull (g_getenv ("LANGUAGE"));

  data_dir = pa_test_cli_data_dir_new ();
  run_app (data_dir, check_window, NULL);
  pa_test_cli_data_dir_free (data_dir);
}

int
main (int   argc,
      char *argv[])
{
  /* As the app's main() does. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, pa_install_dirs_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/language/window", test_window_language);

  return g_test_run ();
}
