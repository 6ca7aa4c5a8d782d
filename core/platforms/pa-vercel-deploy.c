/* pa-vercel-deploy.c — publishing a folder on Vercel
 *
 * Deploying walks the folder, hashes each file (SHA-1, as Vercel names
 * files), uploads the ones Vercel lacks, creates the deployment and
 * follows it until it is ready.
 *
 * Whatever is published is on the internet, so the walk leaves out what
 * a site never needs and a folder often holds by accident: links (they
 * may lead out of the folder), and files and folders that hold secrets
 * (.env, .git, .ssh, private keys…) unless the caller lists them. What
 * was left out is logged and handed back, so that it can be told.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "pa-clock.h"
#include "pa-compat.h"
#include "pa-error.h"
#include "pa-limits.h"
#include "pa-vercel.h"
#include "pa-vercel-deploy.h"
#include "pa-vercel-private.h"

#define ENUMERATE_BATCH  64

/* ---- deploy a folder -------------------------------------------------- */

typedef struct {
  GFile   *file;
  char    *path;    /* relative, '/'-separated */
  char    *sha;
  guint64  size;
} Entry;

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->file);
  g_free (entry->path);
  g_free (entry->sha);
  g_free (entry);
}

typedef struct {
  GFile                *root;
  char                 *name;
  char                 *target;
  JsonObject           *project_settings;
  PaVercelProgressFunc  progress_func;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;

  GQueue                folders;      /* GFile still to list */
  GPtrArray            *entries;      /* Entry */
  char                **include;      /* relative paths published even if secret */
  GPtrArray            *skipped;      /* char *, relative paths left out */

  /* Stops the other uploads when one fails, or when the caller cancels. */
  GCancellable         *cancellable;
  GCancellable         *caller;
  gulong                cancel_handler;
  guint                 next;
  guint                 in_flight;
  guint                 done;
  GError               *error;
} DeployData;

static void
deploy_data_free (DeployData *data)
{
  if (data->cancel_handler != 0)
    g_cancellable_disconnect (data->caller, data->cancel_handler);
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_clear_object (&data->caller);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->root);
  g_free (data->name);
  g_free (data->target);
  g_clear_pointer (&data->project_settings, json_object_unref);
  g_queue_clear_full (&data->folders, g_object_unref);
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_strfreev (data->include);
  g_clear_pointer (&data->skipped, g_ptr_array_unref);
  g_clear_error (&data->error);
  g_free (data);
}

static gboolean
deploy_cancelled (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);

  return data->caller != NULL && g_cancellable_is_cancelled (data->caller);
}

static void
deploy_fail (GTask  *task,
             GError *error)
{
  if (deploy_cancelled (task))
    {
      g_error_free (error);
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               "%s", _("Publishing was cancelled"));
      return;
    }
  g_task_return_error (task, error);
}

static void
report_uploads (DeployData *data)
{
  PaVercelProgress progress = { "UPLOADING", data->done, data->entries->len, NULL };

  if (data->progress_func != NULL)
    data->progress_func (&progress, data->progress_data);
}

static void list_next_folder (GTask *task);

static void
deployed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PaVercelDeployment *deployment;

  deployment = pa_vercel_wait_deployment_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      deploy_fail (task, error);
      return;
    }
  g_task_return_pointer (task, deployment, (GDestroyNotify) pa_vercel_deployment_free);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DeployData *data = g_task_get_task_data (task);
  GError *error = NULL;
  PaVercelDeployment *deployment;
  g_autofree char *id = NULL;

  deployment = pa_vercel_create_deployment_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      deploy_fail (task, error);
      return;
    }

  id = g_strdup (deployment->id);
  pa_vercel_wait_deployment (PA_VERCEL (source), id, deployment,
                             data->progress_func, data->progress_data, NULL,
                             data->cancellable, deployed_cb, g_object_ref (task));
}

static void
create_deployment (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_vercel_file_free);

  for (guint i = 0; i < data->entries->len; i++)
    {
      Entry *entry = data->entries->pdata[i];

      g_ptr_array_add (files, pa_vercel_file_new (entry->path, entry->sha, entry->size));
    }

  pa_vercel_create_deployment_async (g_task_get_source_object (task), data->name, files,
                                     data->target, data->project_settings, data->cancellable,
                                     created_cb, g_object_ref (task));
}

