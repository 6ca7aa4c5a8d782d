/* pa-replicate-download.c — saving Replicate and Cog outputs into the media folder
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-limits.h"
#include "pa-replicate-download.h"

#define READ_CHUNK_SIZE   (64 * 1024)
/* Enough to sniff a type and read PNG and GIF headers. */
#define HEAD_SIZE         4096
#define MAX_STEM_CHARS    48
#define SHA_PREFIX_CHARS  12

G_DEFINE_BOXED_TYPE (PaReplicateAsset, pa_replicate_asset,
                     pa_replicate_asset_copy, pa_replicate_asset_free)

PaReplicateAsset *
pa_replicate_asset_copy (const PaReplicateAsset *self)
{
  PaReplicateAsset *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaReplicateAsset, 1);
  copy->path = g_strdup (self->path);
  copy->sha256 = g_strdup (self->sha256);
  copy->kind = g_strdup (self->kind);
  copy->content_type = g_strdup (self->content_type);
  copy->size = self->size;
  copy->width = self->width;
  copy->height = self->height;
  copy->asset_id = self->asset_id;
  return copy;
}

void
pa_replicate_asset_free (PaReplicateAsset *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->sha256);
  g_free (self->kind);
  g_free (self->content_type);
  g_free (self);
}

/* ---- which outputs are files -------------------------------------------- */

static gboolean
is_file_url (const char *value)
{
  return g_ascii_strncasecmp (value, "https://", 8) == 0 ||
         g_ascii_strncasecmp (value, "http://", 7) == 0 ||
         g_ascii_strncasecmp (value, "data:", 5) == 0;
}

/* Models answer with a URL, a list of them, or an object of named ones;
 * text outputs (a string or a list of tokens) are not files. */
static void
collect_urls (JsonNode  *node,
              GPtrArray *urls)
{
  if (node == NULL)
    return;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *value = json_node_get_string (node);

      if (is_file_url (value))
        g_ptr_array_add (urls, g_strdup (value));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_urls (json_array_get_element (array, i), urls);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        collect_urls (json_object_get_member (object, l->data), urls);
      g_list_free (members);
    }
}

/* ---- naming ------------------------------------------------------------- */

static const struct {
  const char *mime;
  const char *ext;
} known_types[] = {
  { "image/png", "png" },
  { "image/jpeg", "jpg" },
  { "image/webp", "webp" },
  { "image/gif", "gif" },
  { "image/svg+xml", "svg" },
  { "video/mp4", "mp4" },
  { "video/webm", "webm" },
  { "video/quicktime", "mov" },
  { "audio/wav", "wav" },
  { "audio/x-wav", "wav" },
  { "audio/mpeg", "mp3" },
  { "audio/ogg", "ogg" },
  { "audio/flac", "flac" },
  { "text/plain", "txt" },
  { "application/json", "json" },
  { "application/zip", "zip" },
};

/* The last path segment of an http(s) URL, unescaped; NULL for data:. */
static char *
url_basename (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *path;
  const char *slash;

  if (g_ascii_strncasecmp (url, "data:", 5) == 0)
    return NULL;

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_PATH, NULL);
  if (uri == NULL)
    return NULL;
  path = g_uri_get_path (uri);
  slash = strrchr (path, '/');
  if (slash != NULL)
    path = slash + 1;
  if (*path == '\0')
    return NULL;
  return g_uri_unescape_string (path, "/");
}

static char *
stem_of (const char *basename)
{
  GString *stem = g_string_new (NULL);
  const char *dot = basename != NULL ? strrchr (basename, '.') : NULL;
  gsize len = basename == NULL ? 0 : dot != NULL && dot != basename ? (gsize) (dot - basename)
                                                                      : strlen (basename);

  for (gsize i = 0; i < len && stem->len < MAX_STEM_CHARS; i++)
    {
      char c = basename[i];

      g_string_append_c (stem, g_ascii_isalnum (c) || c == '-' || c == '_' ? c : '_');
    }
  if (stem->len == 0)
    g_string_append (stem, "output");
  return g_string_free (stem, FALSE);
}

