/* pa-money.c — (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-money.h"
