/* test-cli-faceswap.c — `playalter-cli faceswap` and `faces` on real
 * photographs, and every bad input a user can hand them
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-photos.h"
#include "pa-test-require.h"
#include "pa-test-video.h"
#include "pa-test-video-check.h"

/* A pixel "changed" inside the face when a channel moved more than this:
 * JPEG-free PNG round trips keep every other pixel exact. */
#define CHANGED_LEVEL 16
/* The share of the face's box the swap must visibly change. */
#define MIN_CHANGED_SHARE 0.15

typedef struct {
  char *data_dir;
  char *dir;        /* the test's files */
  char *face;       /* grace_hopper.jpg */
  char *target;     /* astronaut.png */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->data_dir = pa_test_cli_data_dir_new ();
  fixture->dir = g_build_filename (fixture->data_dir, "files", NULL);
  g_assert_cmpint (g_mkdir (fixture->dir, 0755), ==, 0);
  fixture->face = pa_test_photo_path ("grace_hopper.jpg");
  fixture->target = pa_test_photo_path ("astronaut.png");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A test that made the folder read-only gives it back first. */
  g_chmod (fixture->dir, 0755);
  g_free (fixture->face);
  g_free (fixture->target);
  g_free (fixture->dir);
  g_clear_pointer (&fixture->data_dir, pa_test_cli_data_dir_free);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (text);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static GdkPixbuf *
load_rgb (const char *path)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, 3);
  return pixbuf;
}

/* A failure's stderr: the progress lines written before it went wrong,
 * then the error, one line, last. Returns that line. */
static const char *
error_line (const char *err)
{
  const char *last;
  gsize len;

  g_assert_nonnull (err);
  len = strlen (err);
  g_assert_cmpuint (len, >, 1);
  g_assert_cmpint (err[len - 1], ==, '\n');
  for (last = err + len - 1; last > err && last[-1] != '\n'; last--)
    ;
  g_assert_true (g_str_has_prefix (last, "playalter-cli: "));
  /* Everything before it is progress. */
  g_assert_null (g_strstr_len (err, last - err, "playalter-cli: "));
  return last;
}

/* The faces `faces FILE --json` lists. */
static JsonArray *
list_faces (Fixture    *fixture,
            const char *file)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(JsonObject) object = NULL;

  pa_test_cli_run (&result, fixture->data_dir, NULL, "faces", file, "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  object = parse_object (result.out);
  g_assert_cmpstr (json_object_get_string_member (object, "file"), ==, file);
  return json_array_ref (json_object_get_array_member (object, "faces"));
}

static PaRect
face_box (JsonArray *faces,
          guint      index)
{
  JsonObject *face = json_array_get_object_element (faces, index);
  JsonObject *box = json_object_get_object_member (face, "box");
  PaRect rect = {
    (int) json_object_get_int_member (box, "x"),
    (int) json_object_get_int_member (box, "y"),
    (int) json_object_get_int_member (box, "width"),
    (int) json_object_get_int_member (box, "height"),
  };

  g_assert_cmpint (json_object_get_int_member (face, "index"), ==, index);
  return rect;
}

/* The face's box grown by its eye distance on every side: the hull of
 * the landmarks (the jaw may reach past the detector's box) plus the
 * feather lie inside it. */
static PaRect
face_region (JsonArray *faces,
             guint      index)
{
  JsonObject *face = json_array_get_object_element (faces, index);
  int margin = (int) json_object_get_double_member (face, "eye_distance") + 1;
  PaRect rect = face_box (faces, index);

  rect.x -= margin;
  rect.y -= margin;
  rect.width += 2 * margin;
  rect.height += 2 * margin;
  return rect;
}

static gboolean
in_rect (const PaRect *rect,
         int           x,
         int           y)
{
  return x >= rect->x && x < rect->x + rect->width && y >= rect->y && y < rect->y + rect->height;
}

/* Pixels of @after that differ from @before outside every region in
 * @regions; and how many pixels of @box changed clearly. */