/* A short alphanumeric extension from the URL, else one for the type. */
static char *
extension_for (const char *basename,
               const char *content_type)
{
  const char *dot = basename != NULL ? strrchr (basename, '.') : NULL;

  if (dot != NULL && dot != basename)
    {
      gsize len = strlen (dot + 1);
      gboolean ok = len >= 1 && len <= 5;

      for (gsize i = 0; ok && i < len; i++)
        ok = g_ascii_isalnum (dot[1 + i]);
      if (ok)
        return g_ascii_strdown (dot + 1, -1);
    }

  for (guint i = 0; i < G_N_ELEMENTS (known_types); i++)
    {
      if (g_strcmp0 (content_type, known_types[i].mime) == 0)
        return g_strdup (known_types[i].ext);
    }
  return g_strdup ("bin");
}

static char *
bare_mime_type (const char *content_type)
{
  const char *semicolon;

  if (content_type == NULL || *content_type == '\0')
    return NULL;
  semicolon = strchr (content_type, ';');
  return g_strstrip (g_ascii_strdown (content_type, semicolon != NULL ? semicolon - content_type : -1));
}

static const char *
kind_for (const char *content_type)
{
  if (g_str_has_prefix (content_type, "image/"))
    return "image";
  if (g_str_has_prefix (content_type, "video/"))
    return "video";
  if (g_str_has_prefix (content_type, "audio/"))
    return "audio";
  return "file";
}

/* PNG's IHDR and GIF's logical screen give the size in the first bytes;
 * other formats are left for the image code to measure. */
static void
read_image_size (const guint8 *head,
                 gsize         len,
                 int          *width,
                 int          *height)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  *width = *height = 0;

  if (len >= 24 && memcmp (head, png_signature, 8) == 0 && memcmp (head + 12, "IHDR", 4) == 0)
    {
      guint32 w = (guint32) head[16] << 24 | (guint32) head[17] << 16 | (guint32) head[18] << 8 | head[19];
      guint32 h = (guint32) head[20] << 24 | (guint32) head[21] << 16 | (guint32) head[22] << 8 | head[23];

      if (w > 0 && h > 0 && w <= G_MAXINT && h <= G_MAXINT)
        {
          *width = (int) w;
          *height = (int) h;
        }
    }
  else if (len >= 10 && (memcmp (head, "GIF87a", 6) == 0 || memcmp (head, "GIF89a", 6) == 0))
    {
      *width = head[6] | head[7] << 8;
      *height = head[8] | head[9] << 8;
    }
}

/* ---- one download after the other --------------------------------------- */

typedef struct {
  GPtrArray          *urls;
  guint               index;
  char               *media_dir;
  PaStore            *store;
  char               *run_id;
  guint64             max_bytes;        /* per output */
  guint64             max_total_bytes;  /* all outputs together */
  guint64             total;
  GPtrArray          *assets;

  /* The output being saved. */
  char               *basename;
  char               *content_type;
  GInputStream       *in;
  GFile              *tmp;
  GFileOutputStream  *out;
  GBytes             *chunk;
  GChecksum          *checksum;
  GByteArray         *head;
  guint64             size;
} DownloadData;

static void
download_data_reset_item (DownloadData *data)
{
  g_clear_pointer (&data->basename, g_free);
  g_clear_pointer (&data->content_type, g_free);
  g_clear_object (&data->in);
  g_clear_object (&data->tmp);
  g_clear_object (&data->out);
  g_clear_pointer (&data->chunk, g_bytes_unref);
  g_clear_pointer (&data->checksum, g_checksum_free);
  g_clear_pointer (&data->head, g_byte_array_unref);
  data->size = 0;
}

static void
download_data_free (DownloadData *data)
{
  download_data_reset_item (data);
  g_ptr_array_unref (data->urls);
  g_free (data->media_dir);
  g_clear_object (&data->store);
  g_free (data->run_id);
  g_ptr_array_unref (data->assets);
  g_free (data);
}

static const char *
current_url_for_humans (DownloadData *data)
{
  const char *url = data->urls->pdata[data->index];

  /* A data: URL can be megabytes of base64. */
  return g_ascii_strncasecmp (url, "data:", 5) == 0 ? _("an inline (data:) output") : url;
}

