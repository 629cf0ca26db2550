#!/usr/bin/env bash
# Fetches QEMU 10.0 from Debian 12's bookworm-backports into DIR
# (build/qemu10) for `make qemu10`, beside the system's QEMU 7.2: nothing is
# installed and nothing outside DIR changes. The archive is the one the
# system's own apt sources name (the first URIs line of the stanza listing
# the `bookworm` suite in /etc/apt/sources.list.d/debian.sources, else the
# first `deb … bookworm …` line of /etc/apt/sources.list), read here at run
# time; apt-get runs on a private sources file, package lists and cache, so
# the system's apt state is neither read nor written.
#
# Owns: DIR. It appears only complete: everything is built in a temporary
# folder beside it and renamed at the end; any failure removes the folder,
# names what could not be reached and exits non-zero. Never: runs dpkg -i or
# apt-get install, or needs root (apt-get's locks are in the private folders).
#
# DIR/bin/qemu-system-x86_64 and DIR/bin/qemu-img are wrappers that run the
# unpacked binaries with what they need beside the system's QEMU:
#   QEMU_MODULE_DIR=DIR/modules (empty): else QEMU 10 loads the system's
#     7.2 modules from its compiled-in folder and aborts ("Only modules from
#     the same build can be loaded");
#   -L DIR/root/usr/share/qemu -L DIR/root/usr/share/seabios: its own data and
#     firmware (bios-256k.bin, the VGA BIOS) before the compiled-in folders,
#     which are 7.2's; option ROMs still come from the system's ipxe-qemu
#     (/usr/lib/ipxe/qemu), which bookworm-backports does not carry and
#     QEMU 10's package accepts at bookworm's version;
#   -audio none: no audio backend (they are modules).
# DIR/root/usr/share/qemu/bios-microvm.bin links to qboot.rom, as the system's
# QEMU 7.2 data has it, so microvm boots the same firmware on both.
# DIR/version lists the packages and versions unpacked.
set -euo pipefail

dir=$(realpath -m "${1:?usage: fetch-qemu10.sh DIR}")
SUITE=bookworm-backports
PACKAGES=(qemu-system-x86 qemu-system-data seabios qemu-utils)
# The QEMU packages must be 10.0.x; seabios has its own numbering.
QEMU_VERSION_PATTERN='^1:10\.0\.'

fail() { echo "error: qemu10: $*" >&2; exit 1; }

[ -e "$dir" ] && fail "$dir already exists (remove it to fetch again)"
for tool in apt-get dpkg-deb; do command -v "$tool" >/dev/null || fail "$tool is not installed (a Debian system is needed)"; done

# ---- which archive the system uses -------------------------------------

