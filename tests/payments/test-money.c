/* test-money.c — minor units, Stripe's currency classes and ICU's formats
 *
 * The expected strings are what ICU (CLDR) writes; its spaces are not
 * ASCII: U+00A0 NO-BREAK SPACE between number and symbol, U+202F NARROW
 * NO-BREAK SPACE in French grouping, U+200F RIGHT-TO-LEFT MARK before
 * Arabic amounts.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "pa-error.h"
#include "pa-money.h"
#include "pa-stripe.h"

#define NBSP   "\u00a0"
#define NNBSP  "\u202f"
#define RLM    "\u200f"

typedef struct {
  gint64      minor;
  const char *currency;
  const char *locale;
  const char *expected;
} FormatCase;

static void
check_formats (const FormatCase *cases,
               gsize             n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *text = pa_money_format (cases[i].minor, cases[i].currency,
                                               cases[i].locale);

      g_test_message ("%" G_GINT64_FORMAT " %s in %s → “%s”", cases[i].minor,
                      cases[i].currency, cases[i].locale, text);
      /* Every case is checked; the test fails at the end if one was off. */
      if (g_strcmp0 (text, cases[i].expected) != 0)
        g_test_fail_printf ("%" G_GINT64_FORMAT " %s in %s: expected “%s”, got “%s”",
                 cases[i].minor, cases[i].currency, cases[i].locale,
                 cases[i].expected, text);
    }
}

typedef struct {
  const char *text;
  const char *currency;
  const char *locale;
  gint64      minor;
} ParseCase;

static void
check_parses (const ParseCase *cases,
              gsize            n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 minor = -1;

      g_test_message ("“%s” %s in %s → %" G_GINT64_FORMAT, cases[i].text,
                      cases[i].currency, cases[i].locale, cases[i].minor);
      if (!pa_money_parse (cases[i].text, cases[i].currency, cases[i].locale, &minor, &error))
        g_error ("“%s” %s in %s was refused: %s", cases[i].text, cases[i].currency,
                 cases[i].locale, error->message);
      if (minor != cases[i].minor)
        g_error ("“%s” %s in %s: expected %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT,
                 cases[i].text, cases[i].currency, cases[i].locale, cases[i].minor, minor);
    }
}

/* Refused with PA_ERROR_INVALID_INPUT, a message containing @hint (NULL:
 * any message), and *minor left alone. */
static void
check_refused (const char *text,
               const char *currency,
               const char *locale,
               const char *hint)
{
  g_autoptr(GError) error = NULL;
  /* The hostile inputs include bytes that are not UTF-8: escaped, so the
   * test's own output stays readable TAP. */
  g_autofree char *shown = text != NULL ? g_strescape (text, NULL) : g_strdup ("(null)");
  gint64 minor = 4242;

  if (pa_money_parse (text, currency, locale, &minor, &error))
    g_error ("“%s” %s in %s was taken as %" G_GINT64_FORMAT ", it should be refused",
             shown, currency, locale, minor);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_cmpint (minor, ==, 4242);
  g_test_message ("“%s” %s in %s refused: %s", shown, currency, locale, error->message);
  g_assert_cmpstr (error->message, !=, "");
  if (hint != NULL && strstr (error->message, hint) == NULL)
    g_error ("“%s” %s: the message “%s” does not say “%s”", text, currency,
             error->message, hint);
}

/* ---- Stripe's currency classes ----------------------------------------- */

