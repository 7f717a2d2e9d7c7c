# disk-raw: how the Linux SCSI disk driver sees the LUN, plus raw block I/O. Logs in, prints
# what sd attached (size, block sizes, write cache, FUA, discard), checks READ CAPACITY(16)
# against the kernel's size, that INQUIRY has the unit serial number (VPD 0x80) and device
# identification (VPD 0x83) pages, TEST UNIT READY, REPORT LUNS and SYNCHRONIZE CACHE; then
# writes random data with O_DIRECT at the first, a middle and the last MiB of the device,
# drops the caches, reads it back with O_DIRECT and compares; finally a write past the end
# must fail.
# Parameters: target (required), lun, mib (size of each region, default 1), CHAP parameters
#   as in disk-fs, port, host, initiator.
. /stowage/lib.sh
require target
mib=${mib:-1}

iscsi_login || fail "iSCSI login to $target at $host:$port failed"
wait_for 30 have_disk || fail "no SCSI disk appeared after login"
dev=$(first_disk)
name=${dev#/dev/}
q=/sys/block/$name/queue
sectors=$(cat "/sys/block/$name/size")
lbs=$(cat $q/logical_block_size)
log "$dev: $sectors sectors, logical block $lbs, physical block $(cat $q/physical_block_size)," \
    "write cache '$(cat "/sys/block/$name/device/scsi_disk/"*/cache_type)'," \
    "FUA $(cat "/sys/block/$name/device/scsi_disk/"*/FUA 2>/dev/null || cat $q/fua 2>/dev/null)," \
    "discard max $(cat $q/discard_max_bytes) bytes, rotational $(cat $q/rotational)"
dmesg | grep -E "sd [0-9:]+: \[$name\]" | sed 's/^/kernel: /'

sg_turs "$dev" || fail "TEST UNIT READY failed"
sg_luns "$dev" || fail "REPORT LUNS failed"
sg_inq "$dev" || fail "standard INQUIRY failed"
sg_vpd --page=sn "$dev" || fail "INQUIRY VPD page 0x80 (unit serial number) failed"
sg_vpd --page=di "$dev" || fail "INQUIRY VPD page 0x83 (device identification) failed"
sg_readcap --16 "$dev" > /tmp/rc16 2>&1 || { cat /tmp/rc16; fail "READ CAPACITY(16) failed"; }
cat /tmp/rc16
blocks=$(sed -n 's/.*Number of logical blocks=\([0-9]*\).*/\1/p' /tmp/rc16)
[ "$((blocks * lbs))" -eq "$((sectors * 512))" ] || fail "READ CAPACITY(16) says $blocks blocks of $lbs, kernel size is $sectors sectors"
sg_sync "$dev" || fail "SYNCHRONIZE CACHE failed"

total_mib=$((sectors / 2048))
[ "$total_mib" -ge $((3 * mib)) ] || fail "disk of $total_mib MiB is too small for three $mib MiB regions"
for region in 0 $((total_mib / 2)) $((total_mib - mib)); do
    head -c $((mib * 1048576)) /dev/urandom > "/tmp/r$region"
    dd if="/tmp/r$region" of="$dev" bs=1M seek="$region" count="$mib" oflag=direct conv=notrunc 2>/tmp/dd.log \
        || { cat /tmp/dd.log; fail "O_DIRECT write at MiB $region failed"; }
done
sg_sync "$dev" || fail "SYNCHRONIZE CACHE after the writes failed"
blockdev --flushbufs "$dev"
echo 3 > /proc/sys/vm/drop_caches
for region in 0 $((total_mib / 2)) $((total_mib - mib)); do
    dd if="$dev" of="/tmp/b$region" bs=1M skip="$region" count="$mib" iflag=direct 2>/tmp/dd.log \
        || { cat /tmp/dd.log; fail "O_DIRECT read at MiB $region failed"; }
    cmp -s "/tmp/r$region" "/tmp/b$region" || fail "data read back at MiB $region differs"
done
log "O_DIRECT write/read of $mib MiB at MiB 0, $((total_mib / 2)) and $((total_mib - mib)) identical"

if dd if=/tmp/r0 of="$dev" bs="$lbs" seek=$((sectors * 512 / lbs)) count=1 oflag=direct conv=notrunc 2>/dev/null; then
    fail "a write past the end of the device succeeded"
fi
log "write past the end refused"
pass
