/* libintl.h — the declarations of GNU gettext's libintl that GLib's
 * gi18n headers need, for tests/portable/check-mingw.sh only: MSYS2 has
 * the real one; the MinGW-w64 compiler on Debian has none. Like the real
 * one, it tells the compiler that a translation has the original's
 * format (format_arg), so -Wformat=2 checks translated printf formats.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define PA_STUB_FORMAT_ARG(n) __attribute__ ((__format_arg__ (n)))

char *gettext (const char *msgid) PA_STUB_FORMAT_ARG (1);
char *dgettext (const char *domainname, const char *msgid) PA_STUB_FORMAT_ARG (2);
char *dcgettext (const char *domainname, const char *msgid, int category)
  PA_STUB_FORMAT_ARG (2);
char *ngettext (const char *msgid1, const char *msgid2, unsigned long n)
  PA_STUB_FORMAT_ARG (1) PA_STUB_FORMAT_ARG (2);
char *dngettext (const char *domainname, const char *msgid1, const char *msgid2,
                 unsigned long n) PA_STUB_FORMAT_ARG (2) PA_STUB_FORMAT_ARG (3);
char *textdomain (const char *domainname);
char *bindtextdomain (const char *domainname, const char *dirname);
char *bind_textdomain_codeset (const char *domainname, const char *codeset);
