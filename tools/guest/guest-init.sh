#!/bin/sh
# /init of the test guest (busybox sh). Mounts the basics, loads the kernel modules in the order
# build-guest.sh computed, brings up eth0 on qemu's user network (10.0.2.15, host = 10.0.2.2),
# runs /stowage/scenario.sh (appended by run-scenario.sh together with /stowage/params and
# /stowage/lib.sh) under a time limit, prints the guest kernel log and finally exactly one
# verdict line, STOWAGE-SCENARIO-PASS or STOWAGE-SCENARIO-FAIL: <reason>, then powers off.
/bin/busybox --install -s /bin
# Real tools (mt-st, mtx, sg3-utils, e2fsprogs, iscsistart) live in /usr/bin; busybox sh still
# prefers its own applets for clashing names (mt, mke2fs), so lib.sh calls those by full path.
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
[ -f /stowage/params ] || { echo "STOWAGE-SCENARIO-FAIL: no /stowage/params in the initramfs"; poweroff -f; }
# Keep kernel messages off the console so they cannot split the verdict line; dumped below.
echo 1 > /proc/sys/kernel/printk

verdict() {
    echo "----- guest kernel log -----"
    dmesg | tail -n 200
    echo "----- end of guest kernel log -----"
    sync
    echo "$1"
    poweroff -f
    sleep 30
}

kver=$(cat /etc/stowage/kernel-version)
# shellcheck disable=SC1091  # generated per run by run-scenario.sh
. /stowage/params
load_modules() {
    while read -r mod; do
        insmod "/lib/modules/$kver/$mod" || verdict "STOWAGE-SCENARIO-FAIL: guest could not load $mod"
    done < "$1"
}
load_modules /etc/stowage/modules.order
case ${scenario:-} in nfs-*) load_modules /etc/stowage/modules-nfs.order ;; esac

ip link set lo up
ip link set eth0 up || verdict "STOWAGE-SCENARIO-FAIL: guest has no eth0"
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2

[ -f /stowage/scenario.sh ] || verdict "STOWAGE-SCENARIO-FAIL: no scenario in the initramfs"
echo "stowage guest: kernel $kver, scenario ${scenario:-?}"

# The scenario writes its verdict to /tmp/verdict (see lib.sh); anything else is a failure.
timeout "${guest_timeout:-240}" sh /stowage/scenario.sh
rc=$?
if [ -s /tmp/verdict ]; then
    verdict "$(cat /tmp/verdict)"
elif [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; then
    verdict "STOWAGE-SCENARIO-FAIL: scenario timed out in the guest after ${guest_timeout:-240} s"
else
    verdict "STOWAGE-SCENARIO-FAIL: scenario exited with status $rc without a verdict"
fi
