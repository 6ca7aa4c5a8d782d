/* pa-money.h — amounts of money: minor units, Stripe's currency classes, the user's locale
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every amount in the core is an integer count of the currency's minor
 * unit as Stripe counts it (cents for USD, yen for JPY, fils for KWD).
 * Only display and input deal in decimals, through the calls below. */

/* Digits after the decimal point in Stripe's minor unit for @currency
 * (ISO 4217, any case): 0 for Stripe's zero-decimal currencies (JPY,
 * KRW, …), 3 for the three-decimal ones (BHD, JOD, KWD, OMR, TND), else
 * 2. An unknown or malformed code gives 2. */
guint     pa_money_minor_digits  (const char  *currency);

/* TRUE when @currency is a three-letter ISO 4217 code (any case). */
gboolean  pa_money_currency_is_valid (const char *currency);

/* @minor units of @currency as the user reads money in @locale (a
 * POSIX or BCP 47 name, e.g. "de_DE.UTF-8" or "ja-JP"; NULL = the
 * process's LC_MONETARY, then LC_ALL/LANG), formatted by ICU: 123456
 * "eur" in de_DE → "1.234,56 €", in en_US → "€1,234.56"; 500 "jpy" in
 * en_US → "¥500"; 1234 "kwd" → "KWD 1.234". Never rounds away a minor
 * unit Stripe counts. Returns a newly allocated UTF-8 string; an
 * unusable currency or locale still gives a readable "12.34 XYZ". */
char     *pa_money_format        (gint64       minor,
                                  const char  *currency,
                                  const char  *locale);

/* The same without grouping or symbol, for machines: "1234.56",
 * "500", "-0.050" (in @currency's minor digits, '.' as separator). */
char     *pa_money_format_plain  (gint64       minor,
                                  const char  *currency);

/* Reads an amount the user typed in @currency's major unit ("12.34",
 * "12,34" in a locale that writes a decimal comma, "1.234,5" with
 * grouping in @locale; NULL = the process's locale) into minor units.
 * PA_ERROR_INVALID_INPUT with a message that says what is wrong: empty,
 * not a number, negative, more decimals than the currency has (JPY takes
 * none), or beyond what Stripe takes (99,999,999 minor units). */
gboolean  pa_money_parse         (const char  *text,
                                  const char  *currency,
                                  const char  *locale,
                                  gint64      *minor,
                                  GError     **error);

G_END_DECLS
