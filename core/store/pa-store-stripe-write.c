/* pa-store-stripe-write.c — (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-store-stripe.h"
