/* pa-cli-faceswap.c — `playalter-cli faceswap` and `faces`
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "pa-cli.h"

/* A line is redrawn at most this often on a terminal, and written at
 * most this often elsewhere (a log fills up with a line per frame). */
#define TTY_REFRESH_US   (100 * 1000)
#define PLAIN_REFRESH_US (2 * G_USEC_PER_SEC)

typedef struct {
  gboolean      tty;
  gboolean      line_open;     /* a progress line waits to be finished (tty) */
  int           last_stage;
  gint64        last_print_us;
  int           last_percent;
} Progress;

typedef struct {
  gboolean          done;
  GAsyncResult     *result;
  GCancellable     *cancellable;
  gboolean          interrupted;
} Wait;

static const char *
stage_label (PaMediaStage stage)
{
  switch (stage)
    {
    case PA_MEDIA_STAGE_LOADING:     return _("Loading");
    case PA_MEDIA_STAGE_DETECTING:   return _("Finding faces");
    case PA_MEDIA_STAGE_SWAPPING:    return _("Swapping");
    case PA_MEDIA_STAGE_UPLOADING:   return _("Uploading");
    case PA_MEDIA_STAGE_WAITING:     return _("Waiting for the cloud engine");
    case PA_MEDIA_STAGE_DOWNLOADING: return _("Downloading");
    case PA_MEDIA_STAGE_SAVING:      return _("Saving");
    default:                         return "";
    }
}

static char *
format_progress (const PaMediaProgress *progress)
{
  GString *line = g_string_new (stage_label (progress->stage));

  if (progress->fraction >= 0)
    g_string_append_printf (line, " %3d %%", (int) (progress->fraction * 100 + 0.5));
  if (progress->frames_done > 0 || progress->frames_total > 0)
    {
      if (progress->frames_total > 0)
        /* TRANSLATORS: frames done / frames in the video */
        g_string_append_printf (line, _(", frame %" PRIu64 "/%" PRIu64),
                                progress->frames_done, progress->frames_total);
      else
        g_string_append_printf (line, _(", frame %" PRIu64), progress->frames_done);
    }
  if (progress->fps > 0)
    g_string_append_printf (line, _(", %.1f fps"), progress->fps);
  if (progress->seconds_left >= 0)
    g_string_append_printf (line, _(", %d s left"), (int) (progress->seconds_left + 0.5));
  if (progress->message != NULL && *progress->message != '\0')
    g_string_append_printf (line, " — %s", progress->message);
  return g_string_free (line, FALSE);
}

/* On a terminal, one line redrawn in place; elsewhere (a log, a pipe)
 * plain lines: one per stage, and while a stage lasts one every few
 * seconds. stdout is left to the result. */
static void
on_progress (const PaMediaProgress *progress,
             gpointer               user_data)
{
  Progress *state = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean new_stage = (int) progress->stage != state->last_stage;
  g_autofree char *line = NULL;

  if (!new_stage
      && now - state->last_print_us < (state->tty ? TTY_REFRESH_US : PLAIN_REFRESH_US))
    return;
  state->last_stage = progress->stage;
  state->last_print_us = now;

  line = format_progress (progress);
  if (state->tty)
    {
      g_autofree char *shown = pa_text_sanitize_for_display (line, -1);

      /* Written directly: the carriage return and the erase-line
       * sequence are ours; the text around them is sanitized. */
      fprintf (stderr, "\r%s\033[K", shown);
      fflush (stderr);
      state->line_open = TRUE;
    }
  else
    g_printerr ("%s\n", line);
}

static void
progress_finish (Progress *state)
{
  if (state->tty && state->line_open)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
      state->line_open = FALSE;
    }
}

static void
on_interrupt (gpointer user_data)
{
  Wait *wait = user_data;

  wait->interrupted = TRUE;
  g_cancellable_cancel (wait->cancellable);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

/* Runs the main context until the operation started with @wait ends;
 * Ctrl-C (or a TERM) cancels it, and the operation then ends as
 * cancelled, leaving no file behind. */
static void
wait_until_done (Wait *wait)
{
  guint interrupt = pa_compat_add_interrupt_handler (on_interrupt, wait);

  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);

  pa_compat_remove_interrupt_handler (interrupt);
}

