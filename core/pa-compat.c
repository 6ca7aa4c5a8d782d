/* pa-compat.c — the few things GLib has no portable call for
 *
 * SPDX-License-Identifier: MIT
 *
 * Each function has one POSIX body (Linux, the BSDs, macOS) and one
 * Windows body; nothing else in PlayAlter asks which system it is on.
 */
#include "config.h"

/* memset_s() is declared only on request. */
#define __STDC_WANT_LIB_EXT1__ 1

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#ifdef G_OS_UNIX
# include <fcntl.h>
# include <signal.h>
# include <sys/stat.h>
# include <termios.h>
# include <unistd.h>
# include <glib-unix.h>
#endif
#if defined (__linux__) || defined (__APPLE__)
# include <sys/random.h>
#endif
#ifdef __GLIBC__
# include <malloc.h>
#endif
#ifdef G_OS_WIN32
# include <windows.h>
# include <bcrypt.h>
# include <fcntl.h>
# include <io.h>
#endif

#include "pa-compat.h"

void
pa_compat_secure_zero (void  *data,
                       gsize  size)
{
  if (data == NULL || size == 0)
    return;
#if defined (G_OS_WIN32)
  SecureZeroMemory (data, size);
#elif defined (HAVE_EXPLICIT_BZERO)
  explicit_bzero (data, size);
#elif defined (__STDC_LIB_EXT1__) || defined (__APPLE__)
  memset_s (data, size, 0, size);
#else
  {
    /* A call through a volatile pointer cannot be proven dead. */
    static void *(*volatile wipe) (void *, int, size_t) = memset;

    wipe (data, 0, size);
  }
#endif
}

void
pa_compat_limit_malloc_arenas (void)
{
#ifdef __GLIBC__
  /* Two arenas swap faces as fast as one per thread (tests/bench/RESULTS.md). */
  mallopt (M_ARENA_MAX, 2);
#endif
}

#ifdef G_OS_WIN32
/* errno for what CreateFileW reported. */
static int
errno_from_win32 (DWORD code)
{
  switch (code)
    {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return EACCES;
    case ERROR_TOO_MANY_OPEN_FILES:
      return EMFILE;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
      return ENOMEM;
    default:
      return EIO;
    }
}
#endif

#ifdef G_OS_WIN32
/* The path the system gives for what @handle is open on, in UTF-8 and
 * without the \\?\ prefix; NULL with errno set. */
static char *
final_path_of_handle (HANDLE handle)
{
  const DWORD flags = FILE_NAME_NORMALIZED | VOLUME_NAME_DOS;
  g_autofree wchar_t *wide = NULL;
  wchar_t *start;
  DWORD length;
  char *path;

  length = GetFinalPathNameByHandleW (handle, NULL, 0, flags);
  if (length == 0)
    {
      errno = errno_from_win32 (GetLastError ());
      return NULL;
    }
  wide = g_new0 (wchar_t, length + 1);
  if (GetFinalPathNameByHandleW (handle, wide, length + 1, flags) == 0)
    {
      errno = errno_from_win32 (GetLastError ());
      return NULL;
    }

  start = wide;
  if (wcsncmp (start, L"\\\\?\\UNC\\", 8) == 0)
    {
      /* \\?\UNC\server\share is \\server\share. */
      start += 6;
      start[0] = L'\\';
    }
  else if (wcsncmp (start, L"\\\\?\\", 4) == 0)
    start += 4;

  path = g_utf16_to_utf8 ((const gunichar2 *) start, -1, NULL, NULL, NULL);
  if (path == NULL)
    errno = EINVAL;
  return path;
}

/* Opens @path for reading without following its last component if it is
 * a reparse point (a symbolic link, a junction), which fails with ELOOP:
 * FILE_FLAG_OPEN_REPARSE_POINT opens the link itself, and the attributes
 * of what was opened say which it was, with no window between looking
 * and opening. Folders open too (FILE_FLAG_BACKUP_SEMANTICS). */
