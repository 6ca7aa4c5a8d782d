/* test-face-selection.c — choosing which faces to replace, and with what
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pa-error.h"
#include "pa-face.h"
#include "pa-face-selection.h"
#include "pa-limits.h"

/* Faces left to right with these eye distances and qualities. */
static GPtrArray *
make_faces (guint                n_faces,
            const double        *eye_distances,
            const PaFaceQuality *qualities)
{
  GPtrArray *faces = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);

  for (guint i = 0; i < n_faces; i++)
    {
      PaFace *face = g_new0 (PaFace, 1);

      face->index = (int) i;
      face->box = (PaRect) { 100 * (int) i, 10, 80, 80 };
      face->eye_distance = eye_distances[i];
      face->quality = qualities[i];
      face->yaw = qualities[i] == PA_FACE_QUALITY_TOO_TURNED ? 50 : 0;
      g_ptr_array_add (faces, face);
    }
  return faces;
}

static void
assert_pairs (GArray     *pairs,
              const char *expected)
{
  GString *text = g_string_new (NULL);

  g_assert_nonnull (pairs);
  for (guint i = 0; i < pairs->len; i++)
    {
      PaFacePair *pair = &g_array_index (pairs, PaFacePair, i);

      g_string_append_printf (text, "%s%d>%d", i > 0 ? " " : "", pair->source, pair->target);
    }
  g_assert_cmpstr (text->str, ==, expected);
  g_string_free (text, TRUE);
}

static void
test_parse_good (void)
{
  static const struct {
    const char    *targets;
    const char    *sources;
    PaFaceTargets  kind;
    const char    *list;     /* the target list, as to_string gives it */
  } cases[] = {
    { NULL, NULL, PA_FACE_TARGETS_ALL, NULL },
    { "all", NULL, PA_FACE_TARGETS_ALL, NULL },
    { "largest", NULL, PA_FACE_TARGETS_LARGEST, NULL },
    { "0", NULL, PA_FACE_TARGETS_LIST, "0" },
    { "0,2", NULL, PA_FACE_TARGETS_LIST, "0,2" },
    { "2,0", "1,0", PA_FACE_TARGETS_LIST, "2,0" },
    { "10,999", "3", PA_FACE_TARGETS_LIST, "10,999" },
    { "all", "1,1,0", PA_FACE_TARGETS_ALL, NULL },
    { "largest", "2", PA_FACE_TARGETS_LARGEST, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaFaceSelection) selection = pa_face_selection_parse (cases[i].targets, cases[i].sources, &error);
      g_autoptr(PaFaceSelection) copy = NULL;
      g_autoptr(PaFaceSelection) again = NULL;
      g_autofree char *targets = NULL;
      g_autofree char *sources = NULL;
      g_autofree char *targets_again = NULL;
      g_autofree char *sources_again = NULL;
      const GArray *list;

      g_assert_no_error (error);
      g_assert_cmpint (pa_face_selection_get_targets (selection), ==, cases[i].kind);
      list = pa_face_selection_get_target_list (selection);
      if (cases[i].list == NULL)
        g_assert_null (list);
      else
        {
          g_autoptr(GString) text = g_string_new (NULL);

          for (guint k = 0; k < list->len; k++)
            g_string_append_printf (text, "%s%d", k > 0 ? "," : "", g_array_index (list, int, k));
          g_assert_cmpstr (text->str, ==, cases[i].list);
        }

      /* to_string gives what parses back to the same selection. */
      targets = pa_face_selection_to_string (selection, &sources);
      g_assert_cmpstr (targets, ==, cases[i].targets != NULL ? cases[i].targets : "all");
      g_assert_cmpstr (sources, ==, cases[i].sources);
      again = pa_face_selection_parse (targets, sources, &error);
      g_assert_no_error (error);
      targets_again = pa_face_selection_to_string (again, &sources_again);
      g_assert_cmpstr (targets_again, ==, targets);
      g_assert_cmpstr (sources_again, ==, sources);

      copy = pa_face_selection_copy (selection);
      g_clear_pointer (&targets_again, g_free);
      g_clear_pointer (&sources_again, g_free);
      targets_again = pa_face_selection_to_string (copy, &sources_again);
      g_assert_cmpstr (targets_again, ==, targets);
      g_assert_cmpstr (sources_again, ==, sources);
    }
}