static int
fail_job_error (const GError *error,
                gboolean      interrupted)
{
  if (interrupted || g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    return pa_cli_fail (PA_CLI_EXIT_FAILED, _("Cancelled: no output was written."));
  return pa_cli_fail_error (error);
}

/* The Replicate client of the saved account: its base URL (a Cog server
 * perhaps) from the store, its key from the keyring when a request needs
 * it. */
static PaReplicate *
open_replicate (const PaCliGlobals  *globals,
                const char          *profile,
                GError             **error)
{
  g_autofree char *base_url = NULL;

  if (!pa_cli_account_base_url (globals, "replicate", profile, &base_url, error))
    return NULL;
  return pa_replicate_new (pa_platform_get_default_http (), profile, base_url);
}

static void
print_summary (const PaFaceSwapResult *result)
{
  g_autofree char *path = g_file_get_path (result->output);

  if (g_str_equal (result->kind, "video"))
    g_print (_("Wrote %s (video, %d×%d, %" PRIu64 " frames)\n"),
             path, result->width, result->height, result->frames);
  else
    g_print (_("Wrote %s (picture, %d×%d)\n"), path, result->width, result->height);

  if (result->pairs->len > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u face swapped:", "%u faces swapped:",
                          result->pairs->len), result->pairs->len);
  for (guint i = 0; i < result->pairs->len; i++)
    {
      const PaFacePair *pair = &g_array_index (result->pairs, PaFacePair, i);

      /* TRANSLATORS: source face → target face, both numbers */
      g_print (_(" %d→%d"), pair->source, pair->target);
    }
  if (result->pairs->len > 0)
    g_print ("\n");
  for (guint i = 0; i < result->skipped->len; i++)
    {
      g_autofree char *why = pa_face_describe_quality (g_ptr_array_index (result->skipped, i));

      g_print (_("Left alone: %s\n"), why);
    }
}

int
pa_cli_faceswap (const PaCliGlobals *globals,
                 int                 argc,
                 char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *face = NULL;
  g_autofree char *target = NULL;
  g_autofree char *out = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *targets = NULL;
  g_autofree char *sources = NULL;
  g_autofree char *model = NULL;
  g_autofree char *face_field = NULL;
  g_autofree char *picture_field = NULL;
  g_autofree char *profile = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "face", 0, 0, G_OPTION_ARG_FILENAME, &face,
      N_("The picture with the face to use (required)"), N_("FILE") },
    { "target", 0, 0, G_OPTION_ARG_FILENAME, &target,
      N_("The picture (PNG, JPEG) or video (MP4, WebM, MKV) to put it into (required)"),
      N_("FILE") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
      N_("Where to write the result: .png or .jpg for a picture, .mp4, .webm or .mkv for a "
         "video; an existing file is replaced only once the new one is complete (default: a "
         "new file in the media folder, listed in the app’s gallery)"), N_("FILE") },
    { "engine", 0, 0, G_OPTION_ARG_STRING, &engine,
      N_("offline (the default: on this machine, no account needed) or replicate (the saved "
         "Replicate account or Cog server)"), N_("ENGINE") },
    { "targets", 0, 0, G_OPTION_ARG_STRING, &targets,
      N_("Which faces of the target to replace: all (the default), largest, or their numbers "
         "from the left, from 0, as `faces` lists them (e.g. 0,2)"), N_("WHICH") },
    { "sources", 0, 0, G_OPTION_ARG_STRING, &sources,
      N_("Which face of the face picture goes onto each chosen target, in order (e.g. 1,0; "
         "default: its largest face for all)"), N_("LIST") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model,
      N_("Replicate engine: the model, owner/name (default: cdingram/face-swap)"),
      N_("MODEL") },
    { "face-field", 0, 0, G_OPTION_ARG_STRING, &face_field,
      N_("Replicate engine: the model’s input that takes the face (default: read from the "
         "model’s schema)"), N_("FIELD") },
    { "picture-field", 0, 0, G_OPTION_ARG_STRING, &picture_field,
      N_("Replicate engine: the model’s input that takes the picture (default: read from "
         "the model’s schema)"), N_("FIELD") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile,
      N_("Replicate engine: the account profile (default: “default”)"), N_("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the result as JSON: output path, kind, size, frames, faces swapped, faces "
         "left alone and why"), NULL },
    { NULL }
  };
  g_autoptr(PaFaceSelection) selection = NULL;
  g_autoptr(PaFaceSwapJob) job = NULL;
  g_autoptr(PaFaceSwapResult) result = NULL;
  g_autoptr(GFile) face_file = NULL;
  g_autoptr(GFile) target_file = NULL;
  g_autoptr(GFile) out_file = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PaStore) store = NULL;
  Progress progress = { 0 };
  Wait wait = { 0 };
  gboolean cloud = FALSE;

  g_option_context_set_summary (context,
                                _("Put the face from one picture onto the faces in a picture "
                                  "or a video. Progress goes to standard error, the result "
                                  "to standard output; Ctrl-C stops and writes nothing. "
                                  "Every output is marked as face-swapped."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Usage: faceswap --face FILE --target FILE [--out FILE] "
                          "[--engine offline|replicate] [--targets all|largest|0,2] "
                          "[--sources 1,0] [--json] (try --help)"));
  if (face == NULL || target == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Give the face with --face FILE and the picture or video with "
                          "--target FILE (try --help)"));

  if (engine == NULL || g_str_equal (engine, "offline"))
    cloud = FALSE;
  else if (g_str_equal (engine, "replicate"))
    cloud = TRUE;
  else
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("--engine takes offline or replicate, not “%s”"), engine);

  if (!cloud && (model != NULL || face_field != NULL || picture_field != NULL || profile != NULL))
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("--model, --face-field, --picture-field and --profile are for "
                          "--engine replicate"));
  if (cloud && (targets != NULL || sources != NULL))
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("--targets and --sources are for the offline engine: a cloud model "
                          "chooses the faces itself"));
  if ((face_field == NULL) != (picture_field == NULL))
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Give both --face-field and --picture-field, or neither"));

  selection = pa_face_selection_parse (targets, sources, &error);
  if (selection == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);

  face_file = g_file_new_for_commandline_arg (face);
  target_file = g_file_new_for_commandline_arg (target);
  out_file = out != NULL ? g_file_new_for_commandline_arg (out) : NULL;
  job = pa_face_swap_job_new (face_file, target_file, out_file);
  pa_face_swap_job_set_selection (job, selection);

  /* Only a file in the media folder goes into the gallery: one the user
   * put elsewhere is theirs, and the gallery may delete what it lists. */
  if (out_file == NULL)
    {
      store = pa_cli_open_store (globals, &error);
      if (store == NULL)
        return pa_cli_fail_error (error);
      pa_face_swap_job_set_store (job, store);
    }

  if (cloud)
    {
      g_autoptr(PaReplicate) client = open_replicate (globals,
                                                      profile != NULL ? profile
                                                                      : PA_DEFAULT_PROFILE,
                                                      &error);

      if (client == NULL)
        return pa_cli_fail_error (error);
      pa_face_swap_job_set_engine (job, PA_FACE_SWAP_ENGINE_CLOUD);
      pa_face_swap_job_set_cloud (job, client, model, face_field, picture_field);
    }

  progress.tty = pa_compat_is_terminal (2);
  progress.last_stage = -1;
  pa_face_swap_job_set_progress_func (job, on_progress, &progress, NULL);

  wait.cancellable = cancellable;
  pa_face_swap_job_run_async (job, cancellable, on_done, &wait);
  wait_until_done (&wait);
  progress_finish (&progress);

  result = pa_face_swap_job_run_finish (job, wait.result, &error);
  g_clear_object (&wait.result);
  if (result == NULL)
    return fail_job_error (error, wait.interrupted);

  if (json)
    {
      g_autoptr(JsonObject) object = pa_face_swap_result_to_json (result);

      pa_cli_print_json (object, TRUE);
    }
  else
    print_summary (result);
  return PA_CLI_EXIT_OK;
}