/* One file on its way: read, hashed, uploaded. */
typedef struct {
  GTask  *task;
  Entry  *entry;
  GBytes *bytes;
} Upload;

static void
upload_free (Upload *upload)
{
  g_clear_object (&upload->task);
  g_clear_pointer (&upload->bytes, g_bytes_unref);
  g_free (upload);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Upload, upload_free)

static void start_uploads (GTask *task);

static void
upload_ended (Upload *upload,
              GError *error)
{
  g_autoptr(Upload) owned = upload;
  GTask *task = upload->task;
  DeployData *data = g_task_get_task_data (task);

  data->in_flight--;
  if (error != NULL)
    {
      if (data->error == NULL)
        {
          data->error = error;
          g_cancellable_cancel (data->cancellable);
        }
      else
        {
          g_error_free (error);
        }
    }
  else
    {
      data->done++;
      report_uploads (data);
    }

  if (data->error != NULL)
    {
      if (data->in_flight == 0)
        deploy_fail (task, g_steal_pointer (&data->error));
      return;
    }

  if (data->done == data->entries->len)
    create_deployment (task);
  else
    start_uploads (task);
}

static void
uploaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Upload *upload = user_data;
  GError *error = NULL;

  if (!pa_vercel_upload_file_finish (PA_VERCEL (source), result, &error))
    {
      g_prefix_error (&error, _("Uploading %s: "), upload->entry->path);
      upload_ended (upload, error);
      return;
    }
  upload_ended (upload, NULL);
}

static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, task_data), g_free);
}

static void
hashed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Upload *upload = user_data;
  DeployData *data = g_task_get_task_data (upload->task);
  GError *error = NULL;
  char *sha;

  sha = g_task_propagate_pointer (G_TASK (result), &error);
  if (sha == NULL)
    {
      upload_ended (upload, error);
      return;
    }

  upload->entry->sha = sha;
  upload->entry->size = g_bytes_get_size (upload->bytes);
  pa_vercel_upload_file_async (g_task_get_source_object (upload->task), upload->bytes, sha,
                               data->cancellable, uploaded_cb, upload);
}

/* Reads one listed file: without following a link that replaced it
 * since it was listed, without blocking on a FIFO, and no more than
 * PA_LIMIT_LOCAL_FILE_BYTES whatever its size claims. */
static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GByteArray) contents = NULL;
  guint8 buffer[64 * 1024];
  struct stat st;
  int fd;

  /* Not through a link, and a FIFO or device does not block the open. */
  fd = pa_compat_open_nofollow (path, TRUE);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                               "%s", _("it is no longer a regular file"));
      return;
    }
  pa_compat_set_blocking (fd);

  contents = g_byte_array_sized_new (MIN ((guint64) st.st_size, PA_LIMIT_LOCAL_FILE_BYTES));
  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   "%s", g_strerror (saved_errno));
          return;
        }
      if (n == 0)
        break;
      if ((guint64) contents->len + (guint64) n > PA_LIMIT_LOCAL_FILE_BYTES)
        {
          g_autofree char *limit = g_format_size (PA_LIMIT_LOCAL_FILE_BYTES);

          close (fd);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                   _("it is larger than %s"), limit);
          return;
        }
      g_byte_array_append (contents, buffer, (guint) n);
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  close (fd);
  g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&contents)),
                         (GDestroyNotify) g_bytes_unref);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Upload *upload = user_data;
  DeployData *data = g_task_get_task_data (upload->task);
  g_autoptr(GError) io_error = NULL;
  g_autoptr(GTask) hash = NULL;
  GError *error = NULL;

  upload->bytes = g_task_propagate_pointer (G_TASK (result), &io_error);
  if (upload->bytes == NULL)
    {
      g_set_error (&error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Could not read %s (%s)"), upload->entry->path, io_error->message);
      upload_ended (upload, error);
      return;
    }

  /* Hashing a large file would stall the main loop. */
  hash = g_task_new (NULL, data->cancellable, hashed_cb, upload);
  g_task_set_task_data (hash, g_bytes_ref (upload->bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (hash, hash_thread);
}

static void
start_uploads (GTask *task)
{
  PaVercel *self = g_task_get_source_object (task);
  DeployData *data = g_task_get_task_data (task);

  while (data->in_flight < self->upload_concurrency && data->next < data->entries->len)
    {
      Upload *upload = g_new0 (Upload, 1);

      upload->task = g_object_ref (task);
      g_autoptr(GTask) load = NULL;

      upload->entry = data->entries->pdata[data->next++];
      data->in_flight++;
      load = g_task_new (NULL, data->cancellable, loaded_cb, upload);
      g_task_set_task_data (load, g_file_get_path (upload->entry->file), g_free);
      g_task_run_in_thread (load, load_thread);
    }
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *entry_a = *(const Entry * const *) a;
  const Entry *entry_b = *(const Entry * const *) b;

  return strcmp (entry_a->path, entry_b->path);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
folder_listed (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);
  g_autofree char *root = g_file_get_parse_name (data->root);

  if (data->entries->len == 0)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("%s has no files to publish"), root);
      return;
    }

  /* The same folder always gives the same file list. */
  g_ptr_array_sort (data->entries, compare_entries);
  g_ptr_array_sort (data->skipped, compare_strings);
  report_uploads (data);
  start_uploads (task);
}

