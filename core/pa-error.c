/* pa-error.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-error.h"

G_DEFINE_QUARK (pa-error-quark, pa_error)