# The two places Debian keeps its sources (overridable for the tests:
# test/unit/qemu10-fetch.test.ts).
deb822=${CLONESAFE_APT_DEB822:-/etc/apt/sources.list.d/debian.sources}
oneline=${CLONESAFE_APT_SOURCES_LIST:-/etc/apt/sources.list}
uri="" signed=""
if [ -f "$deb822" ]; then
  # Stanzas are separated by blank lines; take the one whose Suites name
  # `bookworm` itself (not bookworm-security's archive).
  read -r uri signed < <(awk '
    function flush() { if (!found && uri != "" && suites ~ /(^| )bookworm( |$)/) { print uri, signed; found = 1 } uri = ""; suites = ""; signed = "" }
    /^[ \t]*$/ { flush(); next }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { $1 = ""; suites = $0 " " }
    /^Signed-By:/ { signed = $2 }
    END { flush(); if (!found) exit 1 }' "$deb822") ||
    fail "$deb822 has no URIs: line in a stanza for the bookworm suite"
  source_file=$deb822
elif [ -f "$oneline" ]; then
  read -r uri signed < <(awk '
    $1 == "deb" {
      opts = ""; i = 2
      if ($2 ~ /^\[/) { while ($i !~ /\]$/ && i < NF) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
      if ($(i + 1) == "bookworm") {
        signed = ""; if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
        print $i, signed; found = 1; exit
      }
    }
    END { if (!found) exit 1 }' "$oneline") ||
    fail "$oneline has no \"deb <uri> bookworm …\" line"
  source_file=$oneline
else
  fail "no apt sources: neither $deb822 nor $oneline exists"
fi
[ -n "$uri" ] || fail "$source_file names no archive URI for bookworm"
echo "qemu10: $SUITE from the archive in $source_file" >&2

# ---- private apt state, in a folder that becomes DIR -------------------

mkdir -p "$(dirname "$dir")"
work=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt drops privileges to _apt for downloads when run as root: it must be
# able to reach the lists and write where packages are downloaded.
chmod 755 "$work"
mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/debs" "$work/root" "$work/bin" "$work/modules"
chmod 1777 "$work/debs"
if [ -n "$signed" ]; then options="[signed-by=$signed] "; else options=""; fi
echo "deb ${options}${uri} $SUITE main" > "$work/apt/sources.list"
APT=(-o "Dir::Etc::sourcelist=$work/apt/sources.list" -o "Dir::Etc::sourceparts=$work/apt/sources.list.d"
     -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o Dir::State::status=/dev/null)

unsandboxed='^W: Download is performed unsandboxed'
if ! out=$(apt-get "${APT[@]}" -q update 2>&1); then
  echo "$out" | grep -v "$unsandboxed" >&2 || true
  fail "apt-get update failed: could not reach $uri ($SUITE), the archive $source_file names"
fi
if echo "$out" | grep -E '^(W|E): ' | grep -v "$unsandboxed" >&2; then
  fail "could not reach $uri ($SUITE), the archive $source_file names: apt-get update reported the problems above"
fi

versions=()
for p in "${PACKAGES[@]}"; do
  v=$(apt-cache "${APT[@]}" show --no-all-versions "$p/$SUITE" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1 || true)
  [ -n "$v" ] || fail "package $p is missing from $SUITE"
  case "$p" in
    qemu-*) echo "$v" | grep -Eq "$QEMU_VERSION_PATTERN" || fail "$p in $SUITE is $v, not QEMU 10.0.x" ;;
  esac
  versions+=("$p $v")
done

if ! out=$(cd "$work/debs" && apt-get "${APT[@]}" -q download "${PACKAGES[@]/%//$SUITE}" 2>&1); then
  echo "$out" | grep -v "$unsandboxed" >&2 || true
  fail "apt-get download of ${PACKAGES[*]} from $SUITE failed"
fi
for p in "${PACKAGES[@]}"; do
  deb=$(ls "$work"/debs/"${p}"_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || fail "apt-get download produced no package file for $p"
  dpkg-deb -x "$deb" "$work/root"
done
ln -s qboot.rom "$work/root/usr/share/qemu/bios-microvm.bin"

# ---- the wrappers ------------------------------------------------------

cat > "$work/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
# QEMU 10.0 from bookworm-backports beside the system's QEMU 7.2 (made by
# tools/qemu/fetch-qemu10.sh, which says why each setting is here).
here=$(cd "$(dirname "$0")/.." && pwd)
QEMU_MODULE_DIR="$here/modules" exec "$here/root/usr/bin/qemu-system-x86_64" \
  -L "$here/root/usr/share/qemu" -L "$here/root/usr/share/seabios" -audio none "$@"
EOF
cat > "$work/bin/qemu-img" <<'EOF'
#!/bin/sh
# qemu-img 10.0 from bookworm-backports (made by tools/qemu/fetch-qemu10.sh).
here=$(cd "$(dirname "$0")/.." && pwd)
QEMU_MODULE_DIR="$here/modules" exec "$here/root/usr/bin/qemu-img" "$@"
EOF
chmod 755 "$work/bin/qemu-system-x86_64" "$work/bin/qemu-img"

# ---- check, then publish ----------------------------------------------

said=$("$work/bin/qemu-system-x86_64" --version 2>&1 | head -n 1) || fail "the unpacked QEMU does not run: $said"
echo "$said" | grep -q '^QEMU emulator version 10\.0\.' || fail "the unpacked QEMU says \"$said\", not 10.0"
img=$("$work/bin/qemu-img" --version 2>&1 | head -n 1) || fail "the unpacked qemu-img does not run: $img"
echo "$img" | grep -q '^qemu-img version 10\.0\.' || fail "the unpacked qemu-img says \"$img\", not 10.0"
# A pc machine with its default devices starts and stops: the BIOS, the VGA
# BIOS and the default NIC's option ROM resolve.
probe=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
  timeout 60 "$work/bin/qemu-system-x86_64" -machine pc -accel tcg -display none -monitor none -serial none \
    -S -qmp stdio 2>&1) || fail "the unpacked QEMU does not start a pc machine: $probe"

rm -rf "$work/apt" "$work/debs"
printf '%s\n' "${versions[@]}" > "$work/version"
mv "$work" "$dir"
trap - EXIT
echo "qemu10: $dir/bin/qemu-system-x86_64: $said" >&2