static void
test_minor_digits (void)
{
  const char *zero[] = { "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG",
                         "RWF", "VND", "VUV", "XAF", "XOF", "XPF", "jpy", "Krw" };
  const char *three[] = { "BHD", "JOD", "KWD", "OMR", "TND", "kwd" };
  /* Stripe's special cases: ICU shows ISK and UGX without decimals, but
   * Stripe's API keeps all four two-decimal. */
  const char *two[] = { "USD", "EUR", "GBP", "ISK", "UGX", "HUF", "TWD", "usd" };
  const char *invalid[] = { NULL, "", "US", "USDD", "U$D", "12€", "us d" };

  for (gsize i = 0; i < G_N_ELEMENTS (zero); i++)
    g_assert_cmpuint (pa_money_minor_digits (zero[i]), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (three); i++)
    g_assert_cmpuint (pa_money_minor_digits (three[i]), ==, 3);
  for (gsize i = 0; i < G_N_ELEMENTS (two); i++)
    {
      g_assert_cmpuint (pa_money_minor_digits (two[i]), ==, 2);
      /* The same table as the Stripe client's. */
      g_assert_cmpuint (pa_stripe_currency_decimals (two[i]), ==, 2);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (pa_money_currency_is_valid (invalid[i]));
      g_assert_cmpuint (pa_money_minor_digits (invalid[i]), ==, 2);
    }
  g_assert_true (pa_money_currency_is_valid ("usd"));
  g_assert_true (pa_money_currency_is_valid ("XYZ"));
}