static HANDLE
open_handle_nofollow (const char *path)
{
  g_autofree gunichar2 *wpath = g_utf8_to_utf16 (path, -1, NULL, NULL, NULL);
  BY_HANDLE_FILE_INFORMATION info;
  HANDLE handle;

  if (wpath == NULL)
    {
      errno = EINVAL;
      return INVALID_HANDLE_VALUE;
    }
  handle = CreateFileW ((LPCWSTR) wpath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                        NULL, OPEN_EXISTING,
                        FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (handle == INVALID_HANDLE_VALUE)
    {
      errno = errno_from_win32 (GetLastError ());
      return INVALID_HANDLE_VALUE;
    }
  if (!GetFileInformationByHandle (handle, &info))
    {
      errno = errno_from_win32 (GetLastError ());
      CloseHandle (handle);
      return INVALID_HANDLE_VALUE;
    }
  if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
    {
      CloseHandle (handle);
      errno = ELOOP;
      return INVALID_HANDLE_VALUE;
    }
  return handle;
}

/* A file descriptor that owns @handle; -1 (and @handle closed) if none. */
static int
fd_for_handle (HANDLE handle)
{
  int fd = _open_osfhandle ((intptr_t) handle, _O_RDONLY | _O_BINARY | _O_NOINHERIT);

  if (fd < 0)
    {
      CloseHandle (handle);
      errno = EMFILE;
    }
  return fd;
}
#endif

int
pa_compat_open_nofollow (const char *path,
                         gboolean    nonblock)
{
#ifdef G_OS_WIN32
  HANDLE handle = open_handle_nofollow (path);

  if (handle == INVALID_HANDLE_VALUE)
    return -1;
  return fd_for_handle (handle);
#else
  int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;

  if (nonblock)
    flags |= O_NONBLOCK | O_NOCTTY;
  return g_open (path, flags, 0);
#endif
}

char *
pa_compat_realpath (const char *path)
{
#ifdef G_OS_WIN32
  g_autofree gunichar2 *wpath = g_utf8_to_utf16 (path, -1, NULL, NULL, NULL);
  HANDLE handle;
  char *resolved;

  if (wpath == NULL)
    {
      errno = EINVAL;
      return NULL;
    }
  /* Opening follows every link; the handle then knows the real path. */
  handle = CreateFileW ((LPCWSTR) wpath, 0,
                        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (handle == INVALID_HANDLE_VALUE)
    {
      errno = errno_from_win32 (GetLastError ());
      return NULL;
    }
  resolved = final_path_of_handle (handle);
  CloseHandle (handle);
  return resolved;
#else
  char *resolved = realpath (path, NULL);
  char *copy;

  if (resolved == NULL)
    return NULL;
  /* realpath() mallocs; hand out GLib memory. */
  copy = g_strdup (resolved);
  free (resolved);
  return copy;
#endif
}

int
pa_compat_open_beneath (const char *root,
                        const char *relative)
{
#ifdef G_OS_WIN32
  g_autofree char *full = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *wanted_folded = NULL;
  g_autofree char *got = NULL;
  g_autofree char *got_folded = NULL;
  HANDLE handle;

  full = *relative != '\0' ? g_build_filename (root, relative, NULL) : g_strdup (root);
  handle = open_handle_nofollow (full);
  if (handle == INVALID_HANDLE_VALUE)
    return -1;

  /* A link or junction in a folder on the way led elsewhere: the handle
   * is open on another path than the one asked for. */
  got = final_path_of_handle (handle);
  wanted = g_canonicalize_filename (full, NULL);
  if (got != NULL)
    {
      got_folded = g_utf8_casefold (got, -1);
      wanted_folded = g_utf8_casefold (wanted, -1);
    }
  if (got == NULL || strcmp (got_folded, wanted_folded) != 0)
    {
      CloseHandle (handle);
      errno = ELOOP;
      return -1;
    }
  return fd_for_handle (handle);
#else
  g_auto(GStrv) parts = NULL;
  int dir_fd;

  dir_fd = g_open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd < 0)
    return -1;
  if (*relative == '\0')
    return dir_fd;

  parts = g_strsplit (relative, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean last = parts[i + 1] == NULL;
      int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                  (last ? O_NONBLOCK | O_NOCTTY : O_DIRECTORY);
      int fd;

      if (*parts[i] == '\0')
        continue;
      fd = openat (dir_fd, parts[i], flags);
      close (dir_fd);
      if (fd < 0)
        return -1;
      dir_fd = fd;
    }
  return dir_fd;
#endif
}

int
pa_compat_fstat (int       fd,
                 GStatBuf *buf)
{
#if defined (G_OS_WIN32) && defined (_WIN64)
  return _fstat64 (fd, buf);
#elif defined (G_OS_WIN32)
  return _fstat32 (fd, buf);
#else
  return fstat (fd, buf);
#endif
}

gssize
pa_compat_pread (int      fd,
                 void    *buffer,
                 gsize    size,
                 guint64  offset)
{
#ifdef G_OS_WIN32
  HANDLE handle = (HANDLE) _get_osfhandle (fd);
  OVERLAPPED at;
  DWORD n = 0;

  if (handle == INVALID_HANDLE_VALUE)
    {
      errno = EBADF;
      return -1;
    }
  memset (&at, 0, sizeof at);
  at.Offset = (DWORD) (offset & 0xffffffffu);
  at.OffsetHigh = (DWORD) (offset >> 32);
  if (!ReadFile (handle, buffer, (DWORD) MIN (size, (gsize) G_MAXINT32), &n, &at))
    {
      if (GetLastError () == ERROR_HANDLE_EOF)
        return 0;
      errno = errno_from_win32 (GetLastError ());
      return -1;
    }
  return (gssize) n;
#else
  for (;;)
    {
      gssize n = pread (fd, buffer, size, (off_t) offset);

      if (n >= 0 || errno != EINTR)
        return n;
    }
#endif
}

void
pa_compat_fchmod (int fd,
                  int mode)
{
#ifdef G_OS_UNIX
  if (fchmod (fd, (mode_t) mode) != 0)
    {
      /* The file is still written whole; only its mode differs. */
    }
#endif
}

void
pa_compat_sync_folder (const char *folder)
{
#ifdef G_OS_UNIX
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
#endif
}

gboolean
pa_compat_random_bytes (void  *data,
                        gsize  size)
{
#if defined (G_OS_WIN32)
  return size <= G_MAXULONG &&
         BCRYPT_SUCCESS (BCryptGenRandom (NULL, data, (ULONG) size,
                                          BCRYPT_USE_SYSTEM_PREFERRED_RNG));
#elif defined (__linux__)
  guint8 *bytes = data;

  while (size > 0)
    {
      ssize_t n = getrandom (bytes, size, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      bytes += n;
      size -= (gsize) n;
    }
  return TRUE;
#else
  /* macOS and the BSDs: at most 256 bytes a call. */
  guint8 *bytes = data;

  while (size > 0)
    {
      gsize n = MIN (size, 256);

      if (getentropy (bytes, n) != 0)
        return FALSE;
      bytes += n;
      size -= n;
    }
  return TRUE;
#endif
}

void
pa_compat_set_blocking (int fd)
{
#ifdef G_OS_UNIX
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
#endif
}

gboolean
pa_compat_close_dir_to_others (const char *path,
                               int         mode)
{
#ifdef G_OS_UNIX
  GStatBuf st;

  if (g_stat (path, &st) == 0 && st.st_uid == getuid () &&
      (st.st_mode & (S_IRWXG | S_IRWXO)) != 0 &&
      g_chmod (path, mode) != 0)
    return FALSE;
#endif
  return TRUE;
}

gboolean
pa_compat_is_terminal (int fd)
{
#ifdef G_OS_WIN32
  return _isatty (fd) != 0;
#else
  return isatty (fd) == 1;
#endif
}

gssize
pa_compat_read_stdin (char  *buffer,
                      gsize  size)
{
#ifdef G_OS_WIN32
  int n;

  n = _read (0, buffer, (unsigned int) MIN (size, (gsize) G_MAXINT));
  return n;
#else
  for (;;)
    {
      gssize n = read (STDIN_FILENO, buffer, size);

      if (n >= 0 || errno != EINTR)
        return n;
    }
#endif
}

/* The echo ----------------------------------------------------------------- */

#ifdef G_OS_WIN32

static HANDLE         echo_console = INVALID_HANDLE_VALUE;
static DWORD          echo_saved_mode;
static volatile LONG  echo_off;

/* Runs in a thread of its own that the system starts for the event. */
static BOOL WINAPI
echo_ctrl_handler (DWORD event)
{
  if (InterlockedCompareExchange (&echo_off, 0, 0))
    SetConsoleMode (echo_console, echo_saved_mode);
  (void) _write (2, "\n", 1);
  /* 128 + SIGINT, as from a POSIX shell; Ctrl-Break and closing too. */
  ExitProcess (event == CTRL_C_EVENT ? 130 : 131);
  return TRUE;
}

void
pa_compat_echo_disable (void)
{
  HANDLE console = GetStdHandle (STD_INPUT_HANDLE);
  DWORD mode;

  if (console == INVALID_HANDLE_VALUE || console == NULL || !GetConsoleMode (console, &mode))
    return;
  echo_console = console;
  echo_saved_mode = mode;
  SetConsoleCtrlHandler (echo_ctrl_handler, TRUE);
  InterlockedExchange (&echo_off, 1);
  SetConsoleMode (console, mode & ~(DWORD) ENABLE_ECHO_INPUT);
}

void
pa_compat_echo_restore (void)
{
  if (!InterlockedCompareExchange (&echo_off, 0, 0))
    return;
  SetConsoleMode (echo_console, echo_saved_mode);
  InterlockedExchange (&echo_off, 0);
  SetConsoleCtrlHandler (echo_ctrl_handler, FALSE);
}

#else /* POSIX */

/* The terminal's settings while echo is off, for the signal handler:
 * Ctrl-C at the prompt must not leave the shell typing blind. */
static struct termios        echo_saved_termios;
static volatile sig_atomic_t echo_off;
static struct sigaction      echo_previous[4];

static const int echo_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
G_STATIC_ASSERT (G_N_ELEMENTS (echo_signals) == G_N_ELEMENTS (echo_previous));

/* Only async-signal-safe calls: restore the terminal, end the prompt's
 * line, and exit as a shell expects of a process killed by @signo (130
 * for SIGINT). A secret being read goes with the process. */
static void
echo_signal_handler (int signo)
{
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &echo_saved_termios);
  if (write (STDERR_FILENO, "\n", 1) < 0)
    {
      /* Nothing more to do about it. */
    }
  _exit (128 + signo);
}

void
pa_compat_echo_disable (void)
{
  struct sigaction action;
  struct termios quiet;

  if (echo_off || tcgetattr (STDIN_FILENO, &echo_saved_termios) != 0)
    return;

  memset (&action, 0, sizeof action);
  action.sa_handler = echo_signal_handler;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (echo_signals); i++)
    sigaddset (&action.sa_mask, echo_signals[i]);
  for (guint i = 0; i < G_N_ELEMENTS (echo_signals); i++)
    sigaction (echo_signals[i], &action, &echo_previous[i]);

  quiet = echo_saved_termios;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  echo_off = TRUE;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
}

