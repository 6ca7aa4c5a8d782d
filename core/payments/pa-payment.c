/* pa-payment.c — (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-payment.h"
