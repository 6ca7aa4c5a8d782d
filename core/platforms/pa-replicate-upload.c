/* pa-replicate-upload.c — uploading files for prediction inputs
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-replicate.h"
#include "pa-replicate-private.h"

#define MAX_FILENAME_BYTES   255

/* ---- file upload -------------------------------------------------------- */

typedef struct {
  GBytes *bytes;
  char   *filename;
  char   *content_type;
} UploadData;

static void
upload_data_free (UploadData *data)
{
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data->filename);
  g_free (data->content_type);
  g_free (data);
}

static char *
sha256_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) json = NULL;
  PaReplicateFile *file = NULL;
  GError *error = NULL;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json != NULL)
    file = pa_replicate_file_new_from_json (json, &error);
  if (file == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, file, (GDestroyNotify) pa_replicate_file_free);
}

static void
upload_with_mode (PaReplicate *self,
                  GTask       *task)
{
  UploadData *data = g_task_get_task_data (task);
  g_autoptr(SoupMultipart) multipart = NULL;
  g_autoptr(PaHttpRequest) request = NULL;
  SoupMessageHeaders *headers;
  g_autoptr(GBytes) body = NULL;
  const char *content_type;

  if (pa_replicate_is_cog (self))
    {
      /* Cog reads file inputs from URLs, data: URLs included. */
      PaReplicateFile *file = g_new0 (PaReplicateFile, 1);
      g_autofree char *base64 = g_base64_encode (g_bytes_get_data (data->bytes, NULL),
                                                 g_bytes_get_size (data->bytes));

      file->url = g_strdup_printf ("data:%s;base64,%s", data->content_type, base64);
      file->content_type = g_strdup (data->content_type);
      file->size = (gint64) g_bytes_get_size (data->bytes);
      file->sha256 = sha256_hex (data->bytes);
      g_task_return_pointer (task, file, (GDestroyNotify) pa_replicate_file_free);
      g_object_unref (task);
      return;
    }

  multipart = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  soup_multipart_append_form_file (multipart, "content", data->filename,
                                   data->content_type, data->bytes);
  soup_multipart_append_form_string (multipart, "filename", data->filename);
  soup_multipart_append_form_string (multipart, "type", data->content_type);

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_multipart_to_message (multipart, headers, &body);
  /* The boundary is in the full header value, not in the bare type. */
  content_type = soup_message_headers_get_one (headers, "Content-Type");

  request = pa_replicate_new_request (self, "POST", "/files");
  pa_http_request_set_body (request, body, content_type);
  pa_http_request_set_max_attempts (request, 1);
  soup_message_headers_unref (headers);

  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               upload_cb, task);
}

/* At most 255 bytes of valid UTF-8, cut between characters. */
static char *
clean_filename (const char *filename)
{
  g_autofree char *valid = g_utf8_make_valid (filename, -1);
  const char *end = valid;

  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if ((gsize) (next - valid) > MAX_FILENAME_BYTES)
        break;
      end = next;
    }
  return g_strndup (valid, end - valid);
}

static void
upload_start (PaReplicate *self,
              GTask       *task,
              GBytes      *bytes,
              const char  *filename,
              const char  *content_type)
{
  UploadData *data;

  if (g_bytes_get_size (bytes) > PA_REPLICATE_MAX_UPLOAD)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is larger than Replicate accepts (100 MB)"), filename);
      g_object_unref (task);
      return;
    }

  data = g_new0 (UploadData, 1);
  data->bytes = g_bytes_ref (bytes);
  data->filename = clean_filename (filename);
  if (content_type != NULL && *content_type != '\0')
    {
      data->content_type = g_strdup (content_type);
    }
  else
    {
      g_autofree char *guessed = g_content_type_guess (filename, g_bytes_get_data (bytes, NULL),
                                                       g_bytes_get_size (bytes), NULL);

      data->content_type = g_content_type_get_mime_type (guessed);
      if (data->content_type == NULL)
        data->content_type = g_strdup ("application/octet-stream");
    }
  g_task_set_task_data (task, data, (GDestroyNotify) upload_data_free);

  pa_replicate_with_mode (self, task, upload_with_mode);
}

void
pa_replicate_upload_bytes_async (PaReplicate         *self,
                                 GBytes              *bytes,
                                 const char          *filename,
                                 const char          *content_type,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (bytes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_upload_bytes_async);

  if (filename == NULL || *filename == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A file to upload needs a name"));
      g_object_unref (task);
      return;
    }

  upload_start (self, task, bytes, filename, content_type);
}

PaReplicateFile *
pa_replicate_upload_bytes_finish (PaReplicate   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GFile *file;
  char  *content_type;
} UploadFileData;

static void
upload_file_data_free (UploadFileData *data)
{
  g_clear_object (&data->file);
  g_free (data->content_type);
  g_free (data);
}

static void
upload_file_set_error (GTask  *task,
                       GFile  *file,
                       GError *error)
{
  g_autofree char *name = g_file_get_parse_name (file);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                             _("The upload of “%s” was cancelled"), name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                             _("Cannot upload “%s”: there is no such file"), name);
  else
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_STORAGE,
                             _("Cannot read “%s” to upload it: %s"), name, error->message);
}

static void
upload_file_loaded_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  UploadFileData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *content_type = NULL;
  PaReplicate *self = g_task_get_source_object (task);

  bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (bytes == NULL)
    {
      upload_file_set_error (task, G_FILE (source), error);
      g_object_unref (task);
      return;
    }

  basename = g_file_get_basename (data->file);
  content_type = g_strdup (data->content_type);
  /* upload_start replaces the task data. */
  upload_start (self, task, bytes, basename, content_type);
}

static void
upload_file_info_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *name = g_file_get_parse_name (G_FILE (source));

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (info == NULL)
    {
      upload_file_set_error (task, G_FILE (source), error);
      g_object_unref (task);
      return;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("Cannot upload “%s”: it is not a regular file"), name);
      g_object_unref (task);
      return;
    }
  if (g_file_info_get_size (info) > PA_REPLICATE_MAX_UPLOAD)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is larger than Replicate accepts (100 MB)"), name);
      g_object_unref (task);
      return;
    }

  g_file_load_bytes_async (G_FILE (source), g_task_get_cancellable (task),
                           upload_file_loaded_cb, task);
}

void
pa_replicate_upload_file_async (PaReplicate         *self,
                                GFile               *file,
                                const char          *content_type,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  UploadFileData *data;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_upload_file_async);

  data = g_new0 (UploadFileData, 1);
  data->file = g_object_ref (file);
  data->content_type = g_strdup (content_type);
  g_task_set_task_data (task, data, (GDestroyNotify) upload_file_data_free);

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, cancellable,
                           upload_file_info_cb, task);
}

PaReplicateFile *
pa_replicate_upload_file_finish (PaReplicate   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
