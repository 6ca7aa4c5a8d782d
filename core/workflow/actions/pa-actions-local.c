/* pa-actions-local.c — actions that need no platform: set, wait, save
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>


#include "pa-compat.h"
#include "pa-error.h"
#include "pa-file-policy.h"
#include "pa-limits.h"
#include "pa-store.h"
#include "pa-actions-private.h"

#define COPY_BUFFER_SIZE (64 * 1024)
#define SHA_PREFIX_CHARS 12

/* ---- shared by every built-in action ------------------------------------ */

JsonNode *
pa_actions_finish (GAsyncResult  *result,
                   GError       **error)
{
  GError *local_error = NULL;
  JsonNode *output;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  output = g_task_propagate_pointer (G_TASK (result), &local_error);
  /* A client below may still report GIO's own cancellation. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&local_error);
      g_set_error (&local_error, PA_ERROR, PA_ERROR_CANCELLED, _("The step was cancelled."));
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return output;
}

const char *
pa_actions_get_string (JsonObject *args,
                       const char *name,
                       const char *fallback)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

gint64
pa_actions_get_int (JsonObject *args,
                    const char *name,
                    gint64      fallback)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* Arguments declared integer are checked to be integers before a
       * step runs; a double is converted only when that is defined and
       * exact (1e300 or 2.5 would be undefined or lose the value). */
      if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double) (gint64) d)
        return (gint64) d;
    }
  return fallback;
}

double
pa_actions_get_double (JsonObject *args,
                       const char *name,
                       double      fallback)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return fallback;
}

void
pa_actions_return_object (GTask      *task,
                          JsonObject *output)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, output);
  g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

/* ---- local.set ---------------------------------------------------------- */

static void
set_run (PaActionContext     *context,
         JsonObject          *args,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JsonObject *output = json_object_new ();
  JsonNode *value = json_object_get_member (args, "value");

  g_task_set_source_tag (task, set_run);

  g_task_set_check_cancellable (task, FALSE);
  json_object_set_member (output, "value",
                          value != NULL ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
  pa_actions_return_object (task, output);
}

static const PaActionArg set_args[] = {
  { "value", PA_ARG_ANY, TRUE, "the value the step outputs, after templates are resolved" },
  { NULL }
};

static const PaActionInfo set_info = {
  .name = "local.set",
  .platform = NULL,
  .summary = "Outputs its value: the transform step of small workflows",
  .args = set_args,
  .idempotent = TRUE,
  .run = set_run,
  .finish = pa_actions_finish,
};

/* ---- local.wait ----------------------------------------------------------
 *
 * The deadline is wall-clock time and is journaled before waiting, so a
 * wait interrupted by a restart only waits for what is left of it. */

typedef struct {
  GSource *timeout;
  GSource *cancelled;
  double   seconds;
} WaitData;

static void
wait_data_free (WaitData *data)
{
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_source_unref (data->timeout);
    }
  if (data->cancelled != NULL)
    {
      g_source_destroy (data->cancelled);
      g_source_unref (data->cancelled);
    }
  g_free (data);
}

static gboolean
wait_done_cb (gpointer user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);
  JsonObject *output = json_object_new ();

  /* The requested time, not what this process waited: a resumed wait has
   * the same output as an uninterrupted one. */
  json_object_set_double_member (output, "waited_s", data->seconds);
  /* Only one of the two sources may answer. */
  if (data->cancelled != NULL)
    g_source_destroy (data->cancelled);
  pa_actions_return_object (task, output);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  g_source_destroy (data->timeout);
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED, _("The wait was cancelled."));
  return G_SOURCE_REMOVE;
}