static void
test_format_two_decimal (void)
{
  const FormatCase cases[] = {
    { 123456, "usd", "en_US.UTF-8", "$1,234.56" },
    { 123456, "eur", "en_US", "€1,234.56" },
    { 123456, "eur", "de_DE.UTF-8", "1.234,56" NBSP "€" },
    { 123456, "EUR", "fr_FR.UTF-8", "1" NNBSP "234,56" NBSP "€" },
    { 123456, "usd", "fr_FR", "1" NNBSP "234,56" NBSP "$US" },
    { 5, "eur", "de_DE", "0,05" NBSP "€" },
    { 0, "usd", "en_US", "$0.00" },
    { 100, "gbp", "en_GB", "£1.00" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_zero_decimal (void)
{
  const FormatCase cases[] = {
    { 500, "jpy", "en_US", "¥500" },
    { 500, "jpy", "ja_JP.UTF-8", "￥500" },
    { 123456, "jpy", "de_DE", "123.456" NBSP "¥" },
    { 1000000, "krw", "ko_KR.UTF-8", "₩1,000,000" },
    { 1000000, "krw", "en_US", "₩1,000,000" },
    { 7, "xof", "fr_FR", "7" NBSP "F" NNBSP "CFA" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_three_decimal (void)
{
  const FormatCase cases[] = {
    { 1234, "kwd", "en_US", "KWD" NBSP "1.234" },
    { 1234, "kwd", "de_DE", "1,234" NBSP "KWD" },
    { 5, "bhd", "en_US", "BHD" NBSP "0.005" },
    { 123450, "bhd", "ar_BH", RLM "١٢٣٫٤٥٠" NBSP "د.ب." RLM },
    { 100, "tnd", "fr_FR", "0,100" NBSP "TND" },
    { 100, "tnd", "fr_TN", "0,100" NBSP "DT" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_special_cases (void)
{
  const FormatCase cases[] = {
    /* ICU writes ISK and UGX without decimals, as people do; Stripe's
     * hundredths are there all the same when an old amount has them. */
    { 4000, "isk", "en_US", "ISK" NBSP "40" },
    { 4050, "isk", "en_US", "ISK" NBSP "40.50" },
    { 500, "ugx", "en_US", "UGX" NBSP "5" },
    { 550, "ugx", "en_US", "UGX" NBSP "5.50" },
    { 123456, "huf", "hu_HU", "1" NBSP "234,56" NBSP "Ft" },
    { 123456, "twd", "zh_TW", "$1,234.56" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_locales (void)
{
  const FormatCase cases[] = {
    /* Arabic-Indic digits, Arabic separators, a right-to-left mark. */
    { 123456, "eur", "ar_EG", RLM "١٬٢٣٤٫٥٦" NBSP "€" },
    { 500, "jpy", "ar_EG.UTF-8", RLM "٥٠٠" NBSP "JP¥" },
    /* Indian grouping: lakhs and crores. */
    { 1234567890, "usd", "hi_IN", "$1,23,45,678.90" },
    /* BCP 47 tags, POSIX names with codeset and modifier, the C locale. */
    { 500, "jpy", "ja-JP", "￥500" },
    { 123456, "eur", "de-AT", "€" NBSP "1.234,56" },
    { 123456, "eur", "sr_RS@latin", "1.234,56" NBSP "€" },
    { 123456, "usd", "C", "$" NBSP "1234.56" },
    { 123456, "usd", "C.UTF-8", "$" NBSP "1234.56" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_negative (void)
{
  const FormatCase cases[] = {
    { -123456, "usd", "en_US", "-$1,234.56" },
    { -123456, "eur", "de_DE", "-1.234,56" NBSP "€" },
    { -50, "eur", "fr_FR", "-0,50" NBSP "€" },
    { -500, "jpy", "en_US", "-¥500" },
    { -5, "kwd", "en_US", "-KWD" NBSP "0.005" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_huge (void)
{
  const FormatCase cases[] = {
    { G_MAXINT64, "usd", "en_US", "$92,233,720,368,547,758.07" },
    { G_MININT64, "usd", "en_US", "-$92,233,720,368,547,758.08" },
    { G_MAXINT64, "jpy", "en_US", "¥9,223,372,036,854,775,807" },
    { G_MININT64, "jpy", "en_US", "-¥9,223,372,036,854,775,808" },
    { G_MAXINT64, "kwd", "en_US", "KWD" NBSP "9,223,372,036,854,775.807" },
    { G_MAXINT64, "eur", "de_DE", "92.233.720.368.547.758,07" NBSP "€" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_fallback (void)
{
  const FormatCase cases[] = {
    /* Well-formed but not ISO 4217: ICU writes the code. */
    { 1234, "xyz", "en_US", "XYZ" NBSP "12.34" },
    /* Not a code at all: the plain amount and what is left of it. */
    { 1234, "u$", "en_US", "12.34 U" },
    { 1234, "<b>x</b>", "en_US", "12.34 BXB" },
    { 1234, "", "en_US", "12.34" },
    { 1234, NULL, "en_US", "12.34" },
    /* A locale that is not one. */
    { 1234, "usd", "!!bad", "12.34 USD" },
    { -500, "jpy", "", "-500 JPY" },
    { 1234, "kwd", "de_DE;rm -rf", "1.234 KWD" },
  };

  check_formats (cases, G_N_ELEMENTS (cases));
}

static void
test_format_process_locale (void)
{
  const char *vars[] = { "LC_ALL", "LC_MONETARY", "LANG" };
  char *saved[G_N_ELEMENTS (vars)] = { NULL };
  g_autofree char *french = NULL;
  g_autofree char *german = NULL;
  g_autofree char *posix = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (vars); i++)
    saved[i] = g_strdup (g_getenv (vars[i]));

  /* This process never called setlocale(): the environment decides,
   * in POSIX's order. */
  g_unsetenv ("LC_ALL");
  g_setenv ("LC_MONETARY", "fr_FR.UTF-8", TRUE);
  g_setenv ("LANG", "de_DE.UTF-8", TRUE);
  french = pa_money_format (123456, "eur", NULL);
  g_assert_cmpstr (french, ==, "1" NNBSP "234,56" NBSP "€");

  g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
  g_setenv ("LC_MONETARY", "fr_FR.UTF-8", TRUE);
  german = pa_money_format (123456, "eur", NULL);
  g_assert_cmpstr (german, ==, "1.234,56" NBSP "€");

  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MONETARY");
  g_unsetenv ("LANG");
  posix = pa_money_format (123456, "usd", NULL);
  g_assert_cmpstr (posix, ==, "$" NBSP "1234.56");

  for (gsize i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      if (saved[i] != NULL)
        g_setenv (vars[i], saved[i], TRUE);
      else
        g_unsetenv (vars[i]);
      g_free (saved[i]);
    }
}

static void
test_format_plain (void)
{
  const struct {
    gint64      minor;
    const char *currency;
    const char *expected;
  } cases[] = {
    { 123456, "usd", "1234.56" },
    { 500, "jpy", "500" },
    { -50, "kwd", "-0.050" },
    { 5, "eur", "0.05" },
    { 0, "bhd", "0.000" },
    { 4000, "isk", "40.00" },
    { G_MININT64, "usd", "-92233720368547758.08" },
    { G_MAXINT64, "xof", "9223372036854775807" },
    { 1234, "??", "12.34" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = pa_money_format_plain (cases[i].minor, cases[i].currency);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* ---- Reading what the user typed ------------------------------------- */

static void
test_parse_good (void)
{
  const ParseCase cases[] = {
    /* Two-decimal. */
    { "12.34", "usd", "en_US", 1234 },
    { "1,234.56", "usd", "en_US.UTF-8", 123456 },
    { "  7 ", "usd", "en_US", 700 },
    { "0.5", "usd", "en_US", 50 },
    { ".5", "usd", "en_US", 50 },
    { "12.", "usd", "en_US", 1200 },
    { "12.30", "usd", "en_US", 1230 },
    { "12.300", "usd", "en_US", 1230 },   /* zeros hide nothing */
    { "0", "usd", "en_US", 0 },
    { "12,34", "eur", "de_DE", 1234 },
    { "1.234,5", "eur", "de_DE.UTF-8", 123450 },
    { "1" NNBSP "234,56", "eur", "fr_FR", 123456 },
    { "1 234,56", "eur", "fr_FR", 123456 },
    { "1,00,000.50", "usd", "hi_IN", 10000050 },
    { "١٬٢٣٤٫٥٦", "usd", "ar_EG", 123456 },
    { "12.34", "usd", "ar_EG", 1234 },   /* Latin digits in Egypt too */
    { "999999.99", "usd", "en_US", 99999999 },
    /* Zero-decimal. */
    { "500", "jpy", "ja_JP", 500 },
    { "1,000,000", "krw", "ko_KR", 1000000 },
    { "99,999,999", "jpy", "en_US", 99999999 },
    /* Three-decimal, in Stripe's steps of 10. */
    { "5.12", "kwd", "en_US", 5120 },
    { "5.120", "kwd", "en_US", 5120 },
    { "0,01", "bhd", "de_DE", 10 },
    { "99999.99", "kwd", "en_US", 99999990 },
    /* Special cases: whole units, two-decimal for Stripe. */
    { "12", "isk", "en_US", 1200 },
    { "12.00", "isk", "en_US", 1200 },
    { "5000", "ugx", "en_US", 500000 },
    { "10,45", "huf", "hu_HU", 1045 },
    { "10.45", "twd", "zh_TW", 1045 },
  };

  check_parses (cases, G_N_ELEMENTS (cases));
}

static void
test_parse_hostile (void)
{
  const struct {
    const char *text;
    const char *currency;
    const char *locale;
    const char *hint;
  } cases[] = {
    { "", "usd", "en_US", "Enter an amount" },
    { "   ", "usd", "en_US", "Enter an amount" },
    { NULL, "usd", "en_US", "Enter an amount" },
    { "-5", "usd", "en_US", "sign" },
    { "-0", "usd", "en_US", "sign" },
    { "+5", "usd", "en_US", "sign" },
    { "\u22125", "usd", "en_US", "sign" },
    { "(5.00)", "usd", "en_US", "sign" },
    { "5-", "usd", "en_US", "sign" },
    { "1e3", "usd", "en_US", "1,234.56" },
    { "1E-2", "usd", "en_US", NULL },
    { "abc", "usd", "en_US", "1,234.56" },
    { "12abc", "usd", "en_US", NULL },
    { "$12", "usd", "en_US", NULL },
    { "12 34", "usd", "en_US", NULL },
    { "1,23,4", "usd", "en_US", NULL },
    { "1.2.3", "usd", "en_US", NULL },
    { "NaN", "usd", "en_US", NULL },
    { "∞", "usd", "en_US", NULL },
    { "0x10", "usd", "en_US", NULL },
    { "12.34", "eur", "de_DE", "1.234,56" },   /* not German */
    { "12\n34", "usd", "en_US", NULL },
    { "\xff\xfe", "usd", "en_US", "Enter an amount" },   /* not UTF-8 */
    { "12.345", "usd", "en_US", "0.01" },
    { "500.5", "jpy", "en_US", "¥1" },
    { "1.0001", "kwd", "en_US", "0.001" },
    { "1000000", "usd", "en_US", "$999,999.99" },
    { "100000000", "jpy", "en_US", "¥99,999,999" },
    { "99999999999999999999999999", "usd", "en_US", NULL },
    { "0.000000000000000000000001", "usd", "en_US", NULL },
    { "12", "us", "en_US", "three-letter" },
    { "12", NULL, "en_US", "three-letter" },
  };
  g_autofree char *long_digits = g_strnfill (4096, '9');

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_refused (cases[i].text, cases[i].currency, cases[i].locale, cases[i].hint);
  check_refused (long_digits, "usd", "en_US", NULL);
}

static void
test_parse_stripe_steps (void)
{
  /* Stripe wants three-decimal amounts to end in 0 and ISK/UGX in whole
   * units. The amount is refused, not rounded, and the message names the
   * two amounts around it. */
  check_refused ("5.124", "kwd", "en_US", "KWD" NBSP "5.120 or KWD" NBSP "5.130");
  check_refused ("0.001", "bhd", "en_US", "BHD" NBSP "0.000 or BHD" NBSP "0.010");
  check_refused ("5,124", "kwd", "de_DE", "5,120" NBSP "KWD or 5,130" NBSP "KWD");
  check_refused ("12.50", "isk", "en_US", "ISK" NBSP "12 or ISK" NBSP "13");
  check_refused ("5.5", "ugx", "en_US", "UGX" NBSP "5 or UGX" NBSP "6");
}

static void
test_round_trip (void)
{
  const char *currencies[] = { "usd", "eur", "jpy", "krw", "kwd", "bhd", "isk", "huf" };
  const gint64 amounts[] = { 0, 1, 10, 99, 100, 1234, 100000, 5550, 99999900 };

  /* What format_plain writes, parse reads back in a '.'-locale. */
  for (gsize c = 0; c < G_N_ELEMENTS (currencies); c++)
    for (gsize a = 0; a < G_N_ELEMENTS (amounts); a++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *plain = pa_money_format_plain (amounts[a], currencies[c]);
        gint64 back = -1;
        gboolean stripe_ok;

        stripe_ok = !(g_str_equal (currencies[c], "isk") && amounts[a] % 100 != 0)
                    && !(pa_money_minor_digits (currencies[c]) == 3 && amounts[a] % 10 != 0);
        if (pa_money_parse (plain, currencies[c], "en_US", &back, &error))
          {
            g_assert_true (stripe_ok);
            g_assert_cmpint (back, ==, amounts[a]);
          }
        else
          {
            g_assert_false (stripe_ok);
            g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
          }
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/money/minor-digits", test_minor_digits);
  g_test_add_func ("/money/format/two-decimal", test_format_two_decimal);
  g_test_add_func ("/money/format/zero-decimal", test_format_zero_decimal);
  g_test_add_func ("/money/format/three-decimal", test_format_three_decimal);
  g_test_add_func ("/money/format/special-cases", test_format_special_cases);
  g_test_add_func ("/money/format/locales", test_format_locales);
  g_test_add_func ("/money/format/negative", test_format_negative);
  g_test_add_func ("/money/format/huge", test_format_huge);
  g_test_add_func ("/money/format/fallback", test_format_fallback);
  g_test_add_func ("/money/format/process-locale", test_format_process_locale);
  g_test_add_func ("/money/format/plain", test_format_plain);
  g_test_add_func ("/money/parse/good", test_parse_good);
  g_test_add_func ("/money/parse/hostile", test_parse_hostile);
  g_test_add_func ("/money/parse/stripe-steps", test_parse_stripe_steps);
  g_test_add_func ("/money/round-trip", test_round_trip);

  return g_test_run ();
}
