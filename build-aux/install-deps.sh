#!/usr/bin/env bash
# Installs the Debian 12 packages PlayAlter needs.
#   build-aux/install-deps.sh          build and run the app
#   build-aux/install-deps.sh --tests  also what the test suite needs
set -euo pipefail

build_pkgs=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libsecret-1-dev libsqlite3-dev libssl-dev zlib1g-dev
  desktop-file-utils appstream libglib2.0-bin
  # GTK only recommends the SVG loader; without it the app icon is blank.
  librsvg2-common
  # Face swap: dlib and its landmark model, and what dlib-1.pc names
  # without libdlib-dev pulling it in (DESIGN §9).
  g++ libdlib-dev libdlib-data libjpeg-dev libblas-dev liblapack-dev
  libgdk-pixbuf-2.0-dev
  # Video: GStreamer with the decoders and encoders face swap and the
  # studio use (H.264 through x264 in -ugly, AAC through libav).
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  # The studio's capture sources: cameras and screens shared through
  # PipeWire (pipewiresrc: the ScreenCast portal on Wayland). V4L2,
  # X11 and PulseAudio capture come with plugins-good.
  gstreamer1.0-pipewire
  # The studio's text overlay (textoverlay, GStreamer's Pango plugin).
  gstreamer1.0-x
  # Payments: money in the user's locale (ICU's number formatting) and
  # QR codes for payment links.
  libicu-dev libqrencode-dev
)
test_pkgs=(
  xvfb xauth gnome-keyring dbus-daemon imagemagick xdotool
  # n8n's sqlite3 module compiles from source when npm installs it.
  python3 make g++
  # test-hostile makes a certificate for its https peer.
  openssl
  # The fuzz build: clang with libFuzzer (libclang-rt-14-dev holds it),
  # and PyYAML for the seeds made from the YAML contracts.
  clang libclang-rt-14-dev python3-yaml
  # The packaging suite: the deb (built, linted, installed into a fresh
  # Debian root), the rpm (built and linted here; installed on Fedora by
  # its release workflow), the MSI's WiX source (compiled by wixl) and
  # the Flatpak manifest (parsed and validated).
  debhelper dpkg-dev fakeroot lintian debootstrap
  rpm rpmlint wixl msitools flatpak-builder
  # The MSI's icon is rendered from the SVG (rsvg-convert) and packed
  # into an .ico (icotool); test-msi and packaging/macos/check.sh lint
  # the scripts that only run on Windows or macOS with shellcheck.
  librsvg2-bin icoutils shellcheck
  # dpkg-buildpackage refuses to build the deb without build-essential,
  # which every Debian source package build-depends on implicitly.
  build-essential
  # The rpm: bzip2 packs dlib's model as the spec's Source1.
  bzip2
  # package-workflows runs shellcheck on the workflows' run: scripts,
  # which it reads with PyYAML.
  shellcheck python3-yaml
  # tests/portable/check-mingw.sh: the Windows code type-checked with
  # MinGW-w64 (the Windows build itself runs in the MSI workflow).
  gcc-mingw-w64-x86-64
  # The streaming tests: a real RTMP server on loopback (nginx with the
  # RTMP module, started by each test in its own folder on a free port;
  # the system nginx the package starts is switched off below), and
  # gst-launch-1.0/gst-inspect-1.0 to check pipelines by hand.
  nginx libnginx-mod-rtmp gstreamer1.0-tools
  # The capture tests: xsetroot paints Xvfb's root window a known colour
  # for the screen capture; a PulseAudio server of the test's own (with
  # a null sink, on a socket in its folder) and paplay feed the
  # microphone capture.
  x11-xserver-utils pulseaudio pulseaudio-utils
  # The preview benchmark's peers: bare pipelines that draw in a window
  # with OpenGL (glimagesink) and through GTK 3 (gtksink).
  gstreamer1.0-gl gstreamer1.0-gtk3
  # The QR code tests read every code back with a real decoder (zbarimg).
  zbar-tools
)

pkgs=("${build_pkgs[@]}")
if [ "${1:-}" = "--tests" ]; then
  pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

# Under systemd, Debian's nginx package starts a web server on port 80 and
# enables it at boot. The tests run their own nginx; one installed just for
# them should not serve anything: stop and disable it (an nginx that was
# installed before is left alone).
for p in "${missing[@]}"; do
  if [ "$p" = nginx ] && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now nginx.service
  fi
done
