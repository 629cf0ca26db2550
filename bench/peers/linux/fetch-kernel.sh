#!/usr/bin/env bash
# Fetches the Linux peer's kernel for `make compare` into DIR (build/peers/linux):
# Debian 12's generic linux-image-6.1.0-<abi>-amd64, the one the
# linux-image-amd64 metapackage depends on now (PEER_LINUX_PACKAGE overrides
# it), downloaded with `apt-get download` and unpacked with dpkg-deb; nothing
# is installed. Writes DIR/vmlinuz and DIR/version ("<package> <version>"),
# and refuses a kernel without CONFIG_VMGENID=y. Make runs it only when
# DIR/vmlinuz is missing, so the download happens once.
set -euo pipefail
dir=${1:?usage: fetch-kernel.sh DIR}
mkdir -p "$dir"

resolve() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1; }
pkg=${PEER_LINUX_PACKAGE:-$(resolve)}
if [ -z "$pkg" ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "peer-linux: no package list names linux-image-amd64's kernel; running apt-get update" >&2
  $sudo apt-get update -qq
  pkg=$(resolve)
fi
case "$pkg" in
  linux-image-6.1.0-*-amd64) ;;
  *) echo "error: cannot find Debian 12's linux-image-6.1.0-<abi>-amd64 (got \"$pkg\")" >&2; exit 1 ;;
esac

work=$(mktemp -d "$dir/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "peer-linux: apt-get download $pkg" >&2
# apt drops privileges to _apt for downloads; a folder it cannot write makes it warn, so give it /tmp's.
chmod 1777 "$work"
(cd "$work" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
deb=$(ls "$work"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "error: apt-get download $pkg produced no .deb" >&2; exit 1; }
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' './boot/config-*'
grep -qx 'CONFIG_VMGENID=y' "$work"/boot/config-* || { echo "error: $pkg $version is built without CONFIG_VMGENID=y" >&2; exit 1; }
cp "$work"/boot/vmlinuz-* "$dir/vmlinuz.tmp"
echo "$pkg $version" > "$dir/version"
mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
echo "peer-linux: $dir/vmlinuz is $pkg $version" >&2