static void
wait_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  JsonObject *state = pa_action_context_get_state (context);
  WaitData *data = g_new0 (WaitData, 1);
  gint64 until_us;
  gint64 remaining_us;
  guint remaining_ms;

  g_task_set_source_tag (task, wait_run);

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);
  data->seconds = pa_actions_get_double (args, "seconds", 0);

  if (data->seconds < 0 || data->seconds > G_MAXINT32 / 1000)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("local.wait: seconds must be between 0 and %d, not %g."),
                               G_MAXINT32 / 1000, data->seconds);
      return;
    }

  if (state != NULL && json_object_has_member (state, "until_us"))
    until_us = json_object_get_int_member (state, "until_us");
  else
    {
      g_autoptr(JsonObject) new_state = json_object_new ();

      until_us = g_get_real_time () + (gint64) (data->seconds * G_USEC_PER_SEC);
      json_object_set_int_member (new_state, "until_us", until_us);
      if (!pa_action_context_checkpoint (context, new_state, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED, _("The wait was cancelled."));
      return;
    }

  /* Clamped: a state from elsewhere must not overflow the timeout. */
  remaining_us = CLAMP (until_us - g_get_real_time (), 0, (gint64) G_MAXINT32 * 1000);
  remaining_ms = (guint) ((remaining_us + 999) / 1000);

  data->timeout = g_timeout_source_new (remaining_ms);
  g_task_attach_source (task, data->timeout, wait_done_cb);
  if (cancellable != NULL)
    {
      data->cancelled = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, data->cancelled, (GSourceFunc) (void (*) (void)) wait_cancelled_cb);
    }
}

static const PaActionArg wait_args[] = {
  { "seconds", PA_ARG_NUMBER, TRUE, "how long to wait; a restart does not start it over" },
  { NULL }
};

static const PaActionInfo wait_info = {
  .name = "local.wait",
  .platform = NULL,
  .summary = "Waits, durably: the wait survives a restart",
  .args = wait_args,
  .idempotent = TRUE,
  .run = wait_run,
  .finish = pa_actions_finish,
};

/* ---- local.save ----------------------------------------------------------
 *
 * The copy runs on a worker thread (it may be large); the assets row is
 * written back on the caller's thread, which owns the store. */

typedef struct {
  char *source;
  int   source_fd;  /* opened by the run's file policy */
  char *media_dir;
  char *path;     /* the final file */
  char *sha256;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->source);
  if (data->source_fd >= 0)
    close (data->source_fd);
  g_free (data->media_dir);
  g_free (data->path);
  g_free (data->sha256);
  g_free (data);
}

