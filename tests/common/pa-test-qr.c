/* pa-test-qr.c — reading QR codes back, as a phone would
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "pa-test-qr.h"
#include "pa-test-require.h"

gboolean
pa_test_qr_need_reader (GError **error)
{
  g_autofree char *zbarimg = pa_test_find_program ("zbarimg", "zbar-tools", error);

  return zbarimg != NULL;
}

char *
pa_test_qr_read (const char  *path,
                 GError     **error)
{
  g_autofree char *zbarimg = pa_test_find_program ("zbarimg", "zbar-tools", error);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  /* -Sbinary: the bytes as encoded, without zbar guessing a charset. */
  const char *argv[] = { NULL, "--raw", "-q", "-Sbinary", path, NULL };

  if (zbarimg == NULL)
    return NULL;
  argv[0] = zbarimg;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "zbarimg found no code in %s (%s): ", path, g_strstrip (err));
      return NULL;
    }
  /* --raw ends the text with a newline of its own. */
  if (g_str_has_suffix (out, "\n"))
    out[strlen (out) - 1] = '\0';
  return g_steal_pointer (&out);
}