static void
test_parse_bad (void)
{
  static const struct {
    const char *targets;
    const char *sources;
    const char *in_message;
  } cases[] = {
    { "", NULL, "“”" },
    { " 0", NULL, "“ 0”" },
    { "0 ", NULL, "such as “0,2”" },
    { "0, 2", NULL, "such as “0,2”" },
    { "0,,2", NULL, "“0,,2”" },
    { ",0", NULL, "such as “0,2”" },
    { "0,", NULL, "such as “0,2”" },
    { "1-3", NULL, "“1-3”" },
    { "-1", NULL, "“-1”" },
    { "+1", NULL, "“+1”" },
    { "01", NULL, "“01”" },
    { "1000", NULL, "from 0 to 999" },
    { "99999999999999999999", NULL, "from 0 to 999" },
    { "0x1", NULL, "“0x1”" },
    { "1.5", NULL, "“1.5”" },
    { "ALL", NULL, "“ALL”" },
    { "Largest", NULL, "“Largest”" },
    { "all,0", NULL, "“all,0”" },
    { "0,2,0", NULL, "Face 0 is listed twice" },
    { "all", "", "“” is not a list of source faces" },
    { "all", "1,,0", "“1,,0” is not a list of source faces" },
    { "all", "largest", "“largest” is not a list of source faces" },
    { "all", "-1", "“-1” is not a list of source faces" },
    { "0", "1,0", "2 source faces were given for 1 face to replace" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaFaceSelection) selection = pa_face_selection_parse (cases[i].targets, cases[i].sources, &error);

      g_assert_null (selection);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].in_message) == NULL)
        g_error ("“%s”/“%s”: “%s” does not say “%s”", cases[i].targets,
                 cases[i].sources ? cases[i].sources : "(null)", error->message, cases[i].in_message);
    }
}

static const double eyes[] = { 40, 90, 60, 120, 20 };
static const PaFaceQuality qualities[] = {
  PA_FACE_QUALITY_GOOD, PA_FACE_QUALITY_GOOD, PA_FACE_QUALITY_GOOD,
  PA_FACE_QUALITY_TOO_TURNED,  /* the largest, but turned away */
  PA_FACE_QUALITY_TOO_SMALL,
};

static GArray *
resolve (const char  *targets,
         const char  *sources,
         GPtrArray   *source_faces,
         GPtrArray   *target_faces,
         GPtrArray  **skipped,
         GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(PaFaceSelection) selection = pa_face_selection_parse (targets, sources, &parse_error);

  g_assert_no_error (parse_error);
  return pa_face_selection_resolve (selection, source_faces, target_faces, skipped, error);
}

static void
test_resolve (void)
{
  g_autoptr(GPtrArray) one_source = make_faces (1, eyes, qualities);
  g_autoptr(GPtrArray) sources = make_faces (3, eyes, qualities);
  g_autoptr(GPtrArray) targets = make_faces (5, eyes, qualities);
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GArray) pairs = NULL;
  g_autoptr(GError) error = NULL;

  /* All: every good target, the turned and the small one reported. The
   * source is the largest good face of the source picture (1). */
  pairs = resolve ("all", NULL, sources, targets, &skipped, &error);
  g_assert_no_error (error);
  assert_pairs (pairs, "1>0 1>1 1>2");
  g_assert_cmpuint (skipped->len, ==, 2);
  g_assert_cmpint (((PaFace *) g_ptr_array_index (skipped, 0))->index, ==, 3);
  g_assert_cmpint (((PaFace *) g_ptr_array_index (skipped, 1))->index, ==, 4);
  g_clear_pointer (&pairs, g_array_unref);
  g_clear_pointer (&skipped, g_ptr_array_unref);

  /* Largest: the largest *good* face (1, not the turned 3). */
  pairs = resolve ("largest", NULL, one_source, targets, &skipped, &error);
  g_assert_no_error (error);
  assert_pairs (pairs, "0>1");
  g_assert_cmpuint (skipped->len, ==, 2);
  g_clear_pointer (&pairs, g_array_unref);
  g_clear_pointer (&skipped, g_ptr_array_unref);

  /* A list, in the order given, with sources in order and the last one
   * repeated. Nothing is skipped: every listed face is good. */
  pairs = resolve ("2,0,1", "2,0", sources, targets, &skipped, &error);
  g_assert_no_error (error);
  assert_pairs (pairs, "2>2 0>0 0>1");
  g_assert_cmpuint (skipped->len, ==, 0);
  g_clear_pointer (&pairs, g_array_unref);
  g_clear_pointer (&skipped, g_ptr_array_unref);

  /* Sources with "all": given to the chosen faces left to right. */
  pairs = resolve (NULL, "0,2", sources, targets, NULL, &error);
  g_assert_no_error (error);
  assert_pairs (pairs, "0>0 2>1 2>2");
  g_clear_pointer (&pairs, g_array_unref);
}