void
pa_compat_echo_restore (void)
{
  if (!echo_off)
    return;

  tcsetattr (STDIN_FILENO, TCSAFLUSH, &echo_saved_termios);
  echo_off = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (echo_signals); i++)
    sigaction (echo_signals[i], &echo_previous[i], NULL);
}

#endif

/* Interrupts ---------------------------------------------------------------- */

typedef struct {
  PaCompatInterruptFunc  func;
  gpointer               data;
#ifdef G_OS_WIN32
  GMainContext          *context;
#else
  GSource               *sources[2];
#endif
} Interrupt;

static GMutex      interrupts_mutex;
static GHashTable *interrupts;  /* id -> Interrupt */
static guint       interrupts_next_id = 1;

static void
interrupt_free (gpointer data)
{
  Interrupt *interrupt = data;

#ifdef G_OS_WIN32
  g_main_context_unref (interrupt->context);
#else
  for (guint i = 0; i < G_N_ELEMENTS (interrupt->sources); i++)
    {
      g_source_destroy (interrupt->sources[i]);
      g_source_unref (interrupt->sources[i]);
    }
#endif
  g_free (interrupt);
}

#ifdef G_OS_WIN32

typedef struct {
  guint id;
} InterruptCall;

/* In the handler's own context: it may have been removed meanwhile. */
static gboolean
interrupt_dispatch (gpointer user_data)
{
  InterruptCall *call = user_data;
  PaCompatInterruptFunc func = NULL;
  gpointer data = NULL;
  Interrupt *interrupt;

  g_mutex_lock (&interrupts_mutex);
  interrupt = interrupts != NULL ? g_hash_table_lookup (interrupts, GUINT_TO_POINTER (call->id)) : NULL;
  if (interrupt != NULL)
    {
      func = interrupt->func;
      data = interrupt->data;
    }
  g_mutex_unlock (&interrupts_mutex);

  if (func != NULL)
    func (data);
  return G_SOURCE_REMOVE;
}

