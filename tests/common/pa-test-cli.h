/* pa-test-cli.h — running the built playalter-cli from a test
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a finished playalter-cli said. */
typedef struct {
  int   status;   /* its exit status */
  char *out;
  char *err;
} PaTestCliResult;

void        pa_test_cli_result_clear (PaTestCliResult     *result);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PaTestCliResult, pa_test_cli_result_clear)

/* The playalter-cli of this build: under $PLAYALTER_BUILD_ROOT (meson's
 * test_env). */
const char *pa_test_cli_path         (void);

/* The start of a command line: playalter-cli, then `--data-dir @data_dir`
 * unless @data_dir is NULL. Add the arguments, then NULL. */
GPtrArray  *pa_test_cli_argv_new     (const char          *data_dir);

/* Runs playalter-cli to its end with `--data-dir @data_dir` (unless NULL)
 * then @args (NULL-terminated), with @input on its stdin (NULL: an empty
 * stdin), into @result, which is cleared first. Fails the test unless the
 * CLI ran and exited. */
void        pa_test_cli_runv         (PaTestCliResult     *result,
                                      const char          *data_dir,
                                      const char          *input,
                                      const char * const  *args);
/* The same, with @setup (may be NULL) run in the child before it
 * starts the CLI: limits, signals, another user. */
void        pa_test_cli_runv_with_setup (PaTestCliResult      *result,
                                         const char           *data_dir,
                                         const char           *input,
                                         GSpawnChildSetupFunc  setup,
                                         gpointer              setup_data,
                                         const char * const   *args);
/* The same with the arguments in a NULL-terminated va_list. */
void        pa_test_cli_run_valist   (PaTestCliResult     *result,
                                      const char          *data_dir,
                                      const char          *input,
                                      va_list              args);
void        pa_test_cli_run          (PaTestCliResult     *result,
                                      const char          *data_dir,
                                      const char          *input,
                                      ...) G_GNUC_NULL_TERMINATED;

/* Fails the test unless @text is exactly one line, not empty, ending in
 * "\n": the CLI's rule for what it writes on stderr. */
void        pa_test_assert_one_line  (const char          *text);

/* A new empty folder for a test's --data-dir, named after the test
 * program; pa_test_cli_data_dir_free() removes it and all it holds,
 * failing the test if it cannot. */
char       *pa_test_cli_data_dir_new  (void);
void        pa_test_cli_data_dir_free (char                *data_dir);

/* Writes @contents to @dir/@name, failing the test if it cannot; returns
 * the file's path. */
char       *pa_test_write_file       (const char          *dir,
                                      const char          *name,
                                      const char          *contents);

G_END_DECLS
