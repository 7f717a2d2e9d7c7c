# disk-fs: log in (CHAP when chap_user is set), mkfs.ext4 the new disk, write files of random
# data, record their sha256 sums, unmount, drop the disk from the kernel and rediscover it (so
# nothing is read from the guest's caches), mount again and verify every checksum.
# Parameters: target (IQN, required), port, host, initiator, chap_user, chap_secret,
#   mutual_user, mutual_secret, lun (which LUN to use; default the first disk),
#   small_files (default 200),
#   phase = all (default) | write (mkfs + write + manifest, leave the data) | verify (only
#   check the manifest left by an earlier phase=write, e.g. across a target restart).
. /stowage/lib.sh
require target
phase=${phase:-all}
small_files=${small_files:-200}
case $phase in all|write|verify) ;; *) fail "phase must be all, write or verify, not '$phase'";; esac

iscsi_login || fail "iSCSI login to $target at $host:$port failed"
wait_for 30 have_disk || fail "no SCSI disk appeared after login"
dev=$(first_disk)
name=${dev#/dev/}
log "disk $dev: $(cat "/sys/block/$name/size") sectors of 512 bytes," \
    "vendor '$(cat "/sys/block/$name/device/vendor")' model '$(cat "/sys/block/$name/device/model")'"
sg_readcap "$dev" || fail "READ CAPACITY on $dev failed"

rediscover() { # forget the disk and find it again through a SCSI scan of its iSCSI host
    scsi_host=$(readlink -f "/sys/block/$name/device" | grep -o 'host[0-9]*' | head -n 1)
    [ -n "$scsi_host" ] || fail "cannot find the SCSI host of $dev"
    blockdev --flushbufs "$dev"
    echo 3 > /proc/sys/vm/drop_caches
    echo 1 > "/sys/block/$name/device/delete" || fail "cannot detach $dev"
    wait_for 10 [ ! -e "/sys/block/$name" ] || fail "$dev did not go away"
    echo "- - -" > "/sys/class/scsi_host/$scsi_host/scan" || fail "rescan of $scsi_host failed"
    wait_for 30 have_disk || fail "the disk did not come back after a rescan"
    dev=$(first_disk)
    name=${dev#/dev/}
    log "disk rediscovered as $dev"
}

verify() { # verify [EXPECTED-MANIFEST]
    mount -t ext4 "$dev" /mnt || fail "mount of $dev failed on verify"
    [ -f /mnt/SHA256SUMS ] || fail "no SHA256SUMS manifest on the filesystem"
    if [ -n "${1:-}" ]; then
        cmp -s "$1" /mnt/SHA256SUMS || fail "the manifest on disk differs from the one written"
    fi
    want=$((small_files + 2))
    have=$(wc -l < /mnt/SHA256SUMS)
    [ "$have" -eq "$want" ] || fail "manifest lists $have files, expected $want"
    (cd /mnt && sha256sum -c -s SHA256SUMS) || {
        (cd /mnt && sha256sum -c SHA256SUMS 2>&1 | grep -v ': OK$' | head -n 20)
        fail "checksum mismatch after remount (see the lines above)"
    }
    log "all $have checksums verified"
    umount /mnt || fail "umount failed after verify"
    e2fsck -f -n "$dev" > /tmp/fsck.log 2>&1 || { cat /tmp/fsck.log; fail "e2fsck found errors after verify"; }
}

if [ "$phase" != verify ]; then
    mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 on $dev failed"
    mount -t ext4 "$dev" /mnt || fail "mount of $dev failed"
    head -c 1048576 /dev/urandom > /mnt/one-mib.bin || fail "write of one-mib.bin failed"
    head -c 4194304 /dev/urandom > /mnt/four-mib.bin || fail "write of four-mib.bin failed"
    mkdir /mnt/small
    i=0
    while [ $i -lt "$small_files" ]; do
        head -c $(( (i * 7919) % 16384 + 1 )) /dev/urandom > "/mnt/small/f$i" || fail "write of small/f$i failed"
        i=$((i + 1))
    done
    (cd /mnt && find . -type f | sort | xargs sha256sum) > /tmp/SHA256SUMS
    cp /tmp/SHA256SUMS /mnt/SHA256SUMS
    log "wrote $((small_files + 2)) files ($(du -sk /mnt | cut -f1) KiB)"
    sync
    umount /mnt || fail "umount after write failed"
    e2fsck -f -n "$dev" > /tmp/fsck.log 2>&1 || { cat /tmp/fsck.log; fail "e2fsck found errors after write"; }
    [ "$phase" = write ] && pass
    rediscover
    verify /tmp/SHA256SUMS
else
    verify
fi
pass
