/* pa-money.c — amounts of money: minor units, Stripe's currency classes, the user's locale
 *
 * Amounts stay integers until they meet a person. On the way out they
 * become an exact decimal string ("1234.56", built from the integer,
 * never through a double) that ICU formats for the locale; on the way in
 * ICU reads the locale's digits, separators and grouping, and the
 * decimal string it gives back is turned into minor units by integer
 * arithmetic, with Stripe's rules checked on the exact value.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <unicode/uloc.h>
#include <unicode/unum.h>

#include "pa-error.h"
#include "pa-stripe.h"

#include "pa-money.h"

/* The largest amount Stripe takes, in minor units of any currency. */
#define STRIPE_MAX_MINOR G_GINT64_CONSTANT (99999999)

/* Longer input than this is not an amount anybody typed. */
#define PARSE_MAX_BYTES 64

gboolean
pa_money_currency_is_valid (const char *currency)
{
  if (currency == NULL)
    return FALSE;
  for (int i = 0; i < 3; i++)
    if (!g_ascii_isalpha (currency[i]))
      return FALSE;
  return currency[3] == '\0';
}

guint
pa_money_minor_digits (const char *currency)
{
  if (!pa_money_currency_is_valid (currency))
    return 2;
  return pa_stripe_currency_decimals (currency);
}

/* The smallest step Stripe accepts, in minor units. Three-decimal
 * currencies must end in 0 ("to ensure compatibility with Stripe's
 * payments partners"); ISK and UGX are two-decimal in the API but only
 * whole units may be charged (Stripe's special cases). HUF and TWD
 * are whole units only for payouts, which this app does not make. */
static gint64
stripe_step (const char *currency)
{
  if (!pa_money_currency_is_valid (currency))
    return 1;
  if (g_ascii_strcasecmp (currency, "ISK") == 0
      || g_ascii_strcasecmp (currency, "UGX") == 0)
    return 100;
  if (pa_stripe_currency_decimals (currency) == 3)
    return 10;
  return 1;
}

/* "-1234.56" for -123456 in 2 digits; G_MININT64 included (its
 * magnitude is computed unsigned). */
static char *
decimal_string (gint64 minor,
                guint  digits)
{
  guint64 magnitude = minor < 0 ? (guint64) 0 - (guint64) minor : (guint64) minor;
  g_autofree char *number = g_strdup_printf ("%0*" G_GUINT64_FORMAT, (int) digits + 1, magnitude);
  gsize len = strlen (number);
  GString *out = g_string_new (minor < 0 ? "-" : "");

  g_string_append_len (out, number, len - digits);
  if (digits > 0)
    {
      g_string_append_c (out, '.');
      g_string_append (out, number + len - digits);
    }
  return g_string_free (out, FALSE);
}

char *
pa_money_format_plain (gint64      minor,
                       const char *currency)
{
  return decimal_string (minor, pa_money_minor_digits (currency));
}

/* What is shown when ICU cannot help: the plain amount and the code, or
 * what is left of a code that is not one (only letters and digits, so
 * a hostile string cannot smuggle anything into the page). */
static char *
format_fallback (gint64      minor,
                 const char *currency)
{
  g_autofree char *plain = pa_money_format_plain (minor, currency);
  char code[9];
  gsize len = 0;

  for (const char *p = currency; p != NULL && *p != '\0' && len < sizeof code - 1; p++)
    if (g_ascii_isalnum (*p))
      code[len++] = g_ascii_toupper (*p);
  code[len] = '\0';
  if (len == 0)
    return g_steal_pointer (&plain);
  return g_strdup_printf ("%s %s", plain, code);
}

/* ------------------------------------------------------------------------ */
/* Locales                                                                  */

/* The POSIX locale name the process uses for money: what setlocale()
 * made of the environment, or the environment itself when the program
 * never called setlocale() (the "C" it then reports is not the user's
 * choice). POSIX's order: LC_ALL, then LC_MONETARY, then LANG. */