static void
compare (GdkPixbuf    *before,
         GdkPixbuf    *after,
         const PaRect *regions,
         guint         n_regions,
         const PaRect *box,
         guint        *outside_out,
         guint        *box_changed_out)
{
  int width = gdk_pixbuf_get_width (before);
  int height = gdk_pixbuf_get_height (before);
  int stride_b = gdk_pixbuf_get_rowstride (before);
  int stride_a = gdk_pixbuf_get_rowstride (after);
  const guint8 *b = gdk_pixbuf_read_pixels (before);
  const guint8 *a = gdk_pixbuf_read_pixels (after);

  g_assert_cmpint (gdk_pixbuf_get_width (after), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (after), ==, height);
  *outside_out = 0;
  *box_changed_out = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *pb = b + y * stride_b + x * 3;
        const guint8 *pa = a + y * stride_a + x * 3;
        int delta = MAX (MAX (ABS (pa[0] - pb[0]), ABS (pa[1] - pb[1])), ABS (pa[2] - pb[2]));
        gboolean inside = FALSE;

        for (guint i = 0; i < n_regions; i++)
          inside = inside || in_rect (&regions[i], x, y);
        if (delta > 0 && !inside)
          (*outside_out)++;
        if (box != NULL && delta > CHANGED_LEVEL && in_rect (box, x, y))
          (*box_changed_out)++;
      }
}

/* Grace Hopper's face onto the astronaut's: the result says what was
 * done, is marked, and changed the face and nothing else. */
static void
test_picture (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *out = g_build_filename (fixture->dir, "swapped.png", NULL);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonArray) faces = NULL;
  g_autoptr(GdkPixbuf) before = NULL;
  g_autoptr(GdkPixbuf) after = NULL;
  g_autoptr(GFile) out_file = g_file_new_for_path (out);
  g_autoptr(GError) error = NULL;
  JsonObject *pair;
  PaRect region, box;
  guint outside, changed;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  faces = list_faces (fixture, fixture->target);
  g_assert_cmpuint (json_array_get_length (faces), ==, 1);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", fixture->face,
                   "--target", fixture->target, "--out", out, "--json", NULL);
  g_test_message ("stderr: %s", result.err);
  g_assert_cmpint (result.status, ==, 0);

  /* stdout is the JSON alone; the progress went to stderr. */
  object = parse_object (result.out);
  g_assert_nonnull (strstr (result.err, "Swapping"));
  g_assert_null (strstr (result.out, "Swapping"));
  g_assert_cmpstr (json_object_get_string_member (object, "path"), ==, out);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "image");
  g_assert_cmpint (json_object_get_int_member (object, "width"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (object, "height"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (object, "frames"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "faces_swapped"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "pairs")), ==, 1);
  pair = json_array_get_object_element (json_object_get_array_member (object, "pairs"), 0);
  g_assert_cmpint (json_object_get_int_member (pair, "source"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (pair, "target"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "skipped")), ==, 0);
  /* Written where asked, so not listed in the gallery. */
  g_assert_false (json_object_has_member (object, "asset_id"));

  g_assert_true (pa_media_file_has_mark (out_file, &error));
  g_assert_no_error (error);

  before = load_rgb (fixture->target);
  after = load_rgb (out);
  region = face_region (faces, 0);
  box = face_box (faces, 0);
  compare (before, after, &region, 1, &box, &outside, &changed);
  g_test_message ("changed outside the face: %u px; clearly changed in its box: %u of %d px",
                  outside, changed, box.width * box.height);
  g_assert_cmpuint (outside, ==, 0);
  g_assert_cmpfloat ((double) changed, >, MIN_CHANGED_SHARE * box.width * box.height);

  /* Without --json: a sentence on stdout. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", fixture->face,
                   "--target", fixture->target, "--out", out, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "Wrote "));
  g_assert_nonnull (strstr (result.out, "1 face swapped: 0→0"));
}

/* Grace Hopper on the left, the astronaut on the right, as a PNG. */
static char *
write_two_faces (Fixture *fixture)
{
  g_autoptr(GdkPixbuf) left = pa_test_photo_load ("grace_hopper.jpg");
  g_autoptr(GdkPixbuf) right = pa_test_photo_load ("astronaut.png");
  g_autoptr(GdkPixbuf) both = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, "two-faces.png", NULL);
  int width, height;

  g_assert_nonnull (left);
  g_assert_nonnull (right);
  width = gdk_pixbuf_get_width (left) + gdk_pixbuf_get_width (right);
  height = MAX (gdk_pixbuf_get_height (left), gdk_pixbuf_get_height (right));
  both = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  gdk_pixbuf_fill (both, 0x808080ff);
  gdk_pixbuf_copy_area (left, 0, 0, gdk_pixbuf_get_width (left), gdk_pixbuf_get_height (left),
                        both, 0, 0);
  gdk_pixbuf_copy_area (right, 0, 0, gdk_pixbuf_get_width (right), gdk_pixbuf_get_height (right),
                        both, gdk_pixbuf_get_width (left), 0);
  gdk_pixbuf_save (both, path, "png", &error, NULL);
  g_assert_no_error (error);
  return path;
}