/* ---- faces -------------------------------------------------------------- */

int
pa_cli_faces (const PaCliGlobals *globals,
              int                 argc,
              char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  gboolean json = FALSE;
  int width = 0, height = 0;
  Wait wait = { 0 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the faces as JSON"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("List the faces in a picture, or in the first frame of a "
                                  "video that has one, left to right: the numbers "
                                  "`faceswap --targets` takes, each face’s box, detector "
                                  "score, eye distance, turn (yaw, roll) and whether it can "
                                  "be swapped well."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
  if (argc != 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: faces FILE [--json]"));

  file = g_file_new_for_commandline_arg (argv[1]);
  wait.cancellable = cancellable;
  pa_media_find_faces_async (file, cancellable, on_done, &wait);
  wait_until_done (&wait);
  faces = pa_media_find_faces_finish (wait.result, &width, &height, &error);
  g_clear_object (&wait.result);
  if (faces == NULL)
    return fail_job_error (error, wait.interrupted);

  if (json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autofree char *path = g_file_get_path (file);
      JsonArray *array = json_array_new ();

      json_object_set_string_member (object, "file", path);
      json_object_set_int_member (object, "width", width);
      json_object_set_int_member (object, "height", height);
      for (guint i = 0; i < faces->len; i++)
        json_array_add_object_element (array, pa_face_to_json (g_ptr_array_index (faces, i)));
      json_object_set_array_member (object, "faces", array);
      pa_cli_print_json (object, TRUE);
      return PA_CLI_EXIT_OK;
    }

  if (faces->len == 0)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      /* Not an error: the answer to the question is "none". */
      g_print (_("No face found in %s\n"), name);
      return PA_CLI_EXIT_OK;
    }

  /* TRANSLATORS: column heads; keep the widths */
  g_print (_("FACE  BOX (x,y width×height)   SCORE  EYES px  YAW°  ROLL°  QUALITY\n"));
  for (guint i = 0; i < faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (faces, i);
      g_autofree char *box = g_strdup_printf ("%d,%d %d×%d", face->box.x, face->box.y,
                                              face->box.width, face->box.height);

      g_print ("%4d  %-24s  %5.2f  %7.1f  %4.0f  %5.0f  %s\n", face->index, box, face->score,
               face->eye_distance, face->yaw, face->roll,
               pa_face_quality_to_string (face->quality));
    }
  return PA_CLI_EXIT_OK;
}
