/* pa-test-actions.h — actions only tests register
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-action.h"

G_BEGIN_DECLS

/* Adds `local.fail` to @registry: a step that fails for good
 * (PA_ERROR_FAILED) with its `message` argument, or a fixed message. It is
 * not in the product's default registry, so only tests can name it. */
void pa_test_register_fail_action (PaActionRegistry *registry);

G_END_DECLS
