/* pa-json-private.h — reading the members of platform answers
 *
 * Platforms answer with JSON whose members may be missing, null or of an
 * unexpected type; these return NULL/FALSE instead of warning, so each
 * client decides what a missing member means.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char *pa_json_get_string (JsonObject *object,
                                const char *name);
JsonObject *pa_json_get_object (JsonObject *object,
                                const char *name);
JsonArray  *pa_json_get_array  (JsonObject *object,
                                const char *name);
/* Integers, and doubles truncated toward zero. */
gboolean    pa_json_get_int    (JsonObject *object,
                                const char *name,
                                gint64     *value);

G_END_DECLS