static char *
relative_path (GFile *root,
               GFile *file)
{
  g_autofree char *path = g_file_get_relative_path (root, file);

#ifdef G_OS_WIN32
  g_strdelimit (path, "\\", '/');
#endif
  return g_steal_pointer (&path);
}

/* Names that hold keys, passwords or tokens far more often than
 * anything a site serves. */
static const char * const secret_names[] = {
  ".git", ".ssh", ".gnupg", ".aws", ".docker", ".kube", ".npmrc", ".netrc", ".pypirc",
  ".git-credentials", ".htpasswd", ".pgpass", NULL
};
static const char * const secret_prefixes[] = {
  ".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", NULL
};
static const char * const secret_suffixes[] = {
  ".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", NULL
};

gboolean
pa_vercel_deploy_is_secret_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_strv_contains (secret_names, lower))
    return TRUE;
  for (guint i = 0; secret_prefixes[i] != NULL; i++)
    if (g_str_has_prefix (lower, secret_prefixes[i]))
      return TRUE;
  for (guint i = 0; secret_suffixes[i] != NULL; i++)
    if (g_str_has_suffix (lower, secret_suffixes[i]))
      return TRUE;
  return FALSE;
}

/* Listed itself, or inside a listed folder. */
static gboolean
is_included (DeployData *data,
             const char *path)
{
  for (guint i = 0; data->include != NULL && data->include[i] != NULL; i++)
    {
      const char *listed = data->include[i];
      gsize len = strlen (listed);

      while (len > 0 && listed[len - 1] == '/')
        len--;
      if (len > 0 && strncmp (path, listed, len) == 0 && (path[len] == '\0' || path[len] == '/'))
        return TRUE;
    }
  return FALSE;
}

static void
skip (DeployData *data,
      char       *path,
      const char *why)
{
  g_message ("Not publishing %s: %s", path, why);
  g_ptr_array_add (data->skipped, path);
}

static void
next_files_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GFileEnumerator *enumerator = G_FILE_ENUMERATOR (source);
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GError) io_error = NULL;
  GList *infos;

  infos = g_file_enumerator_next_files_finish (enumerator, result, &io_error);
  if (infos == NULL && io_error != NULL)
    {
      GFile *folder = g_file_enumerator_get_container (enumerator);
      g_autofree char *name = g_file_get_parse_name (folder);

      deploy_fail (task, g_error_new (PA_ERROR, PA_ERROR_STORAGE,
                                      _("Could not list the folder %s (%s)"),
                                      name, io_error->message));
      return;
    }
  if (infos == NULL)
    {
      list_next_folder (task);
      return;
    }

  for (GList *l = infos; l != NULL; l = l->next)
    {
      GFileInfo *info = l->data;
      const char *name = g_file_info_get_name (info);
      g_autoptr(GFile) child = g_file_enumerator_get_child (enumerator, info);
      g_autofree char *path = relative_path (data->root, child);
      GFileType type = g_file_info_get_file_type (info);

      /* A folder that is listed brings in everything it holds. */
      if (pa_vercel_deploy_is_secret_name (name) && !is_included (data, path))
        {
          skip (data, g_steal_pointer (&path),
                type == G_FILE_TYPE_DIRECTORY
                ? _("its name says it may hold secrets; list the folder in “include” to publish it")
                : _("its name says it may hold secrets; list the file in “include” to publish it"));
          continue;
        }

      switch (type)
        {
        case G_FILE_TYPE_DIRECTORY:
          g_queue_push_tail (&data->folders, g_steal_pointer (&child));
          break;
        case G_FILE_TYPE_REGULAR:
          {
            Entry *entry = g_new0 (Entry, 1);

            entry->path = g_steal_pointer (&path);
            entry->file = g_steal_pointer (&child);
            g_ptr_array_add (data->entries, entry);
          }
          break;
        case G_FILE_TYPE_SYMBOLIC_LINK:
          /* It could lead out of the folder, or into a loop. */
          skip (data, g_steal_pointer (&path), _("it is a link"));
          break;
        default:
          skip (data, g_steal_pointer (&path), _("it is not a regular file or folder"));
          break;
        }
    }
  g_list_free_full (infos, g_object_unref);

  g_file_enumerator_next_files_async (enumerator, ENUMERATE_BATCH, G_PRIORITY_DEFAULT,
                                      data->cancellable, next_files_cb, g_object_ref (task));
}

