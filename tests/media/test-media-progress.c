/* test-media-progress.c — the stage names scripts read
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "pa-media-progress.h"

static void
test_stage_names (void)
{
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_LOADING), ==, "loading");
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_DETECTING), ==, "detecting");
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_SWAPPING), ==, "swapping");
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_UPLOADING), ==, "uploading");
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_WAITING), ==, "waiting");
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_DOWNLOADING), ==, "downloading");
  g_assert_cmpstr (pa_media_stage_to_string (PA_MEDIA_STAGE_SAVING), ==, "saving");
}

/* A value outside the enumeration is a programming error: a critical
 * (fatal in tests), and "unknown" for programs that go on. */
static void
test_stage_unknown (void)
{
  if (g_test_subprocess ())
    {
      g_assert_cmpstr (pa_media_stage_to_string ((PaMediaStage) 99), ==, "unknown");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*should not be reached*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/media-progress/stage-names", test_stage_names);
  g_test_add_func ("/media-progress/stage-unknown", test_stage_unknown);

  return g_test_run ();
}
