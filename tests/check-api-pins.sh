#!/usr/bin/env bash
# Proves the API pins bite: with the project's flags, code calling an API
# newer than the pinned version must fail to compile. We lower each pin
# by one minor version and call a function introduced in the pinned one;
# the same code must compile with the real pins.
#   check-api-pins.sh CC [project pin flags…]
set -u
cc=$1; shift
pins=("$@")
cflags=$(pkg-config --cflags gtk4 libadwaita-1 libsoup-3.0)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

check () {
  local name=$1 lowered=$2 code=$3
  printf '%s\n' "$code" > "$tmp/$name.c"
  # shellcheck disable=SC2086
  if ! "$cc" -c -o "$tmp/$name.o" -Werror=deprecated-declarations \
       "${pins[@]}" $cflags "$tmp/$name.c" 2> "$tmp/$name.ok.log"; then
    echo "FAIL $name: does not compile with the project's pins"; cat "$tmp/$name.ok.log"
    status=1; return
  fi
  # The lowered pin comes last so it overrides the project's.
  # shellcheck disable=SC2086
  if "$cc" -c -o "$tmp/$name.o" -Werror=deprecated-declarations \
       "${pins[@]}" $lowered $cflags "$tmp/$name.c" 2> "$tmp/$name.log"; then
    echo "FAIL $name: newer API compiled despite $lowered"
    status=1; return
  fi
  echo "ok $name: refused ($(grep -m1 -o 'is not available before [0-9.]*\|deprecated' "$tmp/$name.log" | head -1))"
}

check glib "-UGLIB_VERSION_MAX_ALLOWED -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_72 -UGLIB_VERSION_MIN_REQUIRED -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_72" \
  '#include <glib.h>
gboolean f (GPtrArray *a) { return g_ptr_array_is_null_terminated (a); }'

check gtk "-UGDK_VERSION_MAX_ALLOWED -DGDK_VERSION_MAX_ALLOWED=GDK_VERSION_4_6 -UGDK_VERSION_MIN_REQUIRED -DGDK_VERSION_MIN_REQUIRED=GDK_VERSION_4_6" \
  '#include <gtk/gtk.h>
GdkScrollUnit f (GtkEventControllerScroll *s) { return gtk_event_controller_scroll_get_unit (s); }'

check adw "-UADW_VERSION_MAX_ALLOWED -DADW_VERSION_MAX_ALLOWED=ADW_VERSION_1_1 -UADW_VERSION_MIN_REQUIRED -DADW_VERSION_MIN_REQUIRED=ADW_VERSION_1_1" \
  '#include <adwaita.h>
GtkWidget *f (void) { return adw_about_window_new (); }'

check soup "-USOUP_VERSION_MAX_ALLOWED -DSOUP_VERSION_MAX_ALLOWED=SOUP_VERSION_3_0 -USOUP_VERSION_MIN_REQUIRED -DSOUP_VERSION_MIN_REQUIRED=SOUP_VERSION_3_0" \
  '#include <libsoup/soup.h>
void f (SoupServerMessage *m) { soup_server_message_pause (m); }'

exit $status
