/* pa-qr-code.c — (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-qr-code.h"
