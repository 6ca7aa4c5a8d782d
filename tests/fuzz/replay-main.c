/* replay-main.c — runs a fuzz target over files, without libFuzzer
 *
 *   replay-NAME PATH...
 *
 * Each PATH is an input file or a folder of them (not recursive): every
 * regression a fuzzer found, and the seed corpus, go through the target
 * in ordinary builds, under the sanitizers when the build has them. A
 * PATH that does not exist fails the run, so a corpus that went missing
 * cannot pass as an empty one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

static gboolean
run_file (const char *path,
          guint      *n_run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  /* A copy of exactly @length bytes, so that ASan sees a read past the end. */
  {
    g_autofree uint8_t *input = g_memdup2 (contents, length);

    LLVMFuzzerTestOneInput (input, length);
  }
  (*n_run)++;
  return TRUE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
run_folder (const char *path,
            guint      *n_run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  gboolean ok = TRUE;

  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);

      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        ok &= run_file (file, n_run);
    }
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  gboolean ok = TRUE;
  guint n_run = 0;

  if (argc < 2)
    {
      g_printerr ("Usage: %s FILE-OR-FOLDER...\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        ok &= run_folder (argv[i], &n_run);
      else if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
        ok &= run_file (argv[i], &n_run);
      else
        {
          g_printerr ("%s does not exist\n", argv[i]);
          ok = FALSE;
        }
    }

  g_print ("%u inputs run\n", n_run);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
