/* pa-json-guard.h — parse JSON from anywhere without trusting it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "pa-error.h"

G_BEGIN_DECLS

gboolean  pa_json_check_bounds  (const char   *data,
                                 gsize         length,
                                 gsize         max_bytes,
                                 PaErrorCode   code,
                                 const char   *what,
                                 GError      **error);
JsonNode *pa_json_parse_bounded (const char   *data,
                                 gssize        length,
                                 gsize         max_bytes,
                                 PaErrorCode   code,
                                 const char   *what,
                                 GError      **error);

G_END_DECLS