static const char *
process_locale_name (void)
{
  const char *name = setlocale (LC_MONETARY, NULL);
  const char *vars[] = { "LC_ALL", "LC_MONETARY", "LANG" };

  if (name != NULL && strcmp (name, "C") != 0 && strcmp (name, "POSIX") != 0)
    return name;
  for (gsize i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *value = g_getenv (vars[i]);

      if (value != NULL && *value != '\0')
        return value;
    }
  return "C";
}

/* An ICU locale id for @name: a POSIX name ("de_DE.UTF-8",
 * "sr_RS@latin", "C") or a BCP 47 tag ("ja-JP", "ar-EG-u-nu-arab").
 * Unusable names give FALSE. */
static gboolean
icu_locale_id_from_name (const char *name,
                         char       *id,
                         gsize       id_size)
{
  char buffer[ULOC_FULLNAME_CAPACITY];
  UErrorCode status = U_ZERO_ERROR;
  const char *at;
  gsize len;

  if (*name == '\0' || strlen (name) >= sizeof buffer)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_-.@=;", *p) == NULL)
      return FALSE;

  /* ICU's own name for the C locale. */
  if (g_str_has_prefix (name, "C.") || strcmp (name, "C") == 0 || strcmp (name, "POSIX") == 0)
    {
      g_strlcpy (id, "en_US_POSIX", id_size);
      return TRUE;
    }

  if (strchr (name, '-') != NULL && strchr (name, '_') == NULL && strchr (name, '.') == NULL)
    {
      int32_t parsed = 0;

      uloc_forLanguageTag (name, id, (int32_t) id_size, &parsed, &status);
      return U_SUCCESS (status) && status != U_STRING_NOT_TERMINATED_WARNING
             && parsed == (int32_t) strlen (name) && *id != '\0';
    }

  /* language[_territory][.codeset][@modifier]: the codeset means nothing
   * to ICU; the modifiers that name a script become one. */
  len = strcspn (name, ".@");
  memcpy (buffer, name, len);
  buffer[len] = '\0';
  at = strchr (name, '@');
  if (at != NULL)
    {
      const char *script = NULL;

      if (g_ascii_strcasecmp (at + 1, "latin") == 0)
        script = "Latn";
      else if (g_ascii_strcasecmp (at + 1, "cyrillic") == 0)
        script = "Cyrl";
      if (script != NULL)
        {
          g_autofree char *language = g_strndup (buffer, strcspn (buffer, "_"));
          const char *rest = buffer + strlen (language);

          g_snprintf (buffer, sizeof buffer, "%s_%s%s", language, script, rest);
        }
    }

  uloc_canonicalize (buffer, id, (int32_t) id_size, &status);
  if (U_FAILURE (status) || status == U_STRING_NOT_TERMINATED_WARNING || *id == '\0')
    return FALSE;
  return TRUE;
}

/* @name, or the process's locale when NULL. Windows names its locales
 * its own way ("English_United States.1252"): ICU's default, which ICU
 * takes from the system there, stands in for what cannot be read. */