/* The system runs this in a new thread: hand the event to each handler's
 * main context, and tell the system it is handled, so the process is not
 * ended at once (except after a close, which it ends anyway). */
static BOOL WINAPI
interrupt_ctrl_handler (DWORD event)
{
  GHashTableIter iter;
  gpointer key, value;

  if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT)
    return FALSE;

  g_mutex_lock (&interrupts_mutex);
  g_hash_table_iter_init (&iter, interrupts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Interrupt *interrupt = value;
      InterruptCall *call = g_new0 (InterruptCall, 1);

      call->id = GPOINTER_TO_UINT (key);
      g_main_context_invoke_full (interrupt->context, G_PRIORITY_HIGH,
                                  interrupt_dispatch, call, g_free);
    }
  g_mutex_unlock (&interrupts_mutex);
  return TRUE;
}

#else

static gboolean
interrupt_signal (gpointer user_data)
{
  Interrupt *interrupt = user_data;

  interrupt->func (interrupt->data);
  return G_SOURCE_CONTINUE;
}

#endif

guint
pa_compat_add_interrupt_handler (PaCompatInterruptFunc func,
                                 gpointer              data)
{
  Interrupt *interrupt;
  guint id;

  g_return_val_if_fail (func != NULL, 0);

  interrupt = g_new0 (Interrupt, 1);
  interrupt->func = func;
  interrupt->data = data;
#ifdef G_OS_WIN32
  interrupt->context = g_main_context_ref_thread_default ();
#else
  {
    const int signals[] = { SIGINT, SIGTERM };
    g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

    for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
      {
        interrupt->sources[i] = g_unix_signal_source_new (signals[i]);
        g_source_set_callback (interrupt->sources[i], interrupt_signal, interrupt, NULL);
        g_source_attach (interrupt->sources[i], context);
      }
  }
#endif

  g_mutex_lock (&interrupts_mutex);
  if (interrupts == NULL)
    {
      interrupts = g_hash_table_new_full (NULL, NULL, NULL, interrupt_free);
#ifdef G_OS_WIN32
      SetConsoleCtrlHandler (interrupt_ctrl_handler, TRUE);
#endif
    }
  id = interrupts_next_id++;
  g_hash_table_insert (interrupts, GUINT_TO_POINTER (id), interrupt);
  g_mutex_unlock (&interrupts_mutex);
  return id;
}

void
pa_compat_remove_interrupt_handler (guint id)
{
  gboolean removed;

  g_mutex_lock (&interrupts_mutex);
  removed = interrupts != NULL && g_hash_table_remove (interrupts, GUINT_TO_POINTER (id));
  g_mutex_unlock (&interrupts_mutex);
  g_return_if_fail (removed);
}