/* `faces` counts and orders them left to right; --targets 1 changes
 * face 1 and leaves face 0 (and the rest) exactly as it was. */
static void
test_two_faces (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *composite = NULL;
  g_autofree char *out = g_build_filename (fixture->dir, "one-swapped.png", NULL);
  g_autoptr(JsonArray) faces = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GdkPixbuf) before = NULL;
  g_autoptr(GdkPixbuf) after = NULL;
  JsonObject *pair;
  PaRect box0, box1, region1;
  guint outside, changed;

  if (fixture->face == NULL || fixture->target == NULL)
    return;
  composite = write_two_faces (fixture);

  faces = list_faces (fixture, composite);
  g_assert_cmpuint (json_array_get_length (faces), ==, 2);
  box0 = face_box (faces, 0);
  box1 = face_box (faces, 1);
  /* Grace Hopper's picture is 512 wide; the astronaut starts there. */
  g_assert_cmpint (box0.x + box0.width / 2, <, 512);
  g_assert_cmpint (box1.x + box1.width / 2, >, 512);

  /* The text listing has the same faces, in the same order. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "faces", composite, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_regex_match_simple ("^FACE.*\n +0  .*good\n +1  .*good\n$", result.out,
                                       G_REGEX_MULTILINE | G_REGEX_DOTALL, 0));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", fixture->face,
                   "--target", composite, "--targets", "1", "--out", out, "--json", NULL);
  g_test_message ("stderr: %s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  object = parse_object (result.out);
  g_assert_cmpint (json_object_get_int_member (object, "faces_swapped"), ==, 1);
  pair = json_array_get_object_element (json_object_get_array_member (object, "pairs"), 0);
  g_assert_cmpint (json_object_get_int_member (pair, "target"), ==, 1);

  before = load_rgb (composite);
  after = load_rgb (out);
  region1 = face_region (faces, 1);
  compare (before, after, &region1, 1, &box1, &outside, &changed);
  g_test_message ("changed outside face 1: %u px; clearly changed in its box: %u px",
                  outside, changed);
  g_assert_cmpuint (outside, ==, 0);
  g_assert_cmpfloat ((double) changed, >, MIN_CHANGED_SHARE * box1.width * box1.height);
  /* Face 0 in particular: not one pixel of its box moved. */
  compare (before, after, &region1, 1, &box0, &outside, &changed);
  g_assert_cmpuint (changed, ==, 0);

  /* The composite as the face picture: --sources 1 takes its right-hand
   * face (the astronaut's) as the source. */
  {
    g_autofree char *back = g_build_filename (fixture->dir, "from-face-1.png", NULL);
    g_autoptr(JsonObject) sourced = NULL;
    JsonObject *first;

    pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", composite,
                     "--target", fixture->face, "--sources", "1", "--out", back, "--json",
                     NULL);
    g_assert_cmpint (result.status, ==, 0);
    sourced = parse_object (result.out);
    first = json_array_get_object_element (json_object_get_array_member (sourced, "pairs"), 0);
    g_assert_cmpint (json_object_get_int_member (first, "source"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (first, "target"), ==, 0);
  }

  /* An index that is not there is the user's mistake, named. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", fixture->face,
                   "--target", composite, "--targets", "2", "--out", out, NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (error_line (result.err), "2"));
}

/* Without --out: a new file in the media folder, listed in the gallery. */
static void
test_media_folder (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *media = g_build_filename (fixture->data_dir, "media", NULL);
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaAssetRecord) asset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;
  const char *path;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", fixture->face,
                   "--target", fixture->target, "--json", NULL);
  g_test_message ("stderr: %s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  object = parse_object (result.out);
  path = json_object_get_string_member (object, "path");
  basename = g_path_get_basename (path);
  g_assert_true (g_str_has_prefix (path, media));
  g_assert_true (g_regex_match_simple ("^faceswap-[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.png$",
                                       basename, 0, 0));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  store = pa_store_open (fixture->data_dir, &error);
  g_assert_no_error (error);
  asset = pa_store_get_asset (store, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (asset->id, ==, json_object_get_int_member (object, "asset_id"));
  g_assert_cmpstr (asset->kind, ==, "image");
  g_assert_cmpint (asset->width, ==, 512);
  g_assert_cmpint (asset->height, ==, 512);
  g_assert_cmpuint (strlen (asset->sha256), ==, 64);
}

static void
assert_usage (Fixture    *fixture,
              const char *expected,
              ...) G_GNUC_NULL_TERMINATED;

static void
assert_usage (Fixture    *fixture,
              const char *expected,
              ...)
{
  g_auto(PaTestCliResult) result = { 0 };
  va_list args;

  va_start (args, expected);
  pa_test_cli_run_valist (&result, fixture->data_dir, NULL, args);
  va_end (args);
  g_test_message ("stderr: %s", result.err);
  g_assert_cmpint (result.status, ==, 2);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, expected));
  g_assert_cmpstr (result.out, ==, "");
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  const char *face = fixture->face != NULL ? fixture->face : "face.jpg";
  const char *target = fixture->target != NULL ? fixture->target : "target.png";

  assert_usage (fixture, "--face", "faceswap", NULL);
  assert_usage (fixture, "--target", "faceswap", "--face", face, NULL);
  assert_usage (fixture, "offline or replicate", "faceswap", "--face", face, "--target", target,
                "--engine", "magic", NULL);
  assert_usage (fixture, "largest", "faceswap", "--face", face, "--target", target,
                "--targets", "the-left-one", NULL);
  assert_usage (fixture, "--engine replicate", "faceswap", "--face", face, "--target", target,
                "--model", "owner/name", NULL);
  assert_usage (fixture, "offline engine", "faceswap", "--face", face, "--target", target,
                "--engine", "replicate", "--targets", "0", NULL);
  assert_usage (fixture, "Usage", "faces", NULL);
  assert_usage (fixture, "Unknown option", "faceswap", "--no-such-option", NULL);

  pa_test_cli_run (&result, NULL, NULL, "faceswap", "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "--targets"));
  pa_test_cli_run (&result, NULL, NULL, "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "faceswap --face FILE --target FILE"));
}

/* Runs faceswap expecting a clean failure: exit 1, one line on stderr
 * that names @named, nothing on stdout, and @out as it was before
 * (absent, or with its old bytes). */
static void
assert_refused_full (Fixture              *fixture,
                     const char           *face,
                     const char           *target,
                     const char           *out,
                     const char           *named,
                     const char           *expected,
                     GSpawnChildSetupFunc  setup)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *basename = g_path_get_basename (named);
  g_autofree char *old = NULL;
  g_autofree char *now = NULL;
  gboolean existed = g_file_get_contents (out, &old, NULL, NULL);
  const char *args[] = { "faceswap", "--face", face, "--target", target, "--out", out, NULL };
  g_autofree char *dir = g_path_get_dirname (out);
  g_autoptr(GDir) listing = NULL;
  const char *entry;
  const char *line;

  pa_test_cli_runv_with_setup (&result, fixture->data_dir, NULL, setup, NULL, args);
  g_test_message ("%s: %s", basename, result.err);
  g_assert_cmpint (result.status, ==, 1);
  line = error_line (result.err);
  g_assert_nonnull (strstr (line, basename));
  if (expected != NULL)
    g_assert_nonnull (strstr (line, expected));
  g_assert_cmpstr (result.out, ==, "");

  if (existed)
    {
      g_assert_true (g_file_get_contents (out, &now, NULL, NULL));
      g_assert_cmpstr (now, ==, old);
    }
  else
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* No temporary file left behind either. */
  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
    g_assert_false (entry[0] == '.');
}