/* Ends the whole download with @error (taken); the partial file goes. */
static void
fail (GTask  *task,
      GError *error)
{
  DownloadData *data = g_task_get_task_data (task);

  if (data->out != NULL)
    g_output_stream_close (G_OUTPUT_STREAM (data->out), NULL, NULL);
  if (data->tmp != NULL)
    g_file_delete (data->tmp, NULL, NULL);
  download_data_reset_item (data);

  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
fail_io (GTask      *task,
         GError     *io_error,
         gboolean    writing)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) owned = io_error;
  GError *error;

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    error = g_error_new (PA_ERROR, PA_ERROR_CANCELLED,
                         _("The download of %s was cancelled"), current_url_for_humans (data));
  else if (writing)
    error = g_error_new (PA_ERROR, PA_ERROR_STORAGE,
                         _("Cannot save %s in %s: %s"), current_url_for_humans (data),
                         data->media_dir, io_error->message);
  else
    /* The transport already says what happened (a silent or broken
     * connection, a deadline): keep its class. */
    error = g_error_new (PA_ERROR,
                         io_error->domain == PA_ERROR ? io_error->code : PA_ERROR_CONNECTION_LOST,
                         _("The download of %s stopped: %s"),
                         current_url_for_humans (data), io_error->message);
  fail (task, error);
}

static char *
format_limit (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static void
fail_too_large (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autofree char *limit = format_limit (data->max_bytes);

  fail (task, g_error_new (PA_ERROR, PA_ERROR_PROTOCOL,
                           _("%s is larger than the %s allowed for one output; it was not saved"),
                           current_url_for_humans (data), limit));
}

static void
fail_total_too_large (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autofree char *limit = format_limit (data->max_total_bytes);

  fail (task, g_error_new (PA_ERROR, PA_ERROR_PROTOCOL,
                           _("The outputs of this prediction are larger than the %s allowed "
                             "in all; %s was not saved"),
                           limit, current_url_for_humans (data)));
}

static gboolean
insert_asset (DownloadData      *data,
              PaReplicateAsset  *asset,
              GError           **error)
{
  /* The same bytes saved again land on the same name: keep one row. */
  asset->asset_id = pa_store_add_asset (data->store, asset->kind, asset->path, asset->sha256,
                                        asset->width, asset->height, data->run_id, error);
  return asset->asset_id != 0;
}

static void start_item (GTask *task);

static void
finish_item (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(PaReplicateAsset) asset = g_new0 (PaReplicateAsset, 1);
  g_autofree char *mime = bare_mime_type (data->content_type);
  g_autofree char *stem = NULL;
  g_autofree char *ext = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) final = NULL;
  GError *error = NULL;

  asset->sha256 = g_strdup (g_checksum_get_string (data->checksum));
  asset->size = data->size;

  /* A generic or missing type says nothing: look at the name and bytes. */
  if (mime == NULL || g_str_equal (mime, "application/octet-stream") ||
      g_str_equal (mime, "binary/octet-stream"))
    {
      g_autofree char *guessed = g_content_type_guess (data->basename, data->head->data,
                                                       data->head->len, NULL);

      g_free (mime);
      mime = g_content_type_get_mime_type (guessed);
      if (mime == NULL)
        mime = g_strdup ("application/octet-stream");
    }
  asset->content_type = g_strdup (mime);
  asset->kind = g_strdup (kind_for (mime));
  read_image_size (data->head->data, data->head->len, &asset->width, &asset->height);

  stem = stem_of (data->basename);
  ext = extension_for (data->basename, mime);
  name = g_strdup_printf ("%s-%.*s.%s", stem, SHA_PREFIX_CHARS, asset->sha256, ext);
  final = g_file_new_build_filename (data->media_dir, name, NULL);
  asset->path = g_file_get_path (final);

  /* Same directory: a rename, atomic, so no half file ever has the name. */
  if (!g_file_move (data->tmp, final, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    NULL, NULL, NULL, &error))
    {
      fail_io (task, error, TRUE);
      return;
    }
  g_clear_object (&data->tmp);

  if (data->store != NULL && !insert_asset (data, asset, &error))
    {
      fail (task, error);
      return;
    }

  g_debug ("Saved a Replicate output: %s (%" G_GUINT64_FORMAT " bytes)", asset->path, asset->size);
  g_ptr_array_add (data->assets, g_steal_pointer (&asset));
  download_data_reset_item (data);
  data->index++;
  start_item (task);
}