static void
enumerated_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) io_error = NULL;

  enumerator = g_file_enumerate_children_finish (G_FILE (source), result, &io_error);
  if (enumerator == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (G_FILE (source));

      deploy_fail (task, g_error_new (PA_ERROR,
                                      G_FILE (source) == data->root ? PA_ERROR_INVALID_INPUT
                                                                    : PA_ERROR_STORAGE,
                                      _("Could not open the folder %s (%s)"),
                                      name, io_error->message));
      return;
    }

  g_file_enumerator_next_files_async (enumerator, ENUMERATE_BATCH, G_PRIORITY_DEFAULT,
                                      data->cancellable, next_files_cb, g_object_ref (task));
}

static void
list_next_folder (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GFile) folder = g_queue_pop_head (&data->folders);

  if (folder == NULL)
    {
      folder_listed (task);
      return;
    }

  g_file_enumerate_children_async (folder,
                                   G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                   G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT,
                                   data->cancellable, enumerated_cb, g_object_ref (task));
}

static void
deploy_cancelled_cb (GCancellable *caller,
                     gpointer      cancellable)
{
  g_cancellable_cancel (cancellable);
}

void
pa_vercel_deploy_async (PaVercel             *self,
                        GFile                *folder,
                        const char           *name,
                        const char           *target,
                        JsonObject           *project_settings,
                        PaVercelProgressFunc  progress_func,
                        gpointer              progress_data,
                        GDestroyNotify        progress_destroy,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  pa_vercel_deploy_including_async (self, folder, name, target, project_settings, NULL,
                                    progress_func, progress_data, progress_destroy,
                                    cancellable, callback, user_data);
}

void
pa_vercel_deploy_including_async (PaVercel             *self,
                                  GFile                *folder,
                                  const char           *name,
                                  const char           *target,
                                  JsonObject           *project_settings,
                                  const char * const   *include,
                                  PaVercelProgressFunc  progress_func,
                                  gpointer              progress_data,
                                  GDestroyNotify        progress_destroy,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  DeployData *data;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (G_IS_FILE (folder));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_deploy_async);
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (DeployData, 1);
  data->root = g_object_ref (folder);
  data->name = g_strdup (name);
  data->target = g_strdup (target);
  data->project_settings = project_settings != NULL ? json_object_ref (project_settings) : NULL;
  data->progress_func = progress_func;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  data->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  data->include = g_strdupv ((char **) include);
  data->skipped = g_ptr_array_new_with_free_func (g_free);
  data->cancellable = g_cancellable_new ();
  g_queue_init (&data->folders);
  g_task_set_task_data (task, data, (GDestroyNotify) deploy_data_free);

  if (cancellable != NULL)
    {
      data->caller = g_object_ref (cancellable);
      data->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (deploy_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }

  if (name == NULL || *name == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               "%s", _("Give the deployment a name"));
      return;
    }

  g_queue_push_tail (&data->folders, g_object_ref (folder));
  list_next_folder (task);
}

PaVercelDeployment *
pa_vercel_deploy_finish (PaVercel      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char **
pa_vercel_deploy_dup_skipped (GAsyncResult *result)
{
  DeployData *data;
  GStrvBuilder *builder;
  char **skipped;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_vercel_deploy_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  builder = g_strv_builder_new ();
  for (guint i = 0; i < data->skipped->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (data->skipped, i));
  skipped = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return skipped;
}