static void
assert_refused (Fixture    *fixture,
                const char *face,
                const char *target,
                const char *out,
                const char *named,
                const char *expected)
{
  assert_refused_full (fixture, face, target, out, named, expected, NULL);
}

static char *
write_bytes (Fixture      *fixture,
             const char   *name,
             const guint8 *bytes,
             gsize         len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, (const char *) bytes, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guint8 *data,
              guint32       len)
{
  guint8 word[4];
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  put_be32 (word, len);
  g_byte_array_append (png, word, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len > 0)
    {
      g_byte_array_append (png, data, len);
      crc = crc32 (crc, data, len);
    }
  put_be32 (word, (guint32) crc);
  g_byte_array_append (png, word, 4);
}

/* A real decompression bomb: a valid 20000×20000 one-bit PNG of about
 * 50 KB whose pixels would take 1.2 GB as RGB. */
static char *
write_png_bomb (Fixture *fixture)
{
  const guint32 side = 20000;
  const gsize row = 1 + side / 8;
  const gsize raw_len = row * side;
  g_autofree guint8 *raw = g_malloc0 (raw_len);
  uLongf packed_len = compressBound (raw_len);
  g_autofree guint8 *packed = g_malloc (packed_len);
  g_autoptr(GByteArray) png = g_byte_array_new ();
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = { 0 };

  g_assert_cmpint (compress2 (packed, &packed_len, raw, raw_len, 9), ==, Z_OK);
  g_byte_array_append (png, signature, sizeof signature);
  put_be32 (ihdr, side);
  put_be32 (ihdr + 4, side);
  ihdr[8] = 1;   /* bit depth */
  ihdr[9] = 0;   /* greyscale */
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT", packed, (guint32) packed_len);
  append_chunk (png, "IEND", NULL, 0);
  return write_bytes (fixture, "bomb.png", png->data, png->len);
}

