/* pa-sell-dialog.c — sells a picture (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-sell-dialog.h"
