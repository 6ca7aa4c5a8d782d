/* pa-qr-view.c — draws a QR code (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-qr-view.h"