/* A picture with no face: a plain gradient. */
static char *
write_no_face (Fixture *fixture)
{
  g_autoptr(GdkPixbuf) plain = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, "landscape.png", NULL);
  guint8 *pixels = gdk_pixbuf_get_pixels (plain);
  int stride = gdk_pixbuf_get_rowstride (plain);

  for (int y = 0; y < 240; y++)
    for (int x = 0; x < 320; x++)
      {
        pixels[y * stride + x * 3] = x * 255 / 320;
        pixels[y * stride + x * 3 + 1] = y * 255 / 240;
        pixels[y * stride + x * 3 + 2] = 128;
      }
  gdk_pixbuf_save (plain, path, "png", &error, NULL);
  g_assert_no_error (error);
  return path;
}

static void
test_no_face (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *plain = write_no_face (fixture);
  g_autofree char *out = g_build_filename (fixture->dir, "out.png", NULL);
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(JsonArray) faces = NULL;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  /* As the target, and as the face. */
  assert_refused (fixture, fixture->face, plain, out, plain, "No face found in");
  assert_refused (fixture, plain, fixture->target, out, plain, "No face found in");

  /* `faces` answers the question: none. */
  faces = list_faces (fixture, plain);
  g_assert_cmpuint (json_array_get_length (faces), ==, 0);
  pa_test_cli_run (&result, fixture->data_dir, NULL, "faces", plain, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "No face found in "));
}

/* Broken files, as the target and as the face; an output that was there
 * before survives each. */
