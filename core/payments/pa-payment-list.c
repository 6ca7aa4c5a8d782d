/* pa-payment-list.c — (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-payment-list.h"
