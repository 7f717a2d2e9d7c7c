#!/usr/bin/env bash
# Self-test of the guest tooling against Debian's tgt: starts tgt on 127.0.0.1 (CHAP, a disk
# and a small VTL), runs the disk-fs, disk-raw, disk-bad-chap and tape-basic scenarios, stops
# tgt.
# Usage: tools/guest/check-with-tgt.sh [--port 3261]
# Exits 0 only when every scenario passed. Needs root the first time (packages).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tgt=$here/../tgt
port=3261
[[ ${1:-} == --port ]] && port=${2:?}
user=stowage-guest
secret=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

"$here/build-guest.sh"
disk_iqn='' vtl_iqn=''  # set by the eval below, from start-tgt.sh
eval "$("$tgt/start-tgt.sh" --port "$port" --chap-user "$user" --chap-secret "$secret" --vtl)"
trap '"$tgt/stop-tgt.sh" --port "$port" >/dev/null' EXIT
chap=(port="$port" chap_user="$user" chap_secret="$secret")
failed=0
"$here/run-scenario.sh" disk-fs target="$disk_iqn" "${chap[@]}" || failed=1
"$here/run-scenario.sh" disk-raw target="$disk_iqn" "${chap[@]}" || failed=1
"$here/run-scenario.sh" disk-bad-chap target="$disk_iqn" "${chap[@]}" || failed=1
"$here/run-scenario.sh" tape-basic target="$vtl_iqn" "${chap[@]}" load_slot=1 || failed=1
if [[ $failed -eq 0 ]]; then echo "check-with-tgt: all scenarios passed"; else echo "check-with-tgt: FAILED"; fi
exit "$failed"
