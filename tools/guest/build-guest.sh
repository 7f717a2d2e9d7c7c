#!/usr/bin/env bash
# Builds a small bootable Linux guest used as a real iSCSI (and later NFS) client:
#   <cache>/vmlinuz      the Debian bookworm 6.1 kernel (from the linux-image package, not installed)
#   <cache>/initrd.gz    busybox + iscsistart + mt/mtx + sg3-utils + mkfs.ext4/e2fsck + kernel modules
#   <cache>/kernel-version
# The scenario scripts are NOT baked in: run-scenario.sh appends them per run, so editing a
# scenario needs no rebuild.
#
# Usage: tools/guest/build-guest.sh [--force]
# Env:   STOWAGE_GUEST_CACHE  cache directory (default <repo>/build/guest)
#        STOWAGE_GUEST_KERNEL exact linux-image package to use (default: newest linux-image-6.1.0-N-amd64)
# Idempotent: reuses the cached kernel and initramfs when the inputs did not change.
# Needs root (apt-get) on Debian bookworm; fails with a one-line message naming what is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${STOWAGE_GUEST_CACHE:-$repo/build/guest}
force=0
[[ ${1:-} == --force ]] && force=1
[[ $# -le 1 && ( $# -eq 0 || $force -eq 1 ) ]] || { echo "usage: $0 [--force]" >&2; exit 2; }

die() { echo "build-guest: $*" >&2; exit 1; }

# --- host packages -------------------------------------------------------------------------
# package:file-it-provides pairs; anything missing is installed with apt-get.
need=(qemu-system-x86:/usr/bin/qemu-system-x86_64 busybox-static:/bin/busybox cpio:/usr/bin/cpio
      kmod:/sbin/depmod mt-st:/bin/mt-st mtx:/usr/sbin/mtx sg3-utils:/usr/bin/sg_inq
      e2fsprogs:/sbin/mkfs.ext4 libssl3:/usr/lib/x86_64-linux-gnu/libcrypto.so.3
      libkmod2:/lib/x86_64-linux-gnu/libkmod.so.2)
missing=()
for pair in "${need[@]}"; do
    [[ -e ${pair#*:} ]] || missing+=("${pair%%:*}")
done
if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing packages ${missing[*]} (run as root to install them)"
    command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
    echo "build-guest: installing ${missing[*]}" >&2
    apt-get -q update >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# --- pick the kernel -----------------------------------------------------------------------
kpkg=${STOWAGE_GUEST_KERNEL:-}
if [[ -z $kpkg ]]; then
    kpkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -1)
    if [[ -z $kpkg ]]; then
        apt-get -q update >/dev/null || die "apt-get update failed"
        kpkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -1)
    fi
    [[ -n $kpkg ]] || die "no linux-image-6.1.0-*-amd64 package known to apt (check /etc/apt/sources)"
fi
kver=${kpkg#linux-image-}

# One build at a time per cache directory (run-scenario.sh may call this concurrently).
mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9

# Everything that shapes the initramfs goes into the stamp; same stamp = reuse the cache.
stamp_now=$(printf '%s\n' "$kpkg" "$(sha256sum "$0" "$here/guest-init.sh" | awk '{print $1}')")
if [[ $force -eq 0 && -f $cache/stamp && -f $cache/initrd.gz && -f $cache/vmlinuz \
      && "$(cat "$cache/stamp")" == "$stamp_now" ]]; then
    echo "build-guest: up to date ($kver) in $cache"
    exit 0
fi

mkdir -p "$cache/debs"
# --- download and unpack the kernel and open-iscsi (never installed on the host) ------------
if ! ls "$cache/debs/${kpkg}_"*.deb >/dev/null 2>&1; then
    rm -f "$cache/debs/"linux-image-*.deb
    (cd "$cache/debs" && apt-get -qq download "$kpkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
    ls "$cache/debs/${kpkg}_"*.deb >/dev/null 2>&1 || die "apt-get download $kpkg failed"
fi
for p in open-iscsi libopeniscsiusr; do
    if ! ls "$cache/debs/${p}_"*.deb >/dev/null 2>&1; then
        (cd "$cache/debs" && apt-get -qq download "$p" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
        ls "$cache/debs/${p}_"*.deb >/dev/null 2>&1 || die "apt-get download $p failed"
    fi
done

rm -rf "$cache/root" "$cache/initramfs"
mkdir -p "$cache/root"
for deb in "$cache/debs/${kpkg}_"*.deb "$cache/debs/open-iscsi_"*.deb "$cache/debs/libopeniscsiusr_"*.deb; do
    dpkg-deb -x "$deb" "$cache/root"
done
[[ -f $cache/root/boot/vmlinuz-$kver ]] || die "$kpkg has no /boot/vmlinuz-$kver"
[[ -x $cache/root/sbin/iscsistart ]] || die "open-iscsi package has no /sbin/iscsistart"

# --- assemble the initramfs tree ------------------------------------------------------------
ir=$cache/initramfs
mkdir -p "$ir"/{bin,usr/bin,dev,proc,sys,tmp,mnt,etc/stowage,etc/iscsi,lib64,lib/x86_64-linux-gnu,stowage}
cp /bin/busybox "$ir/bin/busybox"
ln -s busybox "$ir/bin/sh"

libpath=$cache/root/usr/lib/x86_64-linux-gnu:$cache/root/lib/x86_64-linux-gnu
copy_bin() { # copy_bin SOURCE NAME: binary plus every shared library ldd reports
    local src=$1 name=$2 line lib
    [[ -x $src ]] || die "missing binary $src"
    cp "$src" "$ir/usr/bin/$name"
    while read -r line; do
        case $line in
            *"not found"*) die "$src needs ${line%% *}, which is not installed" ;;
            *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
            /*) lib=${line%% (*} ;;
            *) continue ;;
        esac
        if [[ $lib == /lib64/* ]]; then
            cp -L "$lib" "$ir/lib64/"
        else
            cp -L "$lib" "$ir/lib/x86_64-linux-gnu/"
        fi
    done < <(LD_LIBRARY_PATH=$libpath ldd "$src")
}
copy_bin "$cache/root/sbin/iscsistart" iscsistart
copy_bin /bin/mt-st mt-st
for b in mtx tapeinfo loaderinfo; do copy_bin "/usr/sbin/$b" "$b"; done
for b in /usr/bin/sg_*; do copy_bin "$b" "$(basename "$b")"; done
copy_bin /sbin/mke2fs mke2fs
ln -s mke2fs "$ir/usr/bin/mkfs.ext4"
copy_bin /sbin/e2fsck e2fsck
ln -s e2fsck "$ir/usr/bin/fsck.ext4"
cp /etc/mke2fs.conf "$ir/etc/mke2fs.conf"
# iscsistart reads its defaults from here when present; an empty file means built-in defaults.
: > "$ir/etc/iscsi/iscsid.conf"

# --- kernel modules with dependencies, in load order ---------------------------------------
mods=(crc32c_generic crct10dif_generic crc64_rocksoft_generic
      scsi_common scsi_mod scsi_transport_iscsi libiscsi libiscsi_tcp iscsi_tcp
      sd_mod st ch sg
      virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
      failover net_failover virtio_net
      crc16 mbcache jbd2 ext4)
nfs_mods=(sunrpc grace lockd nfs_acl nfs nfsv3)  # loaded only for nfs-* scenarios
kroot=$cache/root/lib/modules/$kver
depmod -b "$cache/root" "$kver" || die "depmod failed for $kver"
declare -A seen=()
order=()
add_mod() { # add_mod kernel/path.ko: dependencies first (modules.dep lists the deepest last)
    local rel=$1 deps d i
    [[ -n ${seen[$rel]:-} ]] && return 0
    seen[$rel]=1
    deps=$(awk -v m="$rel:" '$1 == m { $1 = ""; print; exit }' "$kroot/modules.dep")
    read -r -a d <<< "$deps"
    for ((i = ${#d[@]} - 1; i >= 0; i--)); do add_mod "${d[i]}"; done
    order+=("$rel")
}
find_mod() { # find_mod NAME: path of NAME.ko (or with - for _) in modules.dep
    awk -F: -v a="/$m.ko" -v b="/${m//_/-}.ko" \
        'substr($1, length($1) - length(a) + 1) == a || substr($1, length($1) - length(b) + 1) == b { print $1; exit }' \
        "$kroot/modules.dep"
}
for m in "${mods[@]}"; do
    rel=$(find_mod "$m")
    [[ -n $rel ]] || die "kernel $kver has no module $m"
    add_mod "$rel"
done
nbase=${#order[@]}
for m in "${nfs_mods[@]}"; do
    rel=$(find_mod "$m")
    [[ -n $rel ]] || die "kernel $kver has no module $m"
    add_mod "$rel"
done
mkdir -p "$ir/lib/modules/$kver"
for rel in "${order[@]}"; do
    mkdir -p "$ir/lib/modules/$kver/$(dirname "$rel")"
    cp "$kroot/$rel" "$ir/lib/modules/$kver/$rel"
done
printf '%s\n' "${order[@]:0:nbase}" > "$ir/etc/stowage/modules.order"
printf '%s\n' "${order[@]:nbase}" > "$ir/etc/stowage/modules-nfs.order"
cp "$kroot/modules.order" "$kroot/modules.builtin" "$kroot/modules.builtin.modinfo" "$ir/lib/modules/$kver/"
depmod -b "$ir" "$kver" || die "depmod failed on the initramfs tree"
echo "$kver" > "$ir/etc/stowage/kernel-version"

cp "$here/guest-init.sh" "$ir/init"
chmod 755 "$ir/init"

# --- pack ------------------------------------------------------------------------------------
(cd "$ir" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -6 > "$cache/initrd.gz.tmp"
mv "$cache/initrd.gz.tmp" "$cache/initrd.gz"
cp "$cache/root/boot/vmlinuz-$kver" "$cache/vmlinuz"
echo "$kver" > "$cache/kernel-version"
rm -rf "$cache/root" "$ir"
printf '%s\n' "$stamp_now" > "$cache/stamp"
echo "build-guest: built $kver guest in $cache ($(du -h "$cache/initrd.gz" | cut -f1) initramfs)"