static void
test_bad_files (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *photo = NULL;
  g_autofree char *jpeg = NULL;
  gsize photo_len = 0, jpeg_len = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (fixture->dir, "out.png", NULL);
  g_autofree char *corrupt = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *text = NULL;
  g_autofree char *bomb = NULL;
  g_autofree char *video_named = NULL;
  g_autofree guint8 *broken = NULL;
  const char *bad[5];

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  g_file_get_contents (fixture->target, &photo, &photo_len, &error);
  g_assert_no_error (error);
  g_file_get_contents (fixture->face, &jpeg, &jpeg_len, &error);
  g_assert_no_error (error);

  /* The picture data scrambled after a valid header. */
  broken = g_memdup2 (photo, photo_len);
  memset (broken + 2000, 0x55, 4000);
  corrupt = write_bytes (fixture, "corrupt.png", broken, photo_len);
  truncated = write_bytes (fixture, "truncated.jpg", (const guint8 *) jpeg, jpeg_len * 2 / 5);
  empty = write_bytes (fixture, "empty.png", (const guint8 *) "", 0);
  text = write_bytes (fixture, "notes.jpg", (const guint8 *) "Dear diary,\nnot a picture.\n", 27);
  bomb = write_png_bomb (fixture);
  bad[0] = corrupt;
  bad[1] = truncated;
  bad[2] = empty;
  bad[3] = text;
  bad[4] = bomb;

  g_file_set_contents (out, "an earlier result", -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      assert_refused (fixture, fixture->face, bad[i], out, bad[i], NULL);
      assert_refused (fixture, bad[i], fixture->target, out, bad[i], NULL);
    }

  /* A missing file, named. */
  assert_refused (fixture, fixture->face, "/nonexistent/target.png", out, "target.png", NULL);

  /* The output must fit the target's kind; the message names it. */
  video_named = g_build_filename (fixture->dir, "out.mp4", NULL);
  assert_refused (fixture, fixture->face, fixture->target, video_named, video_named, ".png");
  {
    g_autofree char *gif = g_build_filename (fixture->dir, "out.gif", NULL);
    g_autofree char *nowhere = g_build_filename (fixture->dir, "no-such-folder", "out.png", NULL);

    assert_refused (fixture, fixture->face, fixture->target, gif, gif, ".jpg");
    assert_refused (fixture, fixture->face, fixture->target, nowhere, nowhere, "folder");
  }
}

/* Drops to nobody when the tests run as root, for whom no folder is
 * read-only. */
static void
become_nobody (gpointer user_data)
{
  if (geteuid () == 0)
    {
      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (125);
    }
}

/* @path copied into the test's folder, readable by all. */
static char *
copy_into (Fixture    *fixture,
           const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = g_path_get_basename (path);
  gsize len = 0;
  char *copy;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  copy = write_bytes (fixture, basename, (const guint8 *) contents, len);
  g_assert_cmpint (g_chmod (copy, 0644), ==, 0);
  return copy;
}

static void
test_read_only_folder (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->dir, "out.png", NULL);
  g_autofree char *face = NULL;
  g_autofree char *target = NULL;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  /* The child may be another user: it must reach the inputs, not the
   * output folder. */
  face = copy_into (fixture, fixture->face);
  target = copy_into (fixture, fixture->target);
  g_assert_cmpint (g_chmod (fixture->data_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (fixture->dir, 0555), ==, 0);
  assert_refused_full (fixture, face, target, out, out, NULL, become_nobody);

  /* An existing output in it stays as it was. */
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (out, "an earlier result", -1, NULL));
  g_assert_cmpint (g_chmod (out, 0644), ==, 0);
  g_assert_cmpint (g_chmod (fixture->dir, 0555), ==, 0);
  assert_refused_full (fixture, face, target, out, out, NULL, become_nobody);
}

/* A disk that fills up makes a write fail part way. A file size limit
 * makes it fail the same way (EFBIG rather than ENOSPC) without a
 * filesystem of the test's own; the signal it would raise is ignored,
 * as a full disk raises none. */
