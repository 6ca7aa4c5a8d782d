/* pa-json-private.h — reading the members of platform answers
 *
 * Platforms answer with JSON whose members may be missing, null or of an
 * unexpected type; these return NULL/FALSE instead of warning, so each
 * client decides what a missing member means.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-json-private.h is private to core/platforms: use its public headers"
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* NULL when @object is NULL or has no such member. */
JsonNode   *pa_json_get_member (JsonObject *object,
                                const char *name);
/* @node's object, or NULL when @node is NULL or holds something else. */
JsonObject *pa_json_node_get_object (JsonNode *node);
const char *pa_json_get_string (JsonObject *object,
                                const char *name);
JsonObject *pa_json_get_object (JsonObject *object,
                                const char *name);
JsonArray  *pa_json_get_array  (JsonObject *object,
                                const char *name);
/* Integers, and doubles that hold a whole number within gint64's range
 * (FALSE for 1e300, NaN or 2.5: converting those would be undefined or
 * would lose the value). */
gboolean    pa_json_get_int    (JsonObject *object,
                                const char *name,
                                gint64     *value);
/* The first element of @array if it is an object, else NULL. */
JsonObject *pa_json_array_get_first_object (JsonArray *array);
/* TRUE only for a member that is the boolean true. */
gboolean    pa_json_get_boolean (JsonObject *object,
                                 const char *name);
/* A string, or a number written as decimal text (doubles rounded): some
 * platforms send ids and counters as either. */
char       *pa_json_dup_text   (JsonObject *object,
                                const char *name);

G_END_DECLS