static gboolean
icu_locale_id (const char *name,
               char       *id,
               gsize       id_size)
{
  if (name != NULL)
    return icu_locale_id_from_name (name, id, id_size);
  if (icu_locale_id_from_name (process_locale_name (), id, id_size))
    return TRUE;
  g_strlcpy (id, uloc_getDefault (), id_size);
  return *id != '\0';
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */

static char *
utf16_to_utf8 (const UChar *text,
               int32_t      len)
{
  G_STATIC_ASSERT (sizeof (UChar) == sizeof (gunichar2));
  return g_utf16_to_utf8 ((const gunichar2 *) text, len, NULL, NULL, NULL);
}

/* @latin_digits: 0-9 whatever digits the locale writes by default
 * (people in Egypt type both ١٢ and 12). */
static UNumberFormat *
open_formatter (UNumberFormatStyle  style,
                const char         *locale,
                const char         *currency,
                gboolean            latin_digits)
{
  char id[ULOC_FULLNAME_CAPACITY];
  UErrorCode status = U_ZERO_ERROR;
  UNumberFormat *fmt;

  if (!icu_locale_id (locale, id, sizeof id))
    return NULL;
  if (latin_digits)
    {
      uloc_setKeywordValue ("numbers", "latn", id, sizeof id, &status);
      if (U_FAILURE (status))
        return NULL;
    }
  fmt = unum_open (style, NULL, 0, id, NULL, &status);
  if (U_FAILURE (status))
    return NULL;

  if (currency != NULL)
    {
      UChar code[4];

      for (int i = 0; i < 3; i++)
        code[i] = (UChar) g_ascii_toupper (currency[i]);
      code[3] = 0;
      unum_setTextAttribute (fmt, UNUM_CURRENCY_CODE, code, 3, &status);
      if (U_FAILURE (status))
        {
          unum_close (fmt);
          return NULL;
        }
    }
  return fmt;
}

static char *
format_decimal (UNumberFormat *fmt,
                const char    *number)
{
  UChar buffer[128];
  UErrorCode status = U_ZERO_ERROR;
  int32_t len;

  len = unum_formatDecimal (fmt, number, -1, buffer, G_N_ELEMENTS (buffer), NULL, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR)
    {
      g_autofree UChar *large = g_new (UChar, len + 1);

      status = U_ZERO_ERROR;
      len = unum_formatDecimal (fmt, number, -1, large, len + 1, NULL, &status);
      return U_SUCCESS (status) ? utf16_to_utf8 (large, len) : NULL;
    }
  if (U_FAILURE (status) || status == U_STRING_NOT_TERMINATED_WARNING)
    return NULL;
  return utf16_to_utf8 (buffer, len);
}

/* Digits after the point that are not zero: 1 for 123450 in 3 digits. */
static guint
significant_fraction_digits (gint64 minor,
                             guint  digits)
{
  guint64 magnitude = minor < 0 ? (guint64) 0 - (guint64) minor : (guint64) minor;

  while (digits > 0 && magnitude % 10 == 0)
    {
      magnitude /= 10;
      digits--;
    }
  return digits;
}

/* Formatters kept for reuse. Opening one (locale data, patterns,
 * currency names) costs far more than formatting with it, and a list
 * formats an amount for every row it shows. ICU's formatters may not
 * format on two threads at once, so each thread keeps its own: a table
 * of (locale, currency) → Formatter in a GPrivate, freed when the
 * thread ends. The key is the locale name as asked for ("p:" and the
 * process's name when @locale is NULL, since the process may change
 * it), so a lookup needs no ICU call. */
typedef struct
{
  UNumberFormat *fmt;           /* ICU's digits for the currency; NULL: no formatter */
  UNumberFormat *all_digits;    /* Stripe's minor digits, made when first needed */
  int32_t        icu_max;       /* fmt's maximum fraction digits */
} Formatter;

/* More than this many (locale, currency) pairs in one thread is not
 * a person reading money: start again rather than grow. */
#define FORMATTERS_MAX 64

static void
formatter_free (gpointer data)
{
  Formatter *f = data;

  g_clear_pointer (&f->fmt, unum_close);
  g_clear_pointer (&f->all_digits, unum_close);
  g_free (f);
}

static GPrivate formatters_key = G_PRIVATE_INIT ((GDestroyNotify) g_hash_table_unref);

/* Rounding off: an amount is shown exactly or not at all (see
 * pa_money_format). */
static void
set_exact (UNumberFormat *fmt)
{
  unum_setDoubleAttribute (fmt, UNUM_ROUNDING_INCREMENT, 0.0);
  unum_setAttribute (fmt, UNUM_ROUNDING_MODE, UNUM_ROUND_UNNECESSARY);
}

static Formatter *
currency_formatter (const char *locale,
                    const char *currency)
{
  GHashTable *formatters = g_private_get (&formatters_key);
  char key[ULOC_FULLNAME_CAPACITY + 8];
  const char *name = locale != NULL ? locale : process_locale_name ();
  Formatter *f;

  if (formatters == NULL)
    {
      formatters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, formatter_free);
      g_private_set (&formatters_key, formatters);
    }
  /* Names that long are refused by icu_locale_id_from_name: an
   * explicit one formats without ICU, the process's stands for ICU's
   * default locale (see icu_locale_id). */
  if (strlen (name) >= ULOC_FULLNAME_CAPACITY)
    {
      if (locale != NULL)
        return NULL;
      name = "";
    }
  g_snprintf (key, sizeof key, "%c:%s:%c%c%c", locale != NULL ? 'e' : 'p', name,
              g_ascii_toupper (currency[0]), g_ascii_toupper (currency[1]),
              g_ascii_toupper (currency[2]));
  f = g_hash_table_lookup (formatters, key);
  if (f != NULL)
    return f;

  if (g_hash_table_size (formatters) >= FORMATTERS_MAX)
    g_hash_table_remove_all (formatters);
  f = g_new0 (Formatter, 1);
  /* A failure is kept too, so a locale ICU cannot use costs once. */
  f->fmt = open_formatter (UNUM_CURRENCY, locale, currency, FALSE);
  if (f->fmt != NULL)
    {
      f->icu_max = unum_getAttribute (f->fmt, UNUM_MAX_FRACTION_DIGITS);
      set_exact (f->fmt);
    }
  g_hash_table_insert (formatters, g_strdup (key), f);
  return f;
}

