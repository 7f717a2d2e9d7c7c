#!/usr/bin/env bash
# Builds fio from Debian's source package with the libiscsi engine (Debian's fio binary lacks
# it) and the nfs engine (libnfs). Result: <cache>/fio (a symlink to the built binary).
#
# Usage: tools/fio/build-fio.sh [--force]
# Env:   STOWAGE_FIO_CACHE  cache directory (default <repo>/build/fio)
# Idempotent: reuses the built binary when it exists, has the libiscsi engine and was built from
# patched source. Patches applied to the source after download (each once):
#   libiscsi-sync-cache-range.patch  SYNCHRONIZE CACHE(16) covers the whole LUN (fio 3.33 sent the
#                                    LUN size in bytes as the block count: LBA OUT OF RANGE)
# Needs root on Debian bookworm: enables deb-src in its own apt source file
# (/etc/apt/sources.list.d/stowage-deb-src.sources), installs the build dependencies (and
# python3, which bench-iscsi.sh uses to read fio's JSON).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${STOWAGE_FIO_CACHE:-$repo/build/fio}
die() { echo "build-fio: $*" >&2; exit 1; }
force=0
[[ ${1:-} == --force ]] && force=1

has_engine() { [[ -x $1 ]] && "$1" --enghelp 2>/dev/null | grep -qx '[[:space:]]*libiscsi'; }
patches=("$here/libiscsi-sync-cache-range.patch")
# patched SRCDIR: true when every patch is applied to the source in SRCDIR
patched() {
    local p
    for p in "${patches[@]}"; do
        patch -d "$1" -p1 -R --dry-run -s -f < "$p" >/dev/null 2>&1 || return 1
    done
}
built_dir=$(dirname "$(readlink -f "$cache/fio" 2>/dev/null || echo "$cache/fio")")
if [[ $force -eq 0 ]] && has_engine "$cache/fio" && patched "$built_dir" \
        && [[ -z $(find "$built_dir/engines" -name '*.c' -newer "$built_dir/fio" -print -quit) ]]; then
    echo "build-fio: up to date: $cache/fio ($("$cache/fio" --version))"
    exit 0
fi

# --- build dependencies --------------------------------------------------------------------
pkgs=(libiscsi-dev libnfs-dev libaio-dev zlib1g-dev build-essential pkg-config dpkg-dev patch python3)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
src_list=/etc/apt/sources.list.d/stowage-deb-src.sources
need_src=0
grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources || grep -qs '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || need_src=1
if ((${#missing[@]})) || [[ $need_src -eq 1 ]]; then
    [[ $(id -u) -eq 0 ]] || die "need root to install build dependencies (${missing[*]:-none}) and enable deb-src (needed: $need_src)"
fi
if [[ $need_src -eq 1 ]]; then
    [[ -f /etc/apt/sources.list.d/debian.sources ]] \
        || die "no /etc/apt/sources.list.d/debian.sources to derive a deb-src entry from"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src_list"
    echo "build-fio: enabled deb-src in $src_list" >&2
fi
if [[ $need_src -eq 1 ]] || ! apt-cache showsrc fio >/dev/null 2>&1 || ((${#missing[@]})); then
    apt-get -q update >/dev/null || die "apt-get update failed"
fi
if ((${#missing[@]})); then
    echo "build-fio: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# --- source and build -----------------------------------------------------------------------
mkdir -p "$cache"
srcdir=$(find "$cache" -maxdepth 1 -mindepth 1 -type d -name 'fio-*' | sort -V | tail -n 1)
if [[ -z $srcdir ]]; then
    (cd "$cache" && apt-get -qq source fio 2>&1 | grep -v -e '^W: Download is performed unsandboxed' \
        -e '^dpkg-source: info' >&2) || true
    srcdir=$(find "$cache" -maxdepth 1 -mindepth 1 -type d -name 'fio-*' | sort -V | tail -n 1)
    [[ -n $srcdir ]] || die "apt-get source fio failed (is deb-src enabled and apt updated?)"
fi
cd "$srcdir"
for p in "${patches[@]}"; do
    if ! patch -p1 -R --dry-run -s -f < "$p" >/dev/null 2>&1; then
        patch -p1 --forward -s < "$p" || die "could not apply $(basename "$p") to $srcdir (another fio version?)"
        echo "build-fio: applied $(basename "$p")" >&2
    fi
done
if [[ $force -eq 1 || ! -f config-host.mak ]] || ! grep -q '^CONFIG_LIBISCSI=y' config-host.mak; then
    ./configure --enable-libiscsi > "$cache/configure.log" 2>&1 || die "configure failed (see $cache/configure.log)"
    grep -q '^CONFIG_LIBISCSI=y' config-host.mak || die "configure did not enable libiscsi (see $cache/configure.log)"
fi
make -j2 > "$cache/make.log" 2>&1 || die "make failed (see $cache/make.log)"
ln -sfn "$srcdir/fio" "$cache/fio"
has_engine "$cache/fio" || die "built fio has no libiscsi engine"
echo "build-fio: built $cache/fio ($("$cache/fio" --version), engines libiscsi$(grep -q '^CONFIG_LIBNFS=y' config-host.mak && echo ' nfs'))"
