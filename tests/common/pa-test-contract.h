/* pa-test-contract.h — request bodies checked against an official contract
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *method;
  const char *path;        /* as the spec spells it */
  JsonNode   *body;
} PaTestBodyCase;

/* Checks each body with tests/peers/validate-bodies.cjs against the
 * request schema @spec_relpath (under the fixtures) gives for its method
 * and path. Returns for each case whether it is valid (g_free() it), with
 * the reasons in @errors (a GStrv: "" for a valid case). Returns NULL when
 * the spec or node is missing: the test was then failed, or skipped (see
 * pa-test-require.h). */
gboolean *pa_test_validate_bodies (const char     *spec_relpath,
                                   PaTestBodyCase *cases,
                                   gsize           n_cases,
                                   char         ***errors);

G_END_DECLS