char *
pa_money_format (gint64      minor,
                 const char *currency,
                 const char *locale)
{
  Formatter *f;
  UNumberFormat *fmt;
  g_autofree char *number = NULL;
  char *text;
  guint digits;

  if (!pa_money_currency_is_valid (currency))
    return format_fallback (minor, currency);
  f = currency_formatter (locale, currency);
  if (f == NULL || f->fmt == NULL)
    return format_fallback (minor, currency);

  /* ICU shows the currency's digits as CLDR has them, which is what
   * people read, but some currencies have fewer there than in Stripe's
   * minor unit (ISK shows none, Stripe counts hundredths). An amount
   * with a fraction ICU would round away is shown with all of Stripe's
   * digits instead; rounding is switched off so that any other such
   * case fails rather than hides money. */
  digits = pa_money_minor_digits (currency);
  fmt = f->fmt;
  if (significant_fraction_digits (minor, digits) > (guint) MAX (f->icu_max, 0))
    {
      if (f->all_digits == NULL)
        {
          UErrorCode status = U_ZERO_ERROR;

          f->all_digits = unum_clone (f->fmt, &status);
          if (U_FAILURE (status))
            {
              g_clear_pointer (&f->all_digits, unum_close);
              return format_fallback (minor, currency);
            }
          unum_setAttribute (f->all_digits, UNUM_MIN_FRACTION_DIGITS, (int32_t) digits);
          unum_setAttribute (f->all_digits, UNUM_MAX_FRACTION_DIGITS, (int32_t) digits);
          set_exact (f->all_digits);
        }
      fmt = f->all_digits;
    }

  number = decimal_string (minor, digits);
  text = format_decimal (fmt, number);
  return text != NULL ? text : format_fallback (minor, currency);
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */

/* Signs people type, in ASCII and elsewhere: amounts here are never
 * negative, and "+" is as unexpected. */
static gboolean
has_sign (const char *text)
{
  static const gunichar signs[] = {
    '-', '+', 0x2212 /* MINUS SIGN */, 0x2012, 0x2013, 0x2014, 0xFE62, 0xFE63,
    0xFF0B, 0xFF0D, '(', ')',
  };

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      for (gsize i = 0; i < G_N_ELEMENTS (signs); i++)
        if (c == signs[i])
          return TRUE;
    }
  return FALSE;
}

typedef enum {
  DECIMAL_OK,
  DECIMAL_NOT_A_NUMBER,
  DECIMAL_NEGATIVE,
  DECIMAL_TOO_PRECISE,
  DECIMAL_TOO_LARGE,
} DecimalResult;

/* Minor units from ICU's decimal string ("1234.5", "1.2345E+3", "0"),
 * exactly, by integer arithmetic: DECIMAL_TOO_PRECISE when it has more
 * decimals than @digits (trailing zeros aside), DECIMAL_TOO_LARGE when
 * it is more than @max minor units. */
