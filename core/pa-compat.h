/* pa-compat.h — the few things GLib has no portable call for
 *
 * SPDX-License-Identifier: MIT
 *
 * Everything else PlayAlter does with files, processes and the terminal
 * goes through GLib. What is here differs per system; this file and
 * pa-compat.c are the only places outside core/secrets that ask which
 * system they are built for.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>

#include <glib.h>
#include <glib/gstdio.h>

G_BEGIN_DECLS

/* For g_open() and g_mkstemp_full(): not inherited by child processes
 * (O_CLOEXEC); on Windows also binary, without which the C library
 * would translate line ends in every byte read or written. */
#ifdef G_OS_WIN32
# define PA_COMPAT_O_CLOEXEC (_O_NOINHERIT | _O_BINARY)
#else
# define PA_COMPAT_O_CLOEXEC O_CLOEXEC
#endif

/* For an open that must not block on a FIFO nor take a terminal over
 * (O_NONBLOCK | O_NOCTTY); Windows opens neither way, so nothing there.
 * Undo with pa_compat_set_blocking() before reading. */
#ifdef G_OS_WIN32
# define PA_COMPAT_O_NONBLOCK 0
#else
# define PA_COMPAT_O_NONBLOCK (O_NONBLOCK | O_NOCTTY)
#endif

/* "Disk quota exceeded", which Windows' C library does not have: there,
 * a value no call sets. */
#ifdef EDQUOT
# define PA_COMPAT_EDQUOT EDQUOT
#else
# define PA_COMPAT_EDQUOT (-1)
#endif

/* Overwrites @size bytes at @data with zeros in a way the compiler may not
 * drop as a dead store (explicit_bzero, memset_s or SecureZeroMemory). */
void     pa_compat_secure_zero           (void        *data,
                                          gsize        size);

/* glibc keeps one malloc arena per thread that ever allocated, and a video
 * face swap holds frames in many: limits them to two. Does nothing on
 * other C libraries, whose allocators do not grow that way. Call it first
 * thing in main(). */
void     pa_compat_limit_malloc_arenas   (void);

/* Opens @path read-only (binary, not inherited by child processes) unless
 * its last component is a symbolic link (or, on Windows, any reparse
 * point), which fails with ELOOP: POSIX open(O_NOFOLLOW). With @nonblock,
 * a FIFO or device does not block the open (O_NONBLOCK | O_NOCTTY; Windows
 * never blocks there). Returns a file descriptor or -1 with errno set. */
int      pa_compat_open_nofollow         (const char  *path,
                                          gboolean     nonblock);

/* Fills @data with @size bytes from the system's cryptographic random
 * source (getrandom, getentropy or BCryptGenRandom). FALSE if it gave
 * none. */
gboolean pa_compat_random_bytes          (void        *data,
                                          gsize        size);

/* If the folder @path belongs to the user running us and lets others in
 * (any group or other permission bit), sets its mode to @mode (0700); a
 * folder of someone else's is left alone. Windows has no modes: there a
 * folder in the user's profile inherits an ACL that already keeps other
 * users out, and this does nothing. FALSE with errno set if the change
 * failed. */
gboolean pa_compat_close_dir_to_others   (const char  *path,
                                          int          mode);

/* fstat() into GLib's GStatBuf, the struct g_stat() fills (on Windows
 * not the C library's struct stat). */
int      pa_compat_fstat                 (int          fd,
                                          GStatBuf    *buf);

/* pread(): reads up to @size bytes at @offset, retrying when a signal
 * interrupts it. Returns the count, 0 at the end, -1 with errno set. On
 * Windows the file's position moves too: do not mix it with read(). */
gssize   pa_compat_pread                 (int          fd,
                                          void        *buffer,
                                          gsize        size,
                                          guint64      offset);

/* Gives an open file @mode's permission bits (fchmod()). Windows has no
 * such bits (a new file gets its folder's ACL): nothing there. */
void     pa_compat_fchmod                (int          fd,
                                          int          mode);

/* Syncs @folder, so that a rename into it is durable; a folder that
 * cannot be synced changes nothing. Windows commits renames with the
 * file system's journal: nothing to do there. */
void     pa_compat_sync_folder           (const char  *folder);

/* realpath(): @path absolute, every link and "." or ".." resolved, in
 * GLib memory. NULL with errno set (ENOENT, ENOTDIR, EACCES…). */
char    *pa_compat_realpath              (const char  *path);

/* Opens @relative below the folder @root (which must be a resolved path)
 * following no symbolic link, nor on Windows any reparse point, in any
 * component, so that a link swapped in after a check cannot lead out of
 * @root; with an empty @relative, @root itself. Read-only, not
 * inherited, and for the last component PA_COMPAT_O_NONBLOCK. POSIX
 * opens one component at a time with openat(O_NOFOLLOW); Windows opens
 * the whole path without following the last component and then checks
 * that the path the system gives for the handle is the one asked for.
 * -1 with errno set (ELOOP or ENOTDIR when a link was in the way). */
int      pa_compat_open_beneath          (const char  *root,
                                          const char  *relative);

/* Makes reads from @fd block again after an open with @nonblock (POSIX:
 * clears O_NONBLOCK; nothing to do on Windows). */
void     pa_compat_set_blocking          (int          fd);

/* TRUE if @fd (0, 1 or 2) is a terminal (a console on Windows). */
gboolean pa_compat_is_terminal           (int          fd);
/* Reads up to @size bytes from standard input, unbuffered (no stdio copy
 * that nothing wipes). Returns the count, 0 at the end, or -1 with errno
 * set; retries when a signal interrupts it. */
gssize   pa_compat_read_stdin            (char        *buffer,
                                          gsize        size);

/* Turns off the echo of a terminal's input, for a password prompt, until
 * pa_compat_echo_restore(). While it is off, Ctrl-C (and on POSIX SIGTERM,
 * SIGHUP and SIGQUIT) restores the terminal, ends the line and exits with
 * 128 + the signal's number, as a shell expects: an interrupted prompt
 * must not leave the shell typing blind. Does nothing when standard input
 * is no terminal. */
void     pa_compat_echo_disable          (void);
void     pa_compat_echo_restore          (void);

typedef void (*PaCompatInterruptFunc) (gpointer data);

/* Calls @func with @data in the thread-default main context each time the
 * user asks the program to stop, until the handler is removed: SIGINT or
 * SIGTERM on POSIX; Ctrl-C, Ctrl-Break or closing the console window on
 * Windows (where the system ends the process a few seconds after a close
 * whatever we do). Returns an id for pa_compat_remove_interrupt_handler(). */
guint    pa_compat_add_interrupt_handler    (PaCompatInterruptFunc  func,
                                             gpointer               data);
void     pa_compat_remove_interrupt_handler (guint                  id);

G_END_DECLS