static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { 4096, 4096 };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
test_full_folder (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->dir, "out.png", NULL);
  g_autofree char *old = NULL;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  assert_refused_full (fixture, fixture->face, fixture->target, out, out, NULL, limit_file_size);
  g_assert_true (g_file_set_contents (out, "an earlier result", -1, NULL));
  assert_refused_full (fixture, fixture->face, fixture->target, out, out, NULL, limit_file_size);
}

/* Ctrl-C while the job runs: it stops, says so, and writes nothing. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->dir, "out.png", NULL);
  g_autoptr(GPtrArray) argv = pa_test_cli_argv_new (fixture->data_dir);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *now = NULL;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  g_assert_true (g_file_set_contents (out, "an earlier result", -1, NULL));
  g_ptr_array_add (argv, (gpointer) "faceswap");
  g_ptr_array_add (argv, (gpointer) "--face");
  g_ptr_array_add (argv, fixture->face);
  g_ptr_array_add (argv, (gpointer) "--target");
  g_ptr_array_add (argv, fixture->target);
  g_ptr_array_add (argv, (gpointer) "--out");
  g_ptr_array_add (argv, out);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);

  /* The first progress line comes once the job runs and Ctrl-C is
   * handled; the model alone then takes about half a second to load. */
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  first = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first, "Loading"));
  g_subprocess_send_signal (proc, SIGINT);

  {
    GString *lines = g_string_new (NULL);
    char *line;

    while ((line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error)) != NULL)
      {
        g_string_append_printf (lines, "%s\n", line);
        g_free (line);
      }
    g_assert_no_error (error);
    rest = g_string_free (lines, FALSE);
  }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_test_message ("after Ctrl-C: %s", rest);
  g_assert_nonnull (strstr (rest, "Cancelled"));
  /* Stopping is an ordinary way to end: no library complains. */
  g_assert_null (strstr (rest, "CRITICAL"));
  g_assert_null (strstr (rest, "WARNING"));

  g_assert_true (g_file_get_contents (out, &now, NULL, NULL));
  g_assert_cmpstr (now, ==, "an earlier result");
}

/* ---- video -------------------------------------------------------------- */

static const PaTestVideoSpec clip_spec = {
  .photo = "astronaut.png",
  /* The photograph at its own size (80 % of the height): the face's
   * box is as large as in the picture tests. */
  .width = 768,
  .height = 640,
  .fps = 15,
  .n_frames = 20,
  .speed = 1.0,
  .audio = TRUE,
  .format = PA_TEST_VIDEO_MP4,
};

static char *
make_clip (Fixture               *fixture,
           const char            *name,
           const PaTestVideoSpec *spec)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  if (!pa_test_video_make (path, spec, &error))
    {
      g_free (path);
      pa_test_require_no_error (error);
      return NULL;
    }
  return path;
}

/* A clip of the astronaut: the same duration, frames, size and audio
 * come out, marked; `faces` finds the face in it; the output must be a
 * video file; and a file's kind is read from its bytes, not its name. */
static void
test_video (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *clip = NULL;
  g_autofree char *disguised = NULL;
  g_autofree char *out = g_build_filename (fixture->dir, "swapped.mp4", NULL);
  g_autofree char *as_picture = g_build_filename (fixture->dir, "swapped.png", NULL);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonArray) faces = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (fixture->face == NULL)
    return;
  clip = make_clip (fixture, "clip.mp4", &clip_spec);
  if (clip == NULL)
    return;

  faces = list_faces (fixture, clip);
  g_assert_cmpuint (json_array_get_length (faces), ==, 1);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--face", fixture->face,
                   "--target", clip, "--out", out, "--json", NULL);
  g_test_message ("stderr: %s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  object = parse_object (result.out);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "video");
  g_assert_cmpint (json_object_get_int_member (object, "frames"), ==, clip_spec.n_frames);
  g_assert_cmpint (json_object_get_int_member (object, "width"), ==, clip_spec.width);
  g_assert_cmpint (json_object_get_int_member (object, "height"), ==, clip_spec.height);
  g_assert_cmpint (json_object_get_int_member (object, "faces_swapped"), ==, 1);
  /* Frames done and the rate were shown while it ran. */
  g_assert_true (g_regex_match_simple ("frame [0-9]+/[0-9]+", result.err, 0, 0));
  pa_test_video_assert_same_shape (clip, out, TRUE);
  pa_test_video_assert_marked (out);

  assert_refused (fixture, fixture->face, clip, as_picture, as_picture, ".mp4");

  /* Named like a picture, read as the video it is. */
  g_assert_true (g_file_get_contents (clip, &contents, &length, NULL));
  disguised = write_bytes (fixture, "clip-named.png", (const guint8 *) contents, length);
  g_clear_pointer (&faces, json_array_unref);
  faces = list_faces (fixture, disguised);
  g_assert_cmpuint (json_array_get_length (faces), ==, 1);
}

