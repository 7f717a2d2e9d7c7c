#!/usr/bin/env bash
# Boots the test guest under qemu (TCG) and runs one scenario in it against an iSCSI target
# listening on the host's 127.0.0.1 (the guest reaches it as 10.0.2.2 through qemu's user
# network).
#
# Usage: tools/guest/run-scenario.sh SCENARIO [key=value...]
#   SCENARIO   one of tools/guest/scenarios/*.sh (disk-fs, disk-bad-chap, tape-basic, ...)
#   key=value  scenario parameters, e.g. target=iqn.... port=3260 chap_user=u chap_secret=s
#              (see the header of each scenario). Also: timeout=SECONDS (default 300, the hard
#              limit for the whole boot), log=FILE (default <cache>/logs/SCENARIO-<time>.log).
# Exits 0 only when the guest printed STOWAGE-SCENARIO-PASS; prints the verdict line and the
# log file. Builds the guest first if the cache is empty (tools/guest/build-guest.sh).
# Parameters travel in a small cpio appended to the initramfs, not on the kernel command line,
# so secrets do not show up in the kernel log.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${STOWAGE_GUEST_CACHE:-$repo/build/guest}

die() { echo "run-scenario: $*" >&2; exit 2; }

scenarios() { local f; for f in "$here"/scenarios/*.sh; do f=${f##*/}; [[ $f == lib.sh ]] || printf '%s ' "${f%.sh}"; done; }
[[ $# -ge 1 ]] || die "usage: $0 SCENARIO [key=value...] (scenarios: $(scenarios))"
scenario=$1; shift
[[ $scenario =~ ^[a-z0-9-]+$ && -f $here/scenarios/$scenario.sh ]] \
    || die "unknown scenario '$scenario' (have: $(scenarios))"

timeout_s=300
logfile=
params="scenario='$scenario'"$'\n'
for kv in "$@"; do
    [[ $kv == *=* ]] || die "parameter '$kv' is not key=value"
    key=${kv%%=*} value=${kv#*=}
    [[ $key =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad parameter name '$key'"
    case $key in
        timeout) [[ $value =~ ^[0-9]+$ ]] || die "timeout must be seconds"; timeout_s=$value; continue ;;
        log) logfile=$value; continue ;;
    esac
    params+="$key='${value//\'/\'\\\'\'}'"$'\n'
done
# The guest gives up a little before the host kills qemu, so its kernel log still gets printed.
params+="guest_timeout='$((timeout_s > 60 ? timeout_s - 30 : timeout_s))'"$'\n'

if [[ ! -f $cache/initrd.gz || ! -f $cache/vmlinuz ]]; then
    "$here/build-guest.sh" >&2 || die "building the guest failed"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run tools/guest/build-guest.sh as root)"

mkdir -p "$cache/logs"
[[ -n $logfile ]] || logfile=$cache/logs/$scenario-$(date -u +%Y%m%dT%H%M%S)-$$.log
work=$(mktemp -d "${TMPDIR:-/tmp}/stowage-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Per-run overlay: /stowage/{params,lib.sh,scenario.sh}; the kernel unpacks concatenated archives.
mkdir -p "$work/ov/stowage"
printf '%s' "$params" > "$work/ov/stowage/params"
chmod 600 "$work/ov/stowage/params"
cp "$here/scenarios/lib.sh" "$work/ov/stowage/lib.sh"
cp "$here/scenarios/$scenario.sh" "$work/ov/stowage/scenario.sh"
(cd "$work/ov" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$work/overlay.gz"
cat "$cache/initrd.gz" "$work/overlay.gz" > "$work/initrd.gz"

start=$(date +%s)
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
    -kernel "$cache/vmlinuz" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=-1 loglevel=1" \
    -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= </dev/null > "$logfile" 2>&1
qrc=$?
set -e
elapsed=$(( $(date +%s) - start ))

verdict=$(tr -d '\r' < "$logfile" | grep -a -E '^STOWAGE-SCENARIO-(PASS$|FAIL: )' | tail -n 1 || true)
if [[ -z $verdict ]]; then
    if [[ $qrc -eq 124 || $qrc -eq 137 ]]; then
        verdict="STOWAGE-SCENARIO-FAIL: no verdict, qemu killed after the ${timeout_s} s limit"
    else
        verdict="STOWAGE-SCENARIO-FAIL: no verdict, qemu exited with status $qrc"
    fi
fi
echo "$scenario: $verdict (${elapsed} s, log $logfile)"
[[ $verdict == STOWAGE-SCENARIO-PASS ]]
