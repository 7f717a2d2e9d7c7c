#!/usr/bin/env bash
# Benchmarks Stowage's iSCSI target against Debian's tgt in one run, on the same disk, with fio's
# libiscsi engine (userspace initiator): sequential write/read (1 MiB, queue depth 8), random
# 4 KiB write/read (queue depth 32), plus a durability job (random 4 KiB writes at queue depth 1,
# each followed by a SYNCHRONIZE CACHE), and prints each figure and the ratio us/tgt.
#
# Usage: tools/bench/iscsi-vs-tgt.sh [--dir DIR] [--size GiB] [--runtime S] [--repeat N]
#                                    [--no-sync-job] [--keep]
#   --dir DIR      parent of the scratch directory (default <repo>/build/bench); both LUNs, the
#                  tgt state and our data directory live in ONE fresh directory inside it
#   --size N       GiB of each LUN (default 1); both LUNs are sparse files of N GiB
#   --runtime S    seconds per fio job (default 20), after 2 s of ramp
#   --repeat N     runs per job and target; the table shows medians (default 3)
#   --no-sync-job  skip the fifth job (rand-write-sync)
#   --keep         keep the scratch directory (LUN images, logs) instead of deleting it
# What it does: builds what is missing (./stowage build, fio via tools/fio/build-fio.sh, which
# patches fio's SYNCHRONIZE CACHE(16) range, see tools/fio/libiscsi-sync-cache-range.patch), starts
# tgt (tools/tgt/start-tgt.sh, file LUN, rdwr backing store) and our daemon (./stowage run with a
# generated config: embedded S3, an iscsi target with one type: file LUN, no CHAP because fio's
# libiscsi engine does not log in with CHAP), waits until both answer INQUIRY (iscsi-inq), runs
# tools/fio/bench-iscsi.sh with both URLs (ours first), runs the sync job the same way, prints
# the tables, stops both (SIGTERM for the daemon) and removes the scratch directory. Everything
# listens on 127.0.0.1 only; every wait is bounded. fio JSON files stay in
# <repo>/build/bench/results/<time>/. Exit status 0 when every job ran.
set -euo pipefail

bench_name=iscsi-vs-tgt
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

parent=$repo/build/bench size_gib=1 runtime=20 repeat=3 sync_job=1 keep=0 ramp=2
while [[ $# -gt 0 ]]; do
    case $1 in
        --dir) parent=${2:?--dir needs a directory}; shift 2 ;;
        --size) size_gib=${2:?--size needs a number of GiB}; shift 2 ;;
        --runtime) runtime=${2:?--runtime needs seconds}; shift 2 ;;
        --repeat) repeat=${2:?--repeat needs a number}; shift 2 ;;
        --no-sync-job) sync_job=0; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
check_count --size "$size_gib"
check_count --runtime "$runtime"
check_count --repeat "$repeat"
ensure_built

# --- scratch directory, ports ----------------------------------------------------------------
mkdir -p "$parent"
scratch=$(mktemp -d "$(cd "$parent" && pwd)/iscsi-vs-tgt.XXXXXX")
stamp=$(date -u +%Y%m%dT%H%M%S)
out=$repo/build/bench/results/$stamp
mkdir -p "$out"
tgt_port=$(free_port)
our_port=$(free_port)
while [[ $our_port == "$tgt_port" ]]; do our_port=$(free_port); done

tgt_started=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_background
    stop_daemon
    if [[ $tgt_started -eq 1 ]]; then
        "$repo/tools/tgt/stop-tgt.sh" --port "$tgt_port" --dir "$scratch" >/dev/null 2>&1 || true
    fi
    cp "$scratch"/*.log "$scratch"/*.yaml "$out"/ 2>/dev/null || true   # logs stay with the results
    if [[ $keep -eq 1 ]]; then say "kept $scratch"; else rm -rf "$scratch"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tgt -------------------------------------------------------------------------------------
say "scratch directory $scratch ($(df -hT "$scratch" | awk 'NR==2 {print $1 ", " $2}'))"
tgt_env=$(timeout 120 "$repo/tools/tgt/start-tgt.sh" --port "$tgt_port" --dir "$scratch" \
              --size-mb $((size_gib * 1024))) || die "tgt did not start (see $scratch/tgtd.log)"
tgt_started=1
tgt_url=$(sed -n 's/^disk_url=//p' <<< "$tgt_env")
[[ -n $tgt_url ]] || die "start-tgt.sh printed no disk_url"

# --- our daemon ------------------------------------------------------------------------------
our_iqn=iqn.2026-11.dev.stowage:bench-disk
config=$scratch/stowage.yaml
{ daemon_config_head; cat <<EOF; } > "$config"
iscsi:
  listen: 127.0.0.1:$our_port
  targets:
    - iqn: $our_iqn
      luns:
        - {lun: 0, type: file, path: $scratch/stowage.img, size: ${size_gib}GiB}
EOF
start_daemon "$config" "$scratch/stowage-data" "$scratch/stowage.log"
our_url=iscsi://127.0.0.1:$our_port/$our_iqn/0

tgt_pid=$(sed -n 's/^tgt_pid=//p' <<< "$tgt_env")
wait_inquiry tgt "$tgt_url" 30 "$tgt_pid"
wait_inquiry "stowage (log: $scratch/stowage.log)" "$our_url" 180 "$daemon_pid"
say "both targets answer: ours $our_url, tgt $tgt_url"

# --- the jobs (compare in lib.sh) --------------------------------------------------------------
started=$SECONDS
say "load before the run: $(loadavg)"
compare ours "$our_url" tgt "$tgt_url"
load_after=$(loadavg)

# --- report ----------------------------------------------------------------------------------
echo "Stowage vs tgt 1.0.x (fio $("$fio" --version), libiscsi engine), ${size_gib} GiB sparse file LUNs in a scratch directory under $parent"
echo "runtime ${runtime}s + ${ramp}s ramp per job, median of $repeat runs; load average after: $load_after"
echo
print_tables ours tgt
echo
echo "wall time of the fio runs: $((SECONDS - started)) s; fio job files and JSON in $out"
