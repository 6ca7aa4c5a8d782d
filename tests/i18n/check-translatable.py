#!/usr/bin/env python3
"""Fails on a user-facing string in app/ that gettext cannot see.

C: a string literal that reads like words for a person (a capital letter
then lower-case letters, or two words) is user-facing unless it is inside
_(), N_(), C_(), NC_() or ngettext(), or is an argument of a call that
never reaches a person (logging, property and signal names, CSS classes,
icon names, actions, settings keys, file names, comparisons).

.ui: a property, attribute or item that a person reads (label, title,
subtitle, tooltip, placeholder, description, heading, body, text, string
list items, menu labels) must carry translatable="yes".

Usage: check-translatable.py SOURCE_ROOT   (checks SOURCE_ROOT/app and
SOURCE_ROOT/resources/ui, resources/gtk)
       check-translatable.py --self-test    (proves each rule can fail)
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

# Calls whose string arguments are for the program or the developer.
NOT_FOR_PEOPLE = re.compile(r"""^(
    g_debug|g_info|g_message|g_warning|g_critical|g_error|g_log|g_log_structured|
    g_assert\w*|g_return\w*|g_warn_if\w*|g_test_\w+|
    g_object_\w+|g_signal_\w+|g_param_spec_\w+|g_type_\w+|g_value_\w+|
    g_settings_\w+|g_simple_action\w*|g_action_\w+|g_menu_\w+|g_application_\w+|
    g_variant_\w+|g_key_file_\w+|g_hash_table_\w+|g_quark\w*|g_intern\w*|
    g_source_set_name\w*|g_task_set_name|g_thread_new|g_thread_try_new|g_thread_pool_new\w*|
    g_strcmp0|g_str_equal|g_str_has_prefix|g_str_has_suffix|g_ascii_str\w+|strcmp|strncmp|
    g_getenv|g_setenv|g_unsetenv|g_environ\w*|g_build_filename|g_build_path|
    g_file_\w+|g_subprocess\w*|g_spawn\w*|g_resources?_\w+|g_themed_icon\w*|g_icon_\w+|
    g_dbus_\w+|g_bus_\w+|g_content_type\w*|g_uri_\w+|g_mkdir\w*|g_open|g_fopen|g_unlink|
    g_date_time_format|g_strsplit\w*|g_strjoin|g_strconcat|g_strstr_len|strstr|strchr|
    g_regex_\w+|g_option_context_add_group|
    json_\w+|sqlite3_\w+|soup_\w+|gst_\w+|
    gtk_widget_add_css_class|gtk_widget_remove_css_class|gtk_widget_has_css_class|
    gtk_widget_set_name|gtk_widget_class_\w+|gtk_widget_action_set_enabled|
    gtk_widget_activate_action\w*|gtk_widget_insert_action_group|gtk_actionable_\w+|
    gtk_builder_\w+|gtk_css_provider_\w+|gtk_style_context_\w+|gtk_icon_theme_\w+|
    gtk_image_new_from_icon_name|gtk_image_set_from_icon_name|gtk_button_new_from_icon_name|
    gtk_button_set_icon_name|\w+_set_icon_name|gtk_window_set_icon_name|
    gtk_application_set_accels_for_action|gtk_application_get_accels_for_action|
    gtk_shortcut_trigger_parse_string|gtk_accelerator_\w+|
    gtk_file_filter_add_mime_type|gtk_file_filter_add_pattern|gtk_file_filter_add_suffix|
    gtk_stack_set_visible_child_name|gtk_stack_get_child_by_name|gtk_stack_add_named|
    adw_view_stack_set_visible_child_name|adw_view_stack_get_child_by_name|
    adw_message_dialog_set_response_appearance|adw_message_dialog_set_default_response|
    adw_message_dialog_set_close_response|adw_message_dialog_set_response_enabled|
    gdk_\w+|gsk_\w+|graphene_\w+|pango_\w+|cairo_\w+|
    pa_\w*(?:lookup|get|find|has|is|open|path|env|id|key|name|require)\w*|
    G_\w+|g_once\w*|sizeof|defined
)$""", re.X)

# A literal a person reads: "Cancel", "Swap faces", "Could not …".
PROSE = re.compile(r"[A-Z][a-z]{2,}|[A-Za-z]{2,}[ ’'][A-Za-z]{2,}")
# Things that look like words but are not prose.
NOT_PROSE = re.compile(r"""^(
    [a-z0-9_.:-]+ |                  # identifiers, actions, keys, property names
    [A-Za-z0-9_.-]+\.[a-z]{2,5} |    # file names
    /[A-Za-z0-9/_.-]* |              # paths, resource paths
    https?://\S* |                   # URLs
    [A-Za-z]+/[A-Za-z0-9.+-]+ |      # MIME types
    (%[-+ #0-9.lhzjt]*[a-zA-Z]|\s|[\W_])* |  # formats and punctuation only
    <[^>]*> |                        # markup tags
    (<[A-Za-z]+>)+\S* |              # accelerators
    PlayAlter |                      # the name, which is never translated
    [A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]* |     # CamelCase type names (PaWindow, GtkLabel)
    [A-Z_][A-Z0-9_]+                 # CONSTANTS
)$""", re.X)

# Names that stay the same in every language.
NAMES = {"PlayAlter"}

TRANSLATORS = {"_", "N_", "C_", "NC_", "ngettext", "g_dngettext", "g_dgettext", "g_dpgettext2",
               "dgettext", "gettext", "Q_"}

TOKEN = re.compile(r'''//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[A-Za-z_]\w*|\S''',
                   re.S)


def c_findings(path, text):
    """Literals in @text that read like prose and reach no translator."""
    findings = []
    stack = []          # names of the calls whose parentheses we are in
    prev = None         # previous significant token
    pending_literal = []  # adjacent literals concatenated: check them as one
    in_include = False
    line_of = lambda pos: text.count("\n", 0, pos) + 1

    tokens = [(m.group(0), m.start()) for m in TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        tok, pos = tokens[i]
        if tok.startswith("//") or tok.startswith("/*"):
            i += 1
            continue
        if tok == "#":
            # Preprocessor lines (includes, defines of names) are not prose.
            end = text.find("\n", pos)
            while end != -1 and text[end - 1] == "\\":
                end = text.find("\n", end + 1)
            end = len(text) if end == -1 else end
            while i < len(tokens) and tokens[i][1] < end:
                i += 1
            continue
        if tok == "(":
            stack.append(prev if prev and re.match(r"[A-Za-z_]\w*$", prev) else None)
        elif tok == ")":
            if stack:
                stack.pop()
        elif tok.startswith('"'):
            # Join adjacent literals (and the macros between them, like PRId64).
            parts = [tok[1:-1]]
            j = i + 1
            while j < len(tokens) and (tokens[j][0].startswith('"') or
                                       re.match(r"(PRI\w+|G_G\w+_FORMAT)$", tokens[j][0])):
                if tokens[j][0].startswith('"'):
                    parts.append(tokens[j][0][1:-1])
                j += 1
            literal = "".join(parts)
            callers = [c for c in stack if c]
            inner = callers[-1] if callers else None
            translated = any(c in TRANSLATORS for c in callers)
            if (not translated and PROSE.search(literal) and not NOT_PROSE.match(literal)
                    and not (inner and NOT_FOR_PEOPLE.match(inner))):
                findings.append((path, line_of(pos), literal))
            prev = tok
            i = j
            continue
        prev = tok
        i += 1
    return findings


UI_PROPERTIES = {"label", "title", "subtitle", "tooltip-text", "tooltip-markup",
                 "placeholder-text", "description", "heading", "body", "text",
                 "secondary-text", "button-label", "accelerator-title", "primary-text",
                 "copyright", "comments", "website-label", "summary"}


def ui_findings(path, text):
    findings = []
    root = ET.fromstring(text)
    for element in root.iter():
        name = element.get("name")
        is_text = ((element.tag == "property" and name in UI_PROPERTIES) or
                   (element.tag == "attribute" and name == "label") or
                   element.tag == "item")
        value = (element.text or "").strip()
        if (is_text and re.search(r"[A-Za-z]{2,}", value) and value not in NAMES
                and element.get("translatable") != "yes"):
            findings.append((path, element.tag + " " + (name or ""), value))
    return findings


def check_tree(root):
    findings = []
    for folder, _, files in os.walk(os.path.join(root, "app")):
        for f in sorted(files):
            if f.endswith(".c"):
                p = os.path.join(folder, f)
                with open(p, encoding="utf-8") as fh:
                    findings += c_findings(os.path.relpath(p, root), fh.read())
    for sub in ("resources/ui", "resources/gtk"):
        for folder, _, files in os.walk(os.path.join(root, sub)):
            for f in sorted(files):
                if f.endswith(".ui"):
                    p = os.path.join(folder, f)
                    with open(p, encoding="utf-8") as fh:
                        findings += ui_findings(os.path.relpath(p, root), fh.read())
    return findings


def self_test():
    """Each rule must catch what it is for, and pass what it must pass."""
    bad_c = '''
static void f (void) {
  gtk_label_set_text (label, "Swap faces");
  adw_toast_new ("Saved");
  g_print ("Wrote %s\\n", path);
  g_set_error (error, PA_ERROR, 1, "The file is " "too large");
}
'''
    good_c = '''
#include "pa-window.h"
#define NAME "Some Thing"
static void f (void) {
  gtk_label_set_text (label, _("Swap faces"));
  adw_toast_new (_("Saved"));
  g_print (_("Wrote %s\\n"), path);
  g_debug ("Loaded the model in %d ms", ms);
  gtk_widget_add_css_class (w, "suggested-action");
  g_object_set (w, "icon-name", "edit-copy-symbolic", NULL);
  g_print ("%s\\n", text);
  static const char *names[] = { N_("Face Swap"), NULL };
  g_print (ngettext ("%u face\\n", "%u faces\\n", n), n);
  g_warning ("Could not read %s", path);
}
'''
    found = c_findings("bad.c", bad_c)
    assert [f[2] for f in found] == ["Swap faces", "Saved", "Wrote %s\\n", "The file is too large"], found
    assert c_findings("good.c", good_c) == [], c_findings("good.c", good_c)
    bad_ui = '''<interface><object class="GtkLabel"><property name="label">Swap faces</property>
<property name="icon-name">edit-copy-symbolic</property></object>
<menu id="m"><item><attribute name="label">_Quit</attribute></item></menu>
<object class="GtkStringList"><items><item>Largest face</item></items></object></interface>'''
    good_ui = (bad_ui.replace('name="label">', 'name="label" translatable="yes">')
                     .replace("<item>Largest", '<item translatable="yes">Largest'))
    assert len(ui_findings("bad.ui", bad_ui)) == 3, ui_findings("bad.ui", bad_ui)
    assert ui_findings("good.ui", good_ui) == [], ui_findings("good.ui", good_ui)
    print("self-test: every rule catches its untranslatable string and passes the translated one")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    self_test()
    findings = check_tree(sys.argv[1])
    for path, where, literal in findings:
        print(f"{path}:{where}: \"{literal}\" is shown to people but not marked for translation "
              "(wrap it in _() — or N_() where it is translated later — or, if no person ever "
              "reads it, pass it to a call this check knows as internal)")
    if findings:
        return 1
    print("every string in app/ and the .ui files that people read goes through gettext")
    return 0


if __name__ == "__main__":
    sys.exit(main())
