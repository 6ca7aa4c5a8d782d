/* test-face-swap-cloud.c — the cloud face swap: a model's fields read from
 * its schema, and whole runs against Replicate's contract (Prism), a
 * scripted Replicate and Cog peer (tests/peers/face-swap-peer.mjs) and a
 * port where nothing listens
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-face-swap-cloud.h"
#include "pa-http.h"
#include "pa-image-file.h"
#include "pa-keyring-credentials.h"
#include "pa-replicate.h"
#include "pa-secrets.h"

#include "pa-test-keyring.h"
#include "pa-test-peer.h"
#include "pa-test-photos.h"

#define API_KEY    "r8_TEST_face_swap_5d1c"
#define FACE_PHOTO "grace_hopper.jpg"
#define PICTURE    "astronaut.png"

/* ---- the keyring and the peers, shared by every case that needs them ---- */

static PaTestKeyring *keyring;
static PaSecrets *secrets;
static PaTestPeer *peer;
static PaTestPeer *prism;

static gboolean
need_keyring (void)
{
  g_autoptr(GError) error = NULL;

  if (keyring != NULL)
    return TRUE;

  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return FALSE;

  secrets = pa_secrets_new ();
  pa_secrets_store_sync (secrets, "replicate", "default", "api-key", API_KEY, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static gboolean
need_peer (void)
{
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return FALSE;
  if (peer != NULL)
    return TRUE;

  peer = pa_test_node_peer_start ("face-swap-peer.mjs", NULL, &error);
  return pa_test_require_no_error (error) && peer != NULL;
}

static gboolean
need_prism (void)
{
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return FALSE;
  if (prism != NULL)
    return TRUE;

  prism = pa_test_prism_start ("replicate.json", &error);
  return pa_test_require_no_error (error) && prism != NULL;
}

static PaHttp *
http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  pa_http_set_backoff (http, 100, 500);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* A client of @base_url (the peer's /v1 or /cog, or Prism). */
static PaReplicate *
client_new (PaHttp     *http,
            const char *profile,
            const char *base_url)
{
  PaReplicate *client = pa_replicate_new (http, profile, base_url);

  pa_replicate_set_poll_interval (client, 50, 200);
  return client;
}

static char *
peer_url (const char *path)
{
  return g_strconcat (pa_test_peer_get_url (peer), path, NULL);
}

static JsonNode *
peer_effects (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = peer_url ("/__peer/effects");
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  node = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static JsonArray *
effects_list (JsonNode   *effects,
              const char *name)
{
  return json_object_get_array_member (json_node_get_object (effects), name);
}

/* No request so far broke the contract. */
static void
assert_nothing_rejected (void)
{
  g_autoptr(JsonNode) effects = peer_effects ();
  JsonArray *rejected = effects_list (effects, "rejected");

  if (json_array_get_length (rejected) > 0)
    {
      g_autofree char *text = json_to_string (json_array_get_element (rejected, 0), FALSE);

      g_error ("The peer refused a request: %s (log: %s)", text, pa_test_peer_get_log_path (peer));
    }
}

/* ---- files --------------------------------------------------------------- */

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-face-swap-cloud-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in @dir, sorted, joined by spaces: what a run left there. */
static char *
dir_listing (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static GFile *
photo (const char *name)
{
  g_autofree char *path = pa_test_photo_path (name);

  return path != NULL ? g_file_new_for_path (path) : NULL;
}

static char *
sha256_of (GFile *file)
{
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, NULL);

  g_assert_nonnull (bytes);
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* A few bytes an MP4 starts with: the cloud engine sends a video as it
 * is, so what it holds is the model's business. */
static GFile *
write_video (const char *dir)
{
  static const guint8 mp4[] = {
    0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0,
    'i', 's', 'o', 'm', 'm', 'p', '4', '2', 0, 0, 0, 0x10, 'm', 'd', 'a', 't',
    1, 2, 3, 4, 5, 6, 7, 8,
  };
  g_autofree char *path = g_build_filename (dir, "clip.mp4", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) mp4, sizeof mp4, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
assert_same_pixels (GFile *a,
                    GFile *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pa = pa_image_file_load (a, NULL, &error);
  g_autoptr(GdkPixbuf) pb = NULL;
  int width, height, channels;

  g_assert_no_error (error);
  pb = pa_image_file_load (b, NULL, &error);
  g_assert_no_error (error);

  width = gdk_pixbuf_get_width (pa);
  height = gdk_pixbuf_get_height (pa);
  channels = gdk_pixbuf_get_n_channels (pa);
  g_assert_cmpint (gdk_pixbuf_get_width (pb), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pb), ==, height);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (pb), ==, channels);
  for (int y = 0; y < height; y++)
    g_assert_cmpmem (gdk_pixbuf_read_pixels (pa) + (gsize) y * gdk_pixbuf_get_rowstride (pa),
                     (gsize) width * channels,
                     gdk_pixbuf_read_pixels (pb) + (gsize) y * gdk_pixbuf_get_rowstride (pb),
                     (gsize) width * channels);
}

/* ---- running a swap ------------------------------------------------------ */

typedef struct {
  GArray       *stages;     /* PaMediaStage */
  GArray       *fractions;  /* double */
  GPtrArray    *messages;   /* "stage: message" */
  GCancellable *cancellable;
  const char   *cancel_at;  /* cancel at the first WAITING message starting with this */
} Progress;

static void
progress_clear (Progress *progress)
{
  g_clear_pointer (&progress->stages, g_array_unref);
  g_clear_pointer (&progress->fractions, g_array_unref);
  g_clear_pointer (&progress->messages, g_ptr_array_unref);
  g_clear_object (&progress->cancellable);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Progress, progress_clear)

static void
progress_init (Progress *progress)
{
  progress->stages = g_array_new (FALSE, FALSE, sizeof (PaMediaStage));
  progress->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  progress->messages = g_ptr_array_new_with_free_func (g_free);
  progress->cancellable = g_cancellable_new ();
}

static void
record_progress (const PaMediaProgress *report,
                 gpointer               user_data)
{
  Progress *progress = user_data;

  g_array_append_val (progress->stages, report->stage);
  g_array_append_val (progress->fractions, report->fraction);
  g_ptr_array_add (progress->messages,
                   g_strdup_printf ("%s: %s", pa_media_stage_to_string (report->stage),
                                    report->message != NULL ? report->message : ""));
  if (progress->cancel_at != NULL && report->stage == PA_MEDIA_STAGE_WAITING &&
      report->message != NULL && g_str_has_prefix (report->message, progress->cancel_at))
    g_cancellable_cancel (progress->cancellable);
}

static gboolean
progress_has_stage (Progress     *progress,
                    PaMediaStage  stage)
{
  for (guint i = 0; i < progress->stages->len; i++)
    {
      if (g_array_index (progress->stages, PaMediaStage, i) == stage)
        return TRUE;
    }
  return FALSE;
}

static gboolean
progress_has_message (Progress   *progress,
                      const char *message)
{
  for (guint i = 0; i < progress->messages->len; i++)
    {
      if (g_str_equal (progress->messages->pdata[i], message))
        return TRUE;
    }
  return FALSE;
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Runs a swap to the end on this thread's main loop. */
static GFile *
swap_sync (PaFaceSwapCloud  *engine,
           GFile            *face,
           GFile            *target,
           GFile            *output,
           Progress         *progress,
           int              *width,
           int              *height,
           GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_face_swap_cloud_run_async (engine, face, target, output,
                                progress != NULL ? record_progress : NULL, progress, NULL,
                                progress != NULL ? progress->cancellable : NULL,
                                got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return pa_face_swap_cloud_run_finish (engine, result, width, height, error);
}

static PaFaceSwapCloudModel *
describe_sync (PaFaceSwapCloud  *engine,
               GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_face_swap_cloud_describe_async (engine, NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return pa_face_swap_cloud_describe_finish (engine, result, error);
}

/* ---- a model's fields, from its schema ----------------------------------- */

/* A model object as GET /models/{owner}/{name} sends it, its Input
 * written as Cog writes it; @properties is the Input's properties. */
static PaReplicateModel *
model_from_schema (const char *name,
                   const char *properties,
                   const char *required,
                   gboolean    official)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  PaReplicateModel *model;
  g_auto(GStrv) parts = g_strsplit (name, "/", 2);

  json = g_strdup_printf ("{\"owner\": \"%s\", \"name\": \"%s\", \"is_official\": %s,"
                          " \"latest_version\": {\"id\": \"%064d\", \"openapi_schema\": {"
                          "  \"components\": {\"schemas\": {\"Input\": {\"type\": \"object\","
                          "   \"required\": [%s], \"properties\": {%s}}}}}}}",
                          parts[0], parts[1], official ? "true" : "false", 7, required, properties);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  model = pa_replicate_model_new_from_json (node, FALSE, &error);
  g_assert_no_error (error);
  return model;
}

#define URI(title, description, order) \
  "{\"type\": \"string\", \"format\": \"uri\", \"title\": \"" title "\", \"description\": \"" \
  description "\", \"x-order\": " #order "}"

static const char *face_swap_properties =
  "\"input_image\": " URI ("Input Image", "Target image", 0) ","
  "\"swap_image\": " URI ("Swap Image", "Swap image", 1);

static void
test_model_default (void)
{
  g_autoptr(PaReplicateModel) model = NULL;
  g_autoptr(PaFaceSwapCloudModel) described = NULL;
  g_autoptr(GError) error = NULL;

  model = model_from_schema ("cdingram/face-swap", face_swap_properties,
                             "\"input_image\", \"swap_image\"", FALSE);
  described = pa_face_swap_cloud_model_new (model, PA_FACE_SWAP_CLOUD_DEFAULT_MODEL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (described->model, ==, "cdingram/face-swap");
  g_assert_cmpstr (described->face_field, ==, "swap_image");
  g_assert_cmpstr (described->picture_field, ==, "input_image");
  g_assert_cmpstr (described->version, ==,
                   "cdingram/face-swap:0000000000000000000000000000000000000000000000000000000000000007");
  g_assert_cmpuint (g_strv_length (described->file_inputs), ==, 2);
  g_assert_cmpstr (described->file_inputs[0], ==, "input_image");
  g_assert_cmpstr (described->file_inputs[1], ==, "swap_image");
  /* Nothing in its inputs says video. */
  g_assert_false (described->takes_video);
  g_clear_pointer (&described, pa_face_swap_cloud_model_free);

  /* An official model runs by its own endpoint, without a version. */
  g_clear_pointer (&model, pa_replicate_model_free);
  model = model_from_schema ("cdingram/face-swap", face_swap_properties, "", TRUE);
  described = pa_face_swap_cloud_model_new (model, PA_FACE_SWAP_CLOUD_DEFAULT_MODEL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (described->version);
  g_clear_pointer (&described, pa_face_swap_cloud_model_free);

  /* Its fields are known even where no schema is shown… */
  {
    g_autoptr(JsonNode) node = json_from_string ("{\"owner\": \"cdingram\", \"name\": \"face-swap\","
                                                 " \"latest_version\": {}}", NULL);
    g_autoptr(PaReplicateModel) bare = pa_replicate_model_new_from_json (node, FALSE, &error);

    g_assert_no_error (error);
    described = pa_face_swap_cloud_model_new (bare, PA_FACE_SWAP_CLOUD_DEFAULT_MODEL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (described->face_field, ==, "swap_image");
    g_assert_cmpstr (described->picture_field, ==, "input_image");
    g_assert_null (described->version);
    g_assert_cmpuint (g_strv_length (described->file_inputs), ==, 0);
    g_clear_pointer (&described, pa_face_swap_cloud_model_free);
  }

  /* …but a schema that has lost them is not trusted blindly. */
  g_clear_pointer (&model, pa_replicate_model_free);
  model = model_from_schema ("cdingram/face-swap",
                             "\"image\": " URI ("Image", "Target image", 0) ","
                             "\"face\": " URI ("Face", "Face", 1), "", FALSE);
  described = pa_face_swap_cloud_model_new (model, PA_FACE_SWAP_CLOUD_DEFAULT_MODEL, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (described);
  g_assert_nonnull (strstr (error->message, "swap_image"));
  g_assert_nonnull (strstr (error->message, "its file inputs are image, face"));
}

static void
test_model_inferred (void)
{
  static const struct {
    const char *properties;
    const char *face;
    const char *picture;
    gboolean    video;
  } cases[] = {
    /* By name. */
    { "\"source_image\": " URI ("Source Image", "", 0) ","
      "\"target_image\": " URI ("Target Image", "", 1), "source_image", "target_image", FALSE },
    /* camelCase names, the picture a video. */
    { "\"targetVideo\": " URI ("", "", 0) ","
      "\"sourceFace\": " URI ("", "", 1), "sourceFace", "targetVideo", TRUE },
    /* Generic names, decided by their titles. */
    { "\"a\": " URI ("Face", "", 0) ","
      "\"b\": " URI ("Photo", "", 1), "a", "b", FALSE },
    /* Decided by descriptions, one of which says video. */
    { "\"portrait\": " URI ("Portrait", "The face to use", 0) ","
      "\"canvas\": " URI ("Canvas", "The scene or video to put it in", 1) ","
      "\"blend\": {\"type\": \"number\", \"default\": 0.5}", "portrait", "canvas", TRUE },
    /* The weak word "image" gives way where "face" is said. */
    { "\"face_image\": " URI ("", "", 0) ","
      "\"image\": " URI ("", "", 1), "face_image", "image", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaReplicateModel) model = model_from_schema ("someone/swapper", cases[i].properties,
                                                             "", FALSE);
      g_autoptr(PaFaceSwapCloudModel) described = NULL;
      g_autoptr(GError) error = NULL;

      described = pa_face_swap_cloud_model_new (model, "someone/swapper", NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (described->face_field, ==, cases[i].face);
      g_assert_cmpstr (described->picture_field, ==, cases[i].picture);
      g_assert_cmpint (described->takes_video, ==, cases[i].video);
    }

  /* A Cog server's model has no name and no version. */
  {
    g_autoptr(PaReplicateModel) model = model_from_schema ("cog/server", face_swap_properties, "", FALSE);
    g_autoptr(PaFaceSwapCloudModel) described = NULL;
    g_autoptr(GError) error = NULL;

    described = pa_face_swap_cloud_model_new (model, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (described->model);
    g_assert_null (described->version);
    g_assert_cmpstr (described->face_field, ==, "swap_image");
    g_assert_cmpstr (described->picture_field, ==, "input_image");
  }
}

static void
test_model_ambiguous (void)
{
  static const char *ambiguous[] = {
    /* Three file inputs. */
    "\"image_a\": " URI ("Image A", "A picture", 0) ","
    "\"image_b\": " URI ("Image B", "Another picture", 1) ","
    "\"mask\": " URI ("Mask", "Where to blend", 2),
    /* Two faces. */
    "\"face_a\": " URI ("", "", 0) ",\"face_b\": " URI ("", "", 1),
    /* Words for both sides in one name. */
    "\"input_face\": " URI ("", "", 0) ","
    "\"photo\": " URI ("Photo", "The image to put the face on", 1),
    /* One file input only. */
    "\"image\": " URI ("Image", "", 0) ",\"prompt\": {\"type\": \"string\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ambiguous); i++)
    {
      g_autoptr(PaReplicateModel) model = model_from_schema ("someone/swapper", ambiguous[i], "", FALSE);
      g_autoptr(PaFaceSwapCloudModel) described = NULL;
      g_autoptr(GError) error = NULL;

      described = pa_face_swap_cloud_model_new (model, "someone/swapper", NULL, NULL, &error);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_null (described);
      g_assert_nonnull (strstr (error->message, "“someone/swapper”"));
      /* How to say which is which. */
      g_assert_nonnull (strstr (error->message, "--face-field"));
      g_assert_nonnull (strstr (error->message, "--picture-field"));
      if (i == 0)
        g_assert_nonnull (strstr (error->message,
                                  "image_a (“Image A”), image_b (“Image B”), mask"));
    }

  /* No file input at all. */
  {
    g_autoptr(PaReplicateModel) model = model_from_schema ("someone/llm",
                                                           "\"prompt\": {\"type\": \"string\"}",
                                                           "", FALSE);
    g_autoptr(GError) error = NULL;

    g_assert_null (pa_face_swap_cloud_model_new (model, "someone/llm", NULL, NULL, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "takes no file input"));
  }
}

static void
test_model_explicit (void)
{
  const char *properties =
    "\"image_a\": " URI ("Image A", "", 0) ","
    "\"image_b\": " URI ("Image B", "", 1) ","
    "\"mask\": " URI ("Mask", "", 2) ","
    "\"strength\": {\"type\": \"number\", \"title\": \"Strength\"}";
  g_autoptr(PaReplicateModel) model = model_from_schema ("someone/swapper", properties, "", FALSE);
  g_autoptr(PaFaceSwapCloudModel) described = NULL;
  g_autoptr(GError) error = NULL;

  described = pa_face_swap_cloud_model_new (model, "someone/swapper", "image_b", "image_a", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (described->face_field, ==, "image_b");
  g_assert_cmpstr (described->picture_field, ==, "image_a");
  g_clear_pointer (&described, pa_face_swap_cloud_model_free);

  /* A field that is not there, or takes no file, or both at once. */
  g_assert_null (pa_face_swap_cloud_model_new (model, "someone/swapper", "image_c", "image_a", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "no input “image_c”"));
  g_assert_nonnull (strstr (error->message, "image_a (“Image A”), image_b (“Image B”), mask"));
  g_clear_error (&error);

  g_assert_null (pa_face_swap_cloud_model_new (model, "someone/swapper", "image_a", "strength", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "“strength”"));
  g_assert_nonnull (strstr (error->message, "number"));
  g_clear_error (&error);

  g_assert_null (pa_face_swap_cloud_model_new (model, "someone/swapper", "image_a", "image_a", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* One field given: the other is the only file input left, or unknown. */
  g_clear_pointer (&model, pa_replicate_model_free);
  model = model_from_schema ("someone/two", "\"x\": " URI ("X", "", 0) ",\"y\": " URI ("Y", "", 1),
                             "", FALSE);
  described = pa_face_swap_cloud_model_new (model, "someone/two", "y", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (described->face_field, ==, "y");
  g_assert_cmpstr (described->picture_field, ==, "x");
  g_clear_pointer (&described, pa_face_swap_cloud_model_free);

  /* A required input the face swap does not fill. */
  g_clear_pointer (&model, pa_replicate_model_free);
  model = model_from_schema ("someone/prompted",
                             "\"face\": " URI ("Face", "", 0) ",\"target\": " URI ("Target", "", 1) ","
                             "\"prompt\": {\"type\": \"string\"}",
                             "\"face\", \"target\", \"prompt\"", FALSE);
  g_assert_null (pa_face_swap_cloud_model_new (model, "someone/prompted", NULL, NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "requires prompt"));
}

/* ---- whole runs against the scripted Replicate peer ---------------------- */

static PaFaceSwapCloud *
peer_engine (PaHttp     *http,
             const char *model,
             const char *face_field,
             const char *picture_field)
{
  g_autofree char *base = peer_url ("/v1");
  g_autoptr(PaReplicate) client = client_new (http, NULL, base);

  return pa_face_swap_cloud_new (client, model, face_field, picture_field);
}

/* The prediction the peer saw last, and which uploaded files it got. */
static JsonObject *
last_prediction (JsonNode *effects)
{
  JsonArray *predictions = effects_list (effects, "predictions");
  guint n = json_array_get_length (predictions);

  g_assert_cmpuint (n, >, 0);
  return json_array_get_object_element (predictions, n - 1);
}

/* The sha256 of the uploaded file with @id. */
static const char *
uploaded_sha256 (JsonNode   *effects,
                 const char *id)
{
  JsonArray *files = effects_list (effects, "files");

  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);

      if (g_str_equal (json_object_get_string_member (file, "id"), id))
        return json_object_get_string_member (file, "sha256");
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_swap_default_model (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (fixture->dir, "swapped.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *face_sha = NULL;
  g_autofree char *target_sha = NULL;
  g_autofree char *listing = NULL;
  g_auto(Progress) progress = { 0 };
  JsonObject *prediction;
  JsonObject *input;
  int width = -1, height = -1;
  int target_width, target_height;

  if (face == NULL || target == NULL || !need_peer ())
    return;
  http = http_new ();
  engine = peer_engine (http, NULL, NULL, NULL);
  progress_init (&progress);

  written = swap_sync (engine, face, target, output, &progress, &width, &height, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_equal (written, output));

  /* The model's output, whole, with the mark, and nothing else left. */
  g_assert_true (pa_image_file_probe (target, &target_width, &target_height, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (width, ==, target_width);
  g_assert_cmpint (height, ==, target_height);
  g_assert_true (pa_media_file_has_mark (output, &error));
  g_assert_no_error (error);
  /* The peer's "swap" sends the picture back: what was saved is it. */
  assert_same_pixels (output, target);
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "swapped.png");

  /* Face and picture uploaded and sent to the default model's fields,
   * by its version. */
  effects = peer_effects ();
  prediction = last_prediction (effects);
  g_assert_cmpstr (json_object_get_string_member (prediction, "route"), ==, "version");
  g_assert_cmpstr (json_object_get_string_member (prediction, "model"), ==, "cdingram/face-swap");
  input = json_object_get_object_member (prediction, "input");
  face_sha = sha256_of (face);
  target_sha = sha256_of (target);
  g_assert_cmpstr (uploaded_sha256 (effects, json_object_get_string_member (input, "swap_image")),
                   ==, face_sha);
  g_assert_cmpstr (uploaded_sha256 (effects, json_object_get_string_member (input, "input_image")),
                   ==, target_sha);
  assert_nothing_rejected ();

  /* Every stage, in order, with the prediction's progress while waiting. */
  for (guint i = 1; i < progress.stages->len; i++)
    {
      g_assert_cmpint (g_array_index (progress.stages, PaMediaStage, i), >=,
                       g_array_index (progress.stages, PaMediaStage, i - 1));
      g_assert_cmpfloat (g_array_index (progress.fractions, double, i), >=,
                         g_array_index (progress.fractions, double, i - 1));
    }
  g_assert_cmpint (g_array_index (progress.stages, PaMediaStage, 0), ==, PA_MEDIA_STAGE_LOADING);
  g_assert_true (progress_has_stage (&progress, PA_MEDIA_STAGE_UPLOADING));
  g_assert_true (progress_has_stage (&progress, PA_MEDIA_STAGE_WAITING));
  g_assert_true (progress_has_stage (&progress, PA_MEDIA_STAGE_DOWNLOADING));
  g_assert_cmpint (g_array_index (progress.stages, PaMediaStage, progress.stages->len - 1), ==,
                   PA_MEDIA_STAGE_SAVING);
  g_assert_false (progress_has_stage (&progress, PA_MEDIA_STAGE_SWAPPING));
  /* The status and the last log line. */
  g_assert_true (progress_has_message (&progress, "waiting: succeeded: Done"));
}

static void
test_swap_custom_model_media_dir (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(PaFaceSwapCloudModel) described = NULL;
  g_autoptr(GFile) face = photo (PICTURE);
  g_autoptr(GFile) target = photo (FACE_PHOTO);
  g_autoptr(GFile) media_dir = g_file_new_for_path (fixture->dir);
  g_autoptr(GFile) written = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *face_sha = NULL;
  g_autofree char *target_sha = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GFile) parent = NULL;
  JsonObject *input;
  int width = 0, height = 0;

  if (face == NULL || target == NULL || !need_peer ())
    return;
  http = http_new ();
  engine = peer_engine (http, "playalter-test/custom-swap", NULL, NULL);

  /* Its fields, from what its schema says of them. */
  described = describe_sync (engine, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (described->face_field, ==, "portrait");
  g_assert_cmpstr (described->picture_field, ==, "canvas");
  g_assert_false (described->takes_video);
  g_assert_nonnull (described->version);

  /* No output named: a new file in the media folder, a JPEG as the
   * model sent. */
  pa_face_swap_cloud_set_media_dir (engine, media_dir);
  written = swap_sync (engine, face, target, NULL, NULL, &width, &height, &error);
  g_assert_no_error (error);
  parent = g_file_get_parent (written);
  g_assert_true (g_file_equal (parent, media_dir));
  basename = g_file_get_basename (written);
  g_assert_true (g_str_has_prefix (basename, "face-swap-"));
  g_assert_true (g_str_has_suffix (basename, ".jpg"));
  g_assert_true (pa_media_file_has_mark (written, &error));
  g_assert_no_error (error);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, basename);

  effects = peer_effects ();
  input = json_object_get_object_member (last_prediction (effects), "input");
  face_sha = sha256_of (face);
  target_sha = sha256_of (target);
  g_assert_cmpstr (uploaded_sha256 (effects, json_object_get_string_member (input, "portrait")),
                   ==, face_sha);
  g_assert_cmpstr (uploaded_sha256 (effects, json_object_get_string_member (input, "canvas")),
                   ==, target_sha);
  assert_nothing_rejected ();
}

static void
test_swap_explicit_fields (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(PaFaceSwapCloud) unnamed = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *face_sha = NULL;
  g_autofree char *listing = NULL;
  JsonObject *input;

  if (face == NULL || target == NULL || !need_peer ())
    return;
  http = http_new ();

  /* Three file inputs and nothing that says which: refused before any
   * upload, with the inputs to choose from. */
  before = peer_effects ();
  unnamed = peer_engine (http, "playalter-test/ambiguous", NULL, NULL);
  written = swap_sync (unnamed, face, target, output, NULL, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (written);
  g_assert_nonnull (strstr (error->message, "image_a (“Image A”), image_b (“Image B”), mask"));
  g_clear_error (&error);
  effects = peer_effects ();
  g_assert_cmpuint (json_array_get_length (effects_list (effects, "files")), ==,
                    json_array_get_length (effects_list (before, "files")));
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
  g_clear_pointer (&effects, json_node_unref);

  /* Named, it runs. */
  engine = peer_engine (http, "playalter-test/ambiguous", "image_a", "image_b");
  written = swap_sync (engine, face, target, output, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pa_media_file_has_mark (written, &error));
  effects = peer_effects ();
  input = json_object_get_object_member (last_prediction (effects), "input");
  face_sha = sha256_of (face);
  g_assert_cmpstr (uploaded_sha256 (effects, json_object_get_string_member (input, "image_a")),
                   ==, face_sha);
  g_assert_false (json_object_has_member (input, "mask"));
  assert_nothing_rejected ();
}

static void
test_cancel_while_waiting (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (fixture->dir, "never.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_auto(Progress) progress = { 0 };
  const char *id;
  JsonArray *cancels;

  if (face == NULL || target == NULL || !need_peer ())
    return;
  http = http_new ();
  engine = peer_engine (http, "playalter-test/slow-swap", NULL, NULL);
  progress_init (&progress);
  progress.cancel_at = "processing: Swapping faces, step";

  written = swap_sync (engine, face, target, output, &progress, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (written);

  /* The prediction was cancelled on the platform, not left running. */
  effects = peer_effects ();
  id = json_object_get_string_member (last_prediction (effects), "id");
  cancels = effects_list (effects, "cancels");
  g_assert_cmpuint (json_array_get_length (cancels), >=, 1);
  g_assert_cmpstr (json_array_get_string_element (cancels, json_array_get_length (cancels) - 1), ==, id);
  g_assert_nonnull (strstr (error->message, id));
  assert_nothing_rejected ();

  g_assert_false (g_file_query_exists (output, NULL));
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
  g_assert_false (progress_has_stage (&progress, PA_MEDIA_STAGE_DOWNLOADING));
}

static void
test_video (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaFaceSwapCloud) pictures_only = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) video = NULL;
  g_autofree char *out_path = g_build_filename (fixture->dir, "swapped.mp4", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *video_sha = NULL;
  g_autofree char *written_sha = NULL;
  g_autofree char *listing = NULL;
  int width = -1, height = -1;

  if (face == NULL || !need_peer ())
    return;
  http = http_new ();
  video = write_video (fixture->dir);

  /* A model whose inputs do not say video gets none, and nothing is
   * uploaded. */
  before = peer_effects ();
  pictures_only = peer_engine (http, NULL, NULL, NULL);
  written = swap_sync (pictures_only, face, video, output, NULL, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (written);
  g_assert_nonnull (strstr (error->message, "“cdingram/face-swap” takes pictures, not videos"));
  g_assert_nonnull (strstr (error->message, "clip.mp4"));
  g_assert_nonnull (strstr (error->message, "offline engine"));
  g_clear_error (&error);
  after = peer_effects ();
  g_assert_cmpuint (json_array_get_length (effects_list (after, "files")), ==,
                    json_array_get_length (effects_list (before, "files")));
  g_assert_cmpuint (json_array_get_length (effects_list (after, "predictions")), ==,
                    json_array_get_length (effects_list (before, "predictions")));

  /* One that says so gets it, and its video is saved as it came. */
  engine = peer_engine (http, "playalter-test/video-swap", NULL, NULL);
  written = swap_sync (engine, face, video, output, NULL, &width, &height, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_equal (written, output));
  g_assert_cmpint (width, ==, 0);
  g_assert_cmpint (height, ==, 0);
  video_sha = sha256_of (video);
  written_sha = sha256_of (written);
  g_assert_cmpstr (written_sha, ==, video_sha);
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "clip.mp4 swapped.mp4");
  assert_nothing_rejected ();
}

/* What a hostile output leaves: an error that says what, and no file,
 * an earlier one under the output's name untouched. */
static void
assert_hostile_output (const char *dir,
                       const char *model,
                       int         code,
                       const char *says)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(PaFaceSwapCloud) engine = peer_engine (http, model, NULL, NULL);
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (dir, "result.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;

  g_file_set_contents (out_path, "an earlier result", -1, &error);
  g_assert_no_error (error);

  written = swap_sync (engine, face, target, output, NULL, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, code);
  g_assert_null (written);
  if (strstr (error->message, says) == NULL)
    g_error ("“%s” does not say “%s”", error->message, says);
  /* Not the name of a temporary file, gone by now. */
  g_assert_null (strstr (error->message, "/.face-swap-"));
  g_clear_error (&error);

  g_file_get_contents (out_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "an earlier result");
  listing = dir_listing (dir);
  g_assert_cmpstr (listing, ==, "result.png");
}

static void
test_hostile_outputs (Fixture       *fixture,
                      gconstpointer  data)
{
  if (!need_peer ())
    return;

  /* An HTML page that calls itself a PNG. */
  assert_hostile_output (fixture->dir, "playalter-test/html-output", PA_ERROR_PROTOCOL,
                         "did not send back a usable picture");
  /* 16 TB announced: refused by its header. */
  assert_hostile_output (fixture->dir, "playalter-test/huge-output", PA_ERROR_PROTOCOL,
                         "larger than");
  assert_nothing_rejected ();
}

static void
test_no_account (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autofree char *base = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autoptr(GFile) media_dir = NULL;
  g_autoptr(GFile) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  if (face == NULL || target == NULL || !need_peer ())
    return;
  http = http_new ();
  base = peer_url ("/v1");
  /* A profile with no key in the keyring sends none; Replicate says 401. */
  client = client_new (http, "nobody", base);
  engine = pa_face_swap_cloud_new (client, NULL, NULL, NULL);
  media_dir = g_file_new_for_path (fixture->dir);
  pa_face_swap_cloud_set_media_dir (engine, media_dir);

  written = swap_sync (engine, face, target, NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_null (written);
  g_assert_nonnull (strstr (error->message, "Sign in to Replicate under Accounts"));
  g_assert_nonnull (strstr (error->message, "offline engine"));
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
}

/* ---- nothing there ------------------------------------------------------- */

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocket) closed = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  if (face == NULL || target == NULL || !need_keyring ())
    return;
  closed = pa_test_peer_reserve_port (&port, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  http = http_new ();

  /* A server of unknown kind (the probe got no answer), then Replicate's
   * API at that address. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PaReplicate) client = client_new (http, NULL, url);
      g_autoptr(PaFaceSwapCloud) engine = NULL;
      g_autoptr(GFile) written = NULL;
      g_autofree char *listing = NULL;

      if (i == 1)
        pa_replicate_set_mode (client, PA_REPLICATE_MODE_API);
      engine = pa_face_swap_cloud_new (client, NULL, NULL, NULL);
      written = swap_sync (engine, face, target, output, NULL, NULL, NULL, &error);
      g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
      g_assert_null (written);
      g_assert_true (g_str_has_prefix (error->message, i == 0 ? "The server at http://127.0.0.1:"
                                                              : "Replicate cannot be reached ("));
      g_assert_nonnull (strstr (error->message, "The offline engine works without a network: "
                                                "use --engine offline or choose Offline in the app."));
      g_clear_error (&error);
      listing = dir_listing (fixture->dir);
      g_assert_cmpstr (listing, ==, "");
    }
}

/* ---- a Cog server -------------------------------------------------------- */

static void
test_cog (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autofree char *base = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (fixture->dir, "cog.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *face_sha = NULL;
  g_autofree char *target_sha = NULL;
  g_autofree char *listing = NULL;
  g_auto(Progress) progress = { 0 };
  JsonArray *cog;
  JsonObject *input;

  if (face == NULL || target == NULL || !need_peer ())
    return;
  http = http_new ();
  base = peer_url ("/cog");
  client = client_new (http, NULL, base);
  /* The model name means nothing to a Cog server: its schema decides. */
  engine = pa_face_swap_cloud_new (client, "someone/else", NULL, NULL);
  progress_init (&progress);

  before = peer_effects ();
  written = swap_sync (engine, face, target, output, &progress, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_replicate_get_mode (client), ==, PA_REPLICATE_MODE_COG);
  g_assert_true (pa_media_file_has_mark (written, &error));
  g_assert_no_error (error);
  assert_same_pixels (written, target);
  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "cog.png");

  /* The files went inline (data: URLs), none through /v1/files. */
  effects = peer_effects ();
  g_assert_cmpuint (json_array_get_length (effects_list (effects, "files")), ==,
                    json_array_get_length (effects_list (before, "files")));
  cog = effects_list (effects, "cog_predictions");
  g_assert_cmpuint (json_array_get_length (cog), >=, 1);
  input = json_object_get_object_member (json_array_get_object_element (cog, json_array_get_length (cog) - 1),
                                         "input");
  face_sha = sha256_of (face);
  target_sha = sha256_of (target);
  g_assert_cmpstr (json_object_get_string_member (input, "swap_image"), ==, face_sha);
  g_assert_cmpstr (json_object_get_string_member (input, "input_image"), ==, target_sha);
  assert_nothing_rejected ();

  g_assert_true (progress_has_message (&progress, "waiting: succeeded: Done"));
  g_assert_cmpint (g_array_index (progress.stages, PaMediaStage, progress.stages->len - 1), ==,
                   PA_MEDIA_STAGE_SAVING);
}

/* ---- Replicate's contract (Prism) ---------------------------------------- */

/* pa_test_prism_count_validated() for a multipart upload: Prism logs
 * those without "Request received", so the route's line is enough; its
 * verdict follows before the next request's. */
static guint
count_uploads_validated (gsize offset)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  gsize size = 0;
  guint count = 0;

  g_assert_true (g_file_get_contents (pa_test_peer_get_log_path (prism), &log, &size, NULL));
  g_assert_cmpuint (size, >=, offset);
  lines = g_strsplit (log + offset, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "[HTTP SERVER] post /files ") == NULL)
        continue;
      count++;
      for (guint j = i + 1; ; j++)
        {
          if (lines[j] == NULL || strstr (lines[j], "[HTTP SERVER]") != NULL)
            g_error ("Prism gave no verdict on an upload");
          if (strstr (lines[j], "did not pass the validation rules") != NULL)
            g_error ("Prism refused an upload: %s", lines[j + 1] != NULL ? lines[j + 1] : "");
          if (strstr (lines[j], "passed the validation rules") != NULL)
            break;
        }
    }
  return count;
}

/* Every request of a run, up to the cancel, as the contract has them: a
 * model with no schema shown (Prism's answer) and is_official runs the
 * default model's known fields by the model's own endpoint. Prism's
 * prediction never leaves "starting", so the run ends by cancelling. */
static void
test_contract (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaFaceSwapCloud) engine = NULL;
  g_autoptr(GFile) face = photo (FACE_PHOTO);
  g_autoptr(GFile) target = photo (PICTURE);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.png", NULL);
  g_autoptr(GFile) output = g_file_new_for_path (out_path);
  g_autoptr(GFile) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_auto(Progress) progress = { 0 };
  gsize offset;

  if (face == NULL || target == NULL || !need_prism ())
    return;
  http = http_new ();
  client = client_new (http, NULL, pa_test_peer_get_url (prism));
  pa_replicate_set_mode (client, PA_REPLICATE_MODE_API);
  engine = pa_face_swap_cloud_new (client, NULL, NULL, NULL);
  progress_init (&progress);
  progress.cancel_at = "starting";
  offset = pa_test_peer_get_log_size (prism);

  written = swap_sync (engine, face, target, output, &progress, NULL, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (written);
  g_assert_nonnull (strstr (error->message, "its prediction string on Replicate too"));

  g_assert_cmpuint (pa_test_prism_count_validated (prism, offset, "get /models/cdingram/face-swap"), ==, 1);
  g_assert_cmpuint (count_uploads_validated (offset), ==, 2);
  g_assert_cmpuint (pa_test_prism_count_validated (prism, offset,
                                                   "post /models/cdingram/face-swap/predictions"), ==, 1);
  g_assert_cmpuint (pa_test_prism_count_validated (prism, offset, "post /predictions/string/cancel"), ==, 1);

  listing = dir_listing (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Peer log files are named after the program; keep it a bare name. */
  g_set_prgname ("test-face-swap-cloud");

  g_test_add_func ("/face-swap-cloud/model/default", test_model_default);
  g_test_add_func ("/face-swap-cloud/model/inferred", test_model_inferred);
  g_test_add_func ("/face-swap-cloud/model/ambiguous", test_model_ambiguous);
  g_test_add_func ("/face-swap-cloud/model/explicit", test_model_explicit);

#define ADD(path, func) \
  g_test_add ("/face-swap-cloud/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("replicate/default-model", test_swap_default_model);
  ADD ("replicate/custom-model-media-dir", test_swap_custom_model_media_dir);
  ADD ("replicate/explicit-fields", test_swap_explicit_fields);
  ADD ("replicate/cancel", test_cancel_while_waiting);
  ADD ("replicate/video", test_video);
  ADD ("replicate/hostile-outputs", test_hostile_outputs);
  ADD ("replicate/no-account", test_no_account);
  ADD ("unreachable", test_unreachable);
  ADD ("cog", test_cog);
  ADD ("contract", test_contract);

#undef ADD

  status = g_test_run ();

  g_clear_pointer (&peer, pa_test_peer_stop);
  g_clear_pointer (&prism, pa_test_peer_stop);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
