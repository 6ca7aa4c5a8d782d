#!/usr/bin/env bash
# Puts the real photographs the face swap tests judge their results on
# into tests/media/photos/: Debian ships a few portraits inside packages
# that the project does not otherwise need, so the .deb files are
# downloaded (not installed) and only the pictures are taken out of them.
#   grace_hopper.jpg  python-matplotlib-data (matplotlib's sample data)
#   astronaut.png     python3-skimage (scikit-image's sample data)
# They are kept in the user's cache and linked, like the test peers.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=tests/media/photos
cache=${PLAYALTER_PHOTOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/playalter/test-photos}

# package | path inside the package | name here
photos=(
  "python-matplotlib-data|./usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg|grace_hopper.jpg"
  "python3-skimage|./usr/lib/python3/dist-packages/skimage/data/astronaut.png|astronaut.png"
)

have_all () {
  local entry
  for entry in "${photos[@]}"; do
    [ -s "$cache/${entry##*|}" ] || return 1
  done
}

if ! have_all; then
  mkdir -p "$cache"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt-get download drops privileges to _apt where it can: give it a
  # folder it may write.
  chmod 0777 "$work"
  for entry in "${photos[@]}"; do
    IFS='|' read -r package inner name <<<"$entry"
    [ -s "$cache/$name" ] && continue
    if ! (cd "$work" && apt-get download -q "$package" >/dev/null 2>&1); then
      apt-get update -q >/dev/null
      (cd "$work" && apt-get download -q "$package")
    fi
    deb=$(ls "$work"/"${package}"_*.deb | head -n1)
    mkdir -p "$work/x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" "$inner"
    cp "$work/x/$inner" "$cache/$name.tmp"
    mv "$cache/$name.tmp" "$cache/$name"
    echo "install-test-photos: $name from $package"
  done
fi

mkdir -p "$(dirname "$dest")"
ln -sfn "$cache" "$dest"