/* A video whose codec nothing here decodes: the clip as written, with
 * the 15-byte codec id replaced by one of the same length. */
static void
test_unknown_codec (Fixture       *fixture,
                    gconstpointer  data)
{
  PaTestVideoSpec spec = clip_spec;
  g_autofree char *clip = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *odd = NULL;
  g_autofree char *out = g_build_filename (fixture->dir, "out.mkv", NULL);
  gsize length;
  char *at = NULL;

  if (fixture->face == NULL)
    return;
  spec.format = PA_TEST_VIDEO_MKV_VORBIS;
  clip = make_clip (fixture, "clip.mkv", &spec);
  if (clip == NULL)
    return;
  g_assert_true (g_file_get_contents (clip, &contents, &length, NULL));
  for (gsize i = 0; at == NULL && i + 15 <= length; i++)
    if (memcmp (contents + i, "V_MPEG4/ISO/AVC", 15) == 0)
      at = contents + i;
  g_assert_nonnull (at);
  memcpy (at, "V_PLAYALTER/XYZ", 15);
  odd = write_bytes (fixture, "odd-codec.mkv", (const guint8 *) contents, length);

  assert_refused (fixture, fixture->face, odd, out, odd, NULL);
  g_assert_true (g_file_set_contents (out, "an earlier result", -1, NULL));
  assert_refused (fixture, fixture->face, odd, out, odd, NULL);
}

/* The cloud engine with the saved account's server down: a clear error
 * that points to the offline engine, and nothing written. (A port on
 * loopback that nothing listens on: refused at once.) */
static void
test_cloud_unreachable (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *out = g_build_filename (fixture->dir, "cloud.png", NULL);
  g_autoptr(PaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;

  if (fixture->face == NULL || fixture->target == NULL)
    return;

  store = pa_store_open (fixture->data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (pa_store_save_account (store, "replicate", "default", "http://127.0.0.1:9",
                                        NULL, "signed-in", &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "faceswap", "--engine", "replicate",
                   "--face", fixture->face, "--target", fixture->target, "--out", out, NULL);
  g_test_message ("stderr: %s", result.err);
  g_assert_cmpint (result.status, ==, 1);
  line = error_line (result.err);
  g_assert_nonnull (strstr (line, "127.0.0.1:9"));
  g_assert_nonnull (strstr (line, "--engine offline"));
  g_assert_cmpstr (result.out, ==, "");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli/faceswap/picture", test_picture);
  ADD ("/cli/faceswap/two-faces", test_two_faces);
  ADD ("/cli/faceswap/media-folder", test_media_folder);
  ADD ("/cli/faceswap/usage", test_usage);
  ADD ("/cli/faceswap/no-face", test_no_face);
  ADD ("/cli/faceswap/bad-files", test_bad_files);
  ADD ("/cli/faceswap/read-only-folder", test_read_only_folder);
  ADD ("/cli/faceswap/full-folder", test_full_folder);
  ADD ("/cli/faceswap/video", test_video);
  ADD ("/cli/faceswap/unknown-codec", test_unknown_codec);
  ADD ("/cli/faceswap/cloud-unreachable", test_cloud_unreachable);
  ADD ("/cli/faceswap/cancel", test_cancel);
#undef ADD

  return g_test_run ();
}