static gboolean
write_all (int           fd,
           const guint8 *buffer,
           gsize         size)
{
  while (size > 0)
    {
      gssize n = write (fd, buffer, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      buffer += n;
      size -= n;
    }
  return TRUE;
}

/* Reads at most PA_LIMIT_LOCAL_FILE_BYTES whatever fstat() said: a /proc
 * file says 0 and /dev/zero never ends (the policy refuses devices, but
 * the bound does not rely on it). */
static gboolean
copy_hashing (const char    *source,
              int            in_fd,
              int            out_fd,
              const char    *tmp_path,
              GChecksum     *checksum,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree guint8 *buffer = g_malloc (COPY_BUFFER_SIZE);
  GError *local_error = NULL;
  guint64 total = 0;

  for (;;)
    {
      gssize n;

      /* Checked before each read, as GInputStream would. */
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          g_set_error (error, PA_ERROR, PA_ERROR_CANCELLED,
                       _("local.save: could not read %s: %s"), source, local_error->message);
          g_error_free (local_error);
          return FALSE;
        }
      n = read (in_fd, buffer, COPY_BUFFER_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                       _("local.save: could not read %s: %s"), source,
                       g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      total += (guint64) n;
      if (total > PA_LIMIT_LOCAL_FILE_BYTES)
        {
          g_autofree char *limit = g_format_size (PA_LIMIT_LOCAL_FILE_BYTES);

          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("local.save: %s is larger than %s (PA_LIMIT_LOCAL_FILE_BYTES)"),
                       source, limit);
          return FALSE;
        }
      g_checksum_update (checksum, buffer, n);
      if (!write_all (out_fd, buffer, n))
        {
          int saved_errno = errno;

          g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                       _("local.save: could not write %s: %s. Check that the disk is not full."),
                       tmp_path, g_strerror (saved_errno));
          return FALSE;
        }
    }

  /* Durable before the rename makes it visible under its final name. */
  if (g_fsync (out_fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("local.save: could not write %s: %s"),
                   tmp_path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *tmp_path = g_build_filename (data->media_dir, ".save-XXXXXX", NULL);
  g_autofree char *basename = g_path_get_basename (data->source);
  g_autofree char *name = NULL;
  GError *error = NULL;
  int fd;

  fd = g_mkstemp_full (tmp_path, O_WRONLY | PA_COMPAT_O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, PA_ERROR, PA_ERROR_STORAGE,
                               _("local.save: could not create a file in %s: %s"),
                               data->media_dir, g_strerror (saved_errno));
      return;
    }

  if (!copy_hashing (data->source, data->source_fd, fd, tmp_path, checksum, cancellable, &error))
    {
      close (fd);
      g_unlink (tmp_path);
      g_task_return_error (task, error);
      return;
    }
  close (fd);

  data->sha256 = g_strdup (g_checksum_get_string (checksum));
  name = g_strdup_printf ("%.*s-%s", SHA_PREFIX_CHARS, data->sha256, basename);
  data->path = g_build_filename (data->media_dir, name, NULL);
  if (g_rename (tmp_path, data->path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_STORAGE,
                               _("local.save: could not save %s: %s"),
                               data->path, g_strerror (saved_errno));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static const char *
asset_kind (const char *path)
{
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);

  if (g_str_has_prefix (type, "image/"))
    return "image";
  if (g_str_has_prefix (type, "video/"))
    return "video";
  if (g_str_has_prefix (type, "audio/"))
    return "audio";
  return "file";
}

static gboolean
record_asset (PaActionContext  *context,
              SaveData         *data,
              GError          **error)
{
  PaStore *store = pa_action_context_get_store (context);

  if (store == NULL)
    return TRUE;

  /* Saving the same file again (a retried step) updates its row. */
  return pa_store_add_asset (store, asset_kind (data->path), data->path, data->sha256, 0, 0,
                             pa_action_context_get_run_id (context), error) != 0;
}

static void
save_copied_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaActionContext *context = g_task_get_task_data (task);
  GTask *copy = G_TASK (result);
  SaveData *data = g_task_get_task_data (copy);
  g_autoptr(GError) error = NULL;
  JsonObject *output;

  if (!g_task_propagate_boolean (copy, &error) || !record_asset (context, data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  output = json_object_new ();
  json_object_set_string_member (output, "path", data->path);
  json_object_set_string_member (output, "sha256", data->sha256);
  pa_actions_return_object (task, output);
}

static void
save_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GTask) copy = NULL;
  g_autoptr(GError) error = NULL;
  SaveData *data;
  const char *path = pa_actions_get_string (args, "path", NULL);
  g_autofree char *media_dir = NULL;
  PaFilePolicy *policy;
  int source_fd;

  g_task_set_source_tag (task, save_run);

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, pa_action_context_ref (context),
                        (GDestroyNotify) pa_action_context_unref);

  if (path == NULL || *path == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("local.save: no file was given to save."));
      return;
    }

  media_dir = pa_action_context_dup_media_dir (context, &error);
  policy = pa_action_context_get_file_policy (context, &error);
  if (media_dir == NULL || policy == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Opened here, not on the thread: the open does not block (FIFOs are
   * refused without waiting) and the policy is not shared with it. */
  source_fd = pa_file_policy_open_file (policy, path, NULL, &error);
  if (source_fd < 0)
    {
      if (g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
        g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                                 _("local.save: the file %s does not exist. Check the path."),
                                 path);
      else
        g_task_return_new_error (task, PA_ERROR, error->code, "local.save: %s", error->message);
      return;
    }

  data = g_new0 (SaveData, 1);
  data->source = g_strdup (path);
  data->source_fd = source_fd;
  data->media_dir = g_steal_pointer (&media_dir);

  copy = g_task_new (NULL, cancellable, save_copied_cb, g_steal_pointer (&task));
  g_task_set_task_data (copy, data, (GDestroyNotify) save_data_free);
  g_task_set_check_cancellable (copy, FALSE);
  g_task_run_in_thread (copy, save_thread);
}

static const PaActionArg save_args[] = {
  { "path", PA_ARG_FILE, TRUE, "the file to copy into the media folder" },
  { NULL }
};

static const PaActionInfo save_info = {
  .name = "local.save",
  .platform = NULL,
  .summary = "Copies a file into the media folder",
  .args = save_args,
  .idempotent = TRUE,
  .run = save_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_local (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &set_info);
  pa_action_registry_add (registry, &wait_info);
  pa_action_registry_add (registry, &save_info);
}