static DecimalResult
decimal_to_minor (const char *decimal,
                  guint       digits,
                  gint64      max,
                  gint64     *minor)
{
  GString *mantissa = g_string_new (NULL);
  gint64 point = -1;          /* digits of the mantissa before the point */
  gint64 exponent = 0;
  gint64 frac;                /* digits after the point, with the exponent */
  guint64 value = 0;
  const char *p = decimal;
  DecimalResult result = DECIMAL_OK;

  if (*p == '-')
    {
      /* "-0" is a sign all the same. */
      g_string_free (mantissa, TRUE);
      return DECIMAL_NEGATIVE;
    }
  if (*p == '+')
    p++;
  for (; g_ascii_isdigit (*p) || *p == '.'; p++)
    {
      if (*p == '.')
        {
          if (point >= 0)
            goto not_a_number;
          point = (gint64) mantissa->len;
        }
      else
        g_string_append_c (mantissa, *p);
    }
  if (mantissa->len == 0 || mantissa->len > 1000)
    goto not_a_number;
  if (point < 0)
    point = (gint64) mantissa->len;
  if (*p == 'E' || *p == 'e')
    {
      gboolean negative = FALSE;
      char *end = NULL;

      p++;
      if (*p == '+' || *p == '-')
        negative = *p++ == '-';
      if (!g_ascii_isdigit (*p))
        goto not_a_number;
      exponent = (gint64) g_ascii_strtoull (p, &end, 10);
      if (exponent > 1000)
        goto too_large_or_precise;
      if (negative)
        exponent = -exponent;
      p = end;
    }
  if (*p != '\0')
    goto not_a_number;

  /* Trailing zeros after the point say nothing; drop them. */
  frac = (gint64) mantissa->len - point - exponent;
  while (frac > 0 && mantissa->len > 0 && mantissa->str[mantissa->len - 1] == '0')
    {
      g_string_truncate (mantissa, mantissa->len - 1);
      frac--;
    }
  if (frac > (gint64) digits)
    {
      result = DECIMAL_TOO_PRECISE;
      goto out;
    }
  /* The mantissa's digits then (digits - frac) zeros, as an integer. */
  for (gsize i = 0; i < mantissa->len; i++)
    {
      if (value > (guint64) max)
        {
          result = DECIMAL_TOO_LARGE;
          goto out;
        }
      value = value * 10 + (guint64) (mantissa->str[i] - '0');
    }
  for (gint64 i = frac; i < (gint64) digits; i++)
    {
      if (value > (guint64) max)
        {
          result = DECIMAL_TOO_LARGE;
          goto out;
        }
      value *= 10;
    }
  if (value > (guint64) max)
    {
      result = DECIMAL_TOO_LARGE;
      goto out;
    }
  *minor = (gint64) value;
  goto out;

too_large_or_precise:
  result = exponent > 0 ? DECIMAL_TOO_LARGE : DECIMAL_TOO_PRECISE;
  goto out;
not_a_number:
  result = DECIMAL_NOT_A_NUMBER;
out:
  g_string_free (mantissa, TRUE);
  return result;
}

/* The locale's way of writing 1234.56 (in @currency's digits), for
 * error messages: "1,234.56", "1.234,56", "١٬٢٣٤٫٥٦". */
static char *
example_amount (UNumberFormat *fmt,
                const char    *currency)
{
  g_autofree char *number = decimal_string (123456, pa_money_minor_digits (currency));
  char *text = format_decimal (fmt, number);

  return text != NULL ? text : g_strdup (number);
}