static void
assert_resolve_fails (const char *targets,
                      const char *sources,
                      GPtrArray  *source_faces,
                      GPtrArray  *target_faces,
                      int         code,
                      const char *in_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GArray) pairs = resolve (targets, sources, source_faces, target_faces, &skipped, &error);

  g_assert_null (pairs);
  g_assert_null (skipped);
  g_assert_error (error, PA_ERROR, code);
  if (strstr (error->message, in_message) == NULL)
    g_error ("%s/%s: “%s” does not say “%s”", targets, sources, error->message, in_message);
}

static void
test_resolve_errors (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GPtrArray) sources = make_faces (3, eyes, qualities);
  g_autoptr(GPtrArray) targets = make_faces (5, eyes, qualities);
  g_autoptr(GPtrArray) one = make_faces (1, eyes, qualities);
  g_autoptr(GPtrArray) bad_targets = make_faces (2, eyes + 3, qualities + 3);

  /* Listed faces that are not there, or not good, named with why. */
  assert_resolve_fails ("5", NULL, sources, targets, PA_ERROR_INVALID_INPUT,
                        "no face 5: 5 faces were found in the picture, numbered 0 to 4");
  assert_resolve_fails ("1", NULL, sources, one, PA_ERROR_INVALID_INPUT,
                        "no face 1: one face was found in the picture, face 0");
  assert_resolve_fails ("0", NULL, sources, none, PA_ERROR_INVALID_INPUT,
                        "no face 0: no face was found");
  assert_resolve_fails ("0,3", NULL, sources, targets, PA_ERROR_INVALID_INPUT, "Face 3 is turned");
  assert_resolve_fails ("0,3", NULL, sources, targets, PA_ERROR_INVALID_INPUT, "(too-turned)");
  assert_resolve_fails ("4", NULL, sources, targets, PA_ERROR_INVALID_INPUT, "Face 4 is too small");
  assert_resolve_fails ("4", NULL, sources, targets, PA_ERROR_INVALID_INPUT, "(too-small)");
  assert_resolve_fails ("0", "7", sources, targets, PA_ERROR_INVALID_INPUT,
                        "no source face 7: 3 faces were found in the face picture");
  assert_resolve_fails ("0", "3", targets, targets, PA_ERROR_INVALID_INPUT,
                        "In the face picture: Face 3 is turned");
  assert_resolve_fails ("largest", "0,1", sources, targets, PA_ERROR_INVALID_INPUT,
                        "2 source faces were given for 1 face to replace");

  /* Nothing to swap. */
  assert_resolve_fails ("all", NULL, none, targets, PA_ERROR_NOT_FOUND, "No face was found in the face picture");
  assert_resolve_fails ("all", NULL, sources, none, PA_ERROR_NOT_FOUND, "No face was found in the picture");
  assert_resolve_fails ("largest", NULL, sources, bad_targets, PA_ERROR_NOT_FOUND,
                        "No face in the picture can be swapped well: Face 0 is turned");
  assert_resolve_fails ("all", NULL, sources, bad_targets, PA_ERROR_NOT_FOUND, "Face 1 is too small");
  assert_resolve_fails ("all", NULL, bad_targets, targets, PA_ERROR_NOT_FOUND,
                        "No face in the face picture can be used well");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/face-selection/parse-good", test_parse_good);
  g_test_add_func ("/face-selection/parse-bad", test_parse_bad);
  g_test_add_func ("/face-selection/resolve", test_resolve);
  g_test_add_func ("/face-selection/resolve-errors", test_resolve_errors);

  return g_test_run ();
}
