/* fuzz-common.h — what every fuzz target shares
 *
 * A target is one file with LLVMFuzzerTestOneInput(). It is linked with
 * libFuzzer in a -Dfuzzing=true build and with replay-main.c in every
 * build, so the inputs kept under regressions/ run with the test suite.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include <signal.h>
#include <stdlib.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-json-guard.h"
#include "pa-limits.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* GLib ends a fatal message (g_error(), or a critical made fatal) with
 * a breakpoint, SIGTRAP, which libFuzzer does not catch: it would die
 * without saving the input. An abort it does catch. */
static void
fuzz_trap_to_abort (int signum)
{
  abort ();
}

/* A critical or a warning is a broken precondition or a state the code
 * did not expect: for a fuzzer it is a finding, so it aborts. */
static inline void
fuzz_init (void)
{
  static gsize initialised;

  if (g_once_init_enter (&initialised))
    {
      signal (SIGTRAP, fuzz_trap_to_abort);
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      g_once_init_leave (&initialised, 1);
    }
}

/* The input as a nul-terminated string (it may hold other nuls). */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  char *text = g_malloc (size + 1);

  if (size > 0)
    memcpy (text, data, size);
  text[size] = '\0';
  return text;
}

/* How deep @node nests arrays and objects (a scalar is 0). */
static inline guint
fuzz_json_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          guint depth = fuzz_json_depth (json_array_get_element (array, i));

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        {
          guint depth = fuzz_json_depth (member);

          deepest = MAX (deepest, depth);
        }
      return deepest + 1;
    }
  return 0;
}

/* Parses @data the way every reader of a network body does. The guard
 * promises that no parsed tree nests deeper than PA_LIMIT_JSON_DEPTH: a
 * deeper one means the parser could have been made to overflow its
 * stack with a longer input, which a fuzzer cannot make. */
static inline JsonNode *
fuzz_parse_json (const uint8_t *data,
                 size_t         size)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  root = pa_json_parse_bounded ((const char *) data, (gssize) size, PA_LIMIT_RESPONSE_BYTES,
                                PA_ERROR_PROTOCOL, "The input", &error);
  if (root != NULL && fuzz_json_depth (root) > PA_LIMIT_JSON_DEPTH)
    g_error ("The JSON guard let a tree %u levels deep through", fuzz_json_depth (root));
  return root;
}

/* Whether the JSON guard lets @data through to a parser. */
static inline gboolean
fuzz_json_allowed (const uint8_t *data,
                   size_t         size)
{
  return pa_json_check_bounds ((const char *) data, size, PA_LIMIT_RESPONSE_BYTES,
                               PA_ERROR_PROTOCOL, "The input", NULL);
}

/* Splits @data at its first newline: the first part is copied to @head
 * (nul-terminated), the rest is returned in @rest/@rest_size. Without a
 * newline everything is the head. */
static inline void
fuzz_split_line (const uint8_t  *data,
                 size_t          size,
                 char          **head,
                 const uint8_t **rest,
                 size_t         *rest_size)
{
  const uint8_t *newline = size > 0 ? memchr (data, '\n', size) : NULL;
  size_t head_size = newline != NULL ? (size_t) (newline - data) : size;

  *head = fuzz_strndup (data, head_size);
  *rest = newline != NULL ? newline + 1 : data + size;
  *rest_size = newline != NULL ? size - head_size - 1 : 0;
}