gboolean
pa_money_parse (const char  *text,
                const char  *currency,
                const char  *locale,
                gint64      *minor,
                GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree gunichar2 *utf16 = NULL;
  g_autofree char *code = NULL;
  g_autofree char *example = NULL;
  char decimal[1100];
  glong utf16_len = 0;
  gboolean parsed = FALSE;
  guint digits;
  gint64 step;
  gint64 value = 0;
  DecimalResult result;

  g_return_val_if_fail (minor != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!pa_money_currency_is_valid (currency))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The currency is not a three-letter code such as USD."));
      return FALSE;
    }
  code = g_ascii_strup (currency, -1);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    text = "";
  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("Enter an amount."));
      return FALSE;
    }
  if (has_sign (trimmed))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Enter the amount without a sign: it cannot be negative."));
      return FALSE;
    }

  digits = pa_money_minor_digits (currency);
  if (strlen (trimmed) <= PARSE_MAX_BYTES)
    utf16 = g_utf8_to_utf16 (trimmed, -1, NULL, &utf16_len, NULL);

  /* The locale's own digits first, then 0-9 with the separators the
   * locale uses with them. */
  for (int attempt = 0; attempt < 2 && !parsed; attempt++)
    {
      UNumberFormat *fmt = open_formatter (UNUM_DECIMAL, locale, NULL, attempt == 1);
      UErrorCode status = U_ZERO_ERROR;
      int32_t position = 0;

      if (fmt == NULL)
        continue;
      /* Strict: the locale's separators in their places, no exponent,
       * no text around the number. */
      unum_setAttribute (fmt, UNUM_LENIENT_PARSE, 0);
      unum_setAttribute (fmt, UNUM_PARSE_NO_EXPONENT, 1);
      unum_setAttribute (fmt, UNUM_PARSE_ALL_INPUT, UNUM_YES);
      unum_setAttribute (fmt, UNUM_MIN_FRACTION_DIGITS, (int32_t) digits);
      unum_setAttribute (fmt, UNUM_MAX_FRACTION_DIGITS, (int32_t) digits);
      if (example == NULL)
        example = example_amount (fmt, currency);
      if (utf16 != NULL)
        {
          unum_parseDecimal (fmt, (const UChar *) utf16, (int32_t) utf16_len, &position,
                             decimal, sizeof decimal, &status);
          parsed = U_SUCCESS (status) && status != U_STRING_NOT_TERMINATED_WARNING
                   && position == (int32_t) utf16_len;
        }
      unum_close (fmt);
    }
  if (example == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Amounts cannot be read in this language setting."));
      return FALSE;
    }
  if (!parsed)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   /* Translators: %s is an example such as "1,234.56" */
                   _("This is not an amount. Write it as in %s."), example);
      return FALSE;
    }

  result = decimal_to_minor (decimal, digits, STRIPE_MAX_MINOR, &value);
  switch (result)
    {
    case DECIMAL_OK:
      break;
    case DECIMAL_NEGATIVE:
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Enter the amount without a sign: it cannot be negative."));
      return FALSE;
    case DECIMAL_TOO_PRECISE:
      {
        g_autofree char *smallest = pa_money_format (1, currency, locale);

        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     /* Translators: the first %s is a currency code
                      * (USD), the second an amount (0.01, ¥1) */
                     _("Too many decimals: the smallest step in %s is %s."),
                     code, smallest);
        return FALSE;
      }
    case DECIMAL_TOO_LARGE:
      {
        g_autofree char *largest = pa_money_format (STRIPE_MAX_MINOR, currency, locale);

        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     /* Translators: %s is an amount */
                     _("Too large: Stripe takes at most %s."), largest);
        return FALSE;
      }
    case DECIMAL_NOT_A_NUMBER:
    default:
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("This is not an amount. Write it as in %s."), example);
      return FALSE;
    }

  /* Stripe refuses what its partners cannot charge: three-decimal
   * amounts must end in 0, ISK and UGX come in whole units. Rounding
   * would change the amount behind the user's back; say what to enter. */
  step = stripe_step (currency);
  if (value % step != 0)
    {
      g_autofree char *step_text = pa_money_format (step, currency, locale);
      g_autofree char *below = pa_money_format (value - value % step, currency, locale);
      g_autofree char *above = pa_money_format (value - value % step + step, currency, locale);

      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   /* Translators: "Stripe takes KWD amounts in steps of
                    * KWD 0.010: enter KWD 5.120 or KWD 5.130." */
                   _("Stripe takes %s amounts in steps of %s: enter %s or %s."),
                   code, step_text, below, above);
      return FALSE;
    }

  *minor = value;
  return TRUE;
}
