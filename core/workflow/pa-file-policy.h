/* pa-file-policy.h — the files and folders a workflow run may read
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PA_TYPE_FILE_POLICY (pa_file_policy_get_type ())
G_DECLARE_FINAL_TYPE (PaFilePolicy, pa_file_policy, PA, FILE_POLICY, GObject)

/* Approves nothing until told. */
PaFilePolicy       *pa_file_policy_new          (void);

/* Approves @path: everything under it when it is a folder, itself when it
 * is a file. It is resolved now (symbolic links and "..", relative to the
 * working folder), so that what is approved is where it points today.
 * PA_ERROR_NOT_FOUND when it does not exist. Approving a place twice, or
 * one inside another, changes nothing. */
gboolean            pa_file_policy_allow        (PaFilePolicy  *self,
                                                 const char    *path,
                                                 GError       **error);

/* The approved places, resolved, in the order they were approved. */
const char * const *pa_file_policy_get_allowed  (PaFilePolicy  *self);

/* Opens @path for reading when it is a regular file in an approved place
 * and at most PA_LIMIT_LOCAL_FILE_BYTES long. Links are followed only
 * where they stay in the approved place, and the file opened is the one
 * checked: the path is resolved, then opened component by component
 * without following any link. FIFOs, devices and folders are refused
 * without blocking. @size_out (may be NULL) gets the size fstat() gave,
 * which a /proc file understates: read with a bound anyway. Returns the
 * file descriptor (close it), or -1 with @error set: PA_ERROR_NOT_FOUND,
 * or PA_ERROR_INVALID_INPUT with a message that names the path and says
 * how to approve it. */
int                 pa_file_policy_open_file    (PaFilePolicy  *self,
                                                 const char    *path,
                                                 guint64       *size_out,
                                                 GError       **error);

/* Checks that @path is a folder in an approved place. Returns it
 * resolved, or NULL with @error set as pa_file_policy_open_file does. */
char               *pa_file_policy_check_folder (PaFilePolicy  *self,
                                                 const char    *path,
                                                 GError       **error);

G_END_DECLS