static void read_next (GTask *task);

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      fail_io (task, error, TRUE);
      return;
    }
  finish_item (task);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      fail_io (task, error, TRUE);
      return;
    }
  g_clear_pointer (&data->chunk, g_bytes_unref);
  read_next (task);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  GError *error = NULL;
  const guint8 *bytes;
  gsize len;

  data->chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (data->chunk == NULL)
    {
      fail_io (task, error, FALSE);
      return;
    }

  bytes = g_bytes_get_data (data->chunk, &len);
  if (len == 0)
    {
      g_output_stream_close_async (G_OUTPUT_STREAM (data->out), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), closed_cb, task);
      return;
    }

  data->size += len;
  data->total += len;
  if (data->size > data->max_bytes)
    {
      fail_too_large (task);
      return;
    }
  if (data->total > data->max_total_bytes)
    {
      fail_total_too_large (task);
      return;
    }

  g_checksum_update (data->checksum, bytes, len);
  if (data->head->len < HEAD_SIZE)
    g_byte_array_append (data->head, bytes, MIN (len, HEAD_SIZE - data->head->len));

  g_output_stream_write_all_async (G_OUTPUT_STREAM (data->out), bytes, len, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), written_cb, task);
}

static void
read_next (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->in, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->out = g_file_create_finish (G_FILE (source), result, &error);
  if (data->out == NULL)
    {
      /* Nothing was created: do not delete someone else's file. */
      g_clear_object (&data->tmp);
      fail_io (task, error, TRUE);
      return;
    }
  read_next (task);
}

/* Streams data->in to a new hidden file in the media folder. */
static void
save_stream (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autofree char *name = g_strdup_printf (".download-%08x%08x.part",
                                           g_random_int (), g_random_int ());

  data->tmp = g_file_new_build_filename (data->media_dir, name, NULL);
  data->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  data->head = g_byte_array_sized_new (HEAD_SIZE);
  g_file_create_async (data->tmp, G_FILE_CREATE_NONE, G_PRIORITY_DEFAULT,
                       g_task_get_cancellable (task), created_cb, task);
}

static void
stream_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpResponse) response = NULL;
  GError *error = NULL;
  const char *length;

  response = pa_http_send_stream_finish (PA_HTTP (source), result, &error);
  if (response == NULL)
    {
      fail (task, error);
      return;
    }
  if (!pa_http_response_check (response, &error))
    {
      fail (task, error);
      return;
    }

  length = pa_http_response_get_header (response, "Content-Length");
  if (length != NULL)
    {
      guint64 declared = g_ascii_strtoull (length, NULL, 10);

      if (declared > data->max_bytes)
        {
          fail_too_large (task);
          return;
        }
      if (declared > data->max_total_bytes - data->total)
        {
          fail_total_too_large (task);
          return;
        }
    }

  data->content_type = g_strdup (pa_http_response_get_content_type (response));
  data->in = g_object_ref (pa_http_response_get_stream (response));
  save_stream (task);
}

static gboolean
host_is_replicates (const char *host,
                    const char *base_host)
{
  if (host == NULL)
    return FALSE;
  return (base_host != NULL && g_ascii_strcasecmp (host, base_host) == 0) ||
         g_ascii_strcasecmp (host, "replicate.delivery") == 0 ||
         (strlen (host) > strlen (".replicate.delivery") &&
          g_ascii_strcasecmp (host + strlen (host) - strlen (".replicate.delivery"),
                              ".replicate.delivery") == 0);
}

