/* pa-template.h — {{inputs.x}} and {{steps.id.output.path}} expressions in step arguments
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Syntax, inside any JSON string of a step's `with`:
 *
 *   {{ inputs.NAME[.key|[N]]... }}
 *   {{ steps.ID.output[.key|[N]]... }}
 *
 * Whitespace inside the braces is allowed. A string that is exactly one
 * expression, with nothing before or after it, resolves to the referenced value with its JSON type. Expressions embedded
 * in longer text are stringified: strings as they are, numbers in their
 * shortest form, booleans as true/false, null as null, objects and arrays
 * as compact JSON.
 *
 * Escaping: a backslash right before "{{" makes it literal text, so the
 * string "\\{{x}}" (JSON) resolves to the text "{{x}}". A backslash
 * anywhere else is kept as it is.
 */

typedef enum {
  PA_TEMPLATE_REF_INPUTS,
  PA_TEMPLATE_REF_STEPS,
} PaTemplateRefKind;

typedef struct {
  PaTemplateRefKind  kind;
  char              *name;        /* input name or step id */
  char              *path;        /* after the name (inputs) or after "output"
                                   * (steps), e.g. "a.b[0]"; "" when none */
  char              *expression;  /* normalised text, e.g. "steps.pay.output.url" */
  gboolean           whole;       /* TRUE when it is the whole string */
} PaTemplateRef;

void       pa_template_ref_free       (PaTemplateRef *ref);

/* TRUE when @text holds at least one expression (syntax not checked). */
gboolean   pa_template_has_expression (const char    *text);

/* Every reference in every string of @node (recursively through objects
 * and arrays), without resolving them. Returns a GPtrArray of
 * PaTemplateRef, or NULL with PA_ERROR_INVALID_INPUT on a syntax error. */
GPtrArray *pa_template_collect_refs   (JsonNode      *node,
                                       GError       **error);

/* A new tree where every string holding expressions is replaced by its
 * value. @inputs: the bound inputs; @step_outputs: step id → JsonNode
 * output (may be NULL when no step has finished). */
JsonNode  *pa_template_resolve        (JsonNode      *node,
                                       JsonObject    *inputs,
                                       GHashTable    *step_outputs,
                                       GError       **error);

/* Roughly what @node weighs as JSON, counted no further than past
 * @limit. Resolving fails with PA_ERROR_INVALID_INPUT, naming
 * PA_LIMIT_RESOLVED_ARGUMENTS_BYTES, as soon as the tree it builds would
 * weigh more than that. */
gsize      pa_template_node_size      (JsonNode      *node,
                                       gsize          limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTemplateRef, pa_template_ref_free)

G_END_DECLS
