/* libintl.h — the declarations of GNU gettext's libintl that GLib's
 * gi18n headers need, for tests/portable/check-mingw.sh only: MSYS2 has
 * the real one; the MinGW-w64 compiler on Debian has none.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

char *gettext (const char *msgid);
char *dgettext (const char *domainname, const char *msgid);
char *dcgettext (const char *domainname, const char *msgid, int category);
char *ngettext (const char *msgid1, const char *msgid2, unsigned long n);
char *dngettext (const char *domainname, const char *msgid1, const char *msgid2,
                 unsigned long n);
char *textdomain (const char *domainname);
char *bindtextdomain (const char *domainname, const char *dirname);
char *bind_textdomain_codeset (const char *domainname, const char *codeset);
