/* pa-face-selection.h — which faces of the picture to replace, and with
 * which face of the source
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PaFaceTargets:
 * @PA_FACE_TARGETS_ALL: every good face
 * @PA_FACE_TARGETS_LARGEST: the good face with the largest eye distance
 * @PA_FACE_TARGETS_LIST: the faces whose indexes (left to right, from 0)
 *   are listed
 */
typedef enum {
  PA_FACE_TARGETS_ALL,
  PA_FACE_TARGETS_LARGEST,
  PA_FACE_TARGETS_LIST,
} PaFaceTargets;

/* One swap to make: source face @source onto target face @target (both
 * indexes left to right in their pictures). */
typedef struct {
  int source;
  int target;
} PaFacePair;

typedef struct _PaFaceSelection PaFaceSelection;

#define PA_TYPE_FACE_SELECTION (pa_face_selection_get_type ())
GType            pa_face_selection_get_type  (void) G_GNUC_CONST;

/* @targets: "all", "largest", or indexes "0,2"; NULL means "all".
 * @sources: NULL means the largest good face of the source for every
 * target; otherwise source indexes "1,0" given to the targets in order
 * (the listed targets, or the chosen faces left to right), the last
 * repeated when there are fewer sources than targets.
 * PA_ERROR_INVALID_INPUT with a message that shows the right form. */
PaFaceSelection *pa_face_selection_parse     (const char             *targets,
                                              const char             *sources,
                                              GError                **error);
PaFaceSelection *pa_face_selection_new_all   (void);
PaFaceSelection *pa_face_selection_copy      (const PaFaceSelection  *self);
void             pa_face_selection_free      (PaFaceSelection        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaFaceSelection, pa_face_selection_free)

PaFaceTargets    pa_face_selection_get_targets (const PaFaceSelection *self);
/* The listed indexes (PA_FACE_TARGETS_LIST), or NULL. */
const GArray    *pa_face_selection_get_target_list (const PaFaceSelection *self);
/* The "targets"/"sources" strings that parse back to @self. */
char            *pa_face_selection_to_string (const PaFaceSelection  *self,
                                              char                  **sources_out);

/* Applies @self to the faces found (GPtrArray of PaFace, left to right)
 * in the source and the target: returns a GArray of PaFacePair. A listed
 * index that is not there, or a listed face that is not GOOD, fails with
 * PA_ERROR_INVALID_INPUT naming it and its quality; with "all" or
 * "largest", faces that are not good are left out and added to
 * @skipped_out (a GPtrArray of PaFace, may be NULL). No face in the
 * source, or no good target at all, fails with PA_ERROR_NOT_FOUND. */
GArray          *pa_face_selection_resolve   (const PaFaceSelection  *self,
                                              GPtrArray              *source_faces,
                                              GPtrArray              *target_faces,
                                              GPtrArray             **skipped_out,
                                              GError                **error);

G_END_DECLS