static PaHttpRequest *
download_request (PaReplicate *self,
                  const char  *url,
                  guint64      max_bytes)
{
  PaPlatform *platform = PA_PLATFORM (self);
  const char *base_url = pa_platform_get_base_url (platform);
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) base = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  gboolean keyed = FALSE;
  PaHttpRequest *request;

  /* Replicate's file URLs want the key; nobody else gets it, and it
   * never goes in clear to another machine: over plain http only to a
   * loopback host, or to the account's own base URL, which its owner
   * chose knowingly. */
  if (pa_replicate_get_mode (self) != PA_REPLICATE_MODE_COG && uri != NULL &&
      host_is_replicates (g_uri_get_host (uri), base != NULL ? g_uri_get_host (base) : NULL))
    keyed = pa_http_url_is_safe_for_credentials (url) || pa_http_url_same_origin (url, base_url);

  if (keyed)
    request = pa_platform_new_request (platform, "GET", url);
  else
    request = pa_http_request_new ("GET", base_url, url);

  /* The transport's own limit is for JSON answers: a declared length
   * over it must not refuse a file within this one. */
  pa_http_request_set_max_response_size (request, (gsize) MIN (max_bytes, (guint64) G_MAXSIZE));
  pa_http_request_set_deadline (request, PA_LIMIT_DOWNLOAD_DEADLINE_SECONDS);
  return request;
}

static void
start_item (GTask *task)
{
  PaReplicate *self = g_task_get_source_object (task);
  DownloadData *data = g_task_get_task_data (task);
  const char *url;

  if (data->index >= data->urls->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->assets),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  url = data->urls->pdata[data->index];

  if (g_ascii_strncasecmp (url, "data:", 5) == 0)
    {
      g_autoptr(GBytes) bytes = NULL;
      char *content_type = NULL;

      bytes = soup_uri_decode_data_uri (url, &content_type);
      if (bytes == NULL)
        {
          g_free (content_type);
          fail (task, g_error_new_literal (PA_ERROR, PA_ERROR_PROTOCOL,
                                           _("An output is a data: URL that cannot be read")));
          return;
        }
      data->content_type = content_type;
      if (g_bytes_get_size (bytes) > data->max_bytes)
        {
          fail_too_large (task);
          return;
        }
      data->in = g_memory_input_stream_new_from_bytes (bytes);
      save_stream (task);
      return;
    }

  {
    g_autoptr(PaHttpRequest) request = download_request (self, url, data->max_bytes);

    data->basename = url_basename (url);
    pa_http_send_stream_async (pa_platform_get_http (PA_PLATFORM (self)), request,
                               g_task_get_cancellable (task), stream_cb, task);
  }
}

void
pa_replicate_download_outputs_async (PaReplicate         *self,
                                     JsonNode            *output,
                                     const char          *media_dir,
                                     PaStore             *store,
                                     const char          *run_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  DownloadData *data;
  guint64 ratio;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (media_dir != NULL);
  g_return_if_fail (store == NULL || PA_IS_STORE (store));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_download_outputs_async);
  /* Errors, cancellation included, are reported with what they mean. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (DownloadData, 1);
  data->urls = g_ptr_array_new_with_free_func (g_free);
  data->media_dir = g_strdup (media_dir);
  data->store = store != NULL ? g_object_ref (store) : NULL;
  data->run_id = g_strdup (run_id);
  data->max_bytes = pa_replicate_get_max_download_size (self);
  /* All outputs together may take as many times one output's limit as
   * the defaults allow, so that lowering one lowers both. */
  ratio = PA_LIMIT_REPLICATE_TOTAL_BYTES / PA_LIMIT_REPLICATE_OUTPUT_BYTES;
  data->max_total_bytes = data->max_bytes > PA_LIMIT_REPLICATE_TOTAL_BYTES / ratio
                          ? PA_LIMIT_REPLICATE_TOTAL_BYTES : data->max_bytes * ratio;
  data->assets = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_replicate_asset_free);
  g_task_set_task_data (task, data, (GDestroyNotify) download_data_free);

  collect_urls (output, data->urls);

  if (data->urls->len > PA_LIMIT_REPLICATE_OUTPUTS)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("The prediction produced %u files, more than the %d that are "
                                 "saved from one prediction; none was saved"),
                               data->urls->len, PA_LIMIT_REPLICATE_OUTPUTS);
      g_object_unref (task);
      return;
    }

  /* Private, like the rest of the media folder. */
  if (data->urls->len > 0 && g_mkdir_with_parents (media_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, PA_ERROR, PA_ERROR_STORAGE,
                               _("Cannot create the media folder %s: %s"),
                               media_dir, g_strerror (saved_errno));
      g_object_unref (task);
      return;
    }

  start_item (task);
}

GPtrArray *
pa_replicate_download_outputs_finish (PaReplicate   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
