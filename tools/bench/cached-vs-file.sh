#!/usr/bin/env bash
# Benchmarks a cached volume with a warm cache against a plain file LUN of the same size, both
# exported by ONE Stowage daemon in the same run, with fio's libiscsi engine (userspace
# initiator): sequential write/read (1 MiB, queue depth 8), random 4 KiB write/read (queue depth
# 32) and a durability job (random 4 KiB writes at queue depth 1, each followed by SYNCHRONIZE
# CACHE(16)); prints each figure and the ratio cached/file.
#
# Usage: tools/bench/cached-vs-file.sh [--dir DIR] [--size GiB] [--runtime S] [--repeat N]
#                                      [--settle-delay D] [--no-sync-job] [--keep]
#   --dir DIR         parent of the scratch directory (default <repo>/build/bench); the file LUN,
#                     the cache and the embedded bucket live in ONE fresh directory inside it
#   --size N          GiB of each LUN (default 1); the cache holds the whole volume plus 256 MiB
#   --runtime S       seconds per fio job (default 15), after 2 s of ramp
#   --repeat N        runs per job and LUN; the table shows medians, and every run below it
#                     (default 3)
#   --settle-delay D  cache.settle_delay of the daemon (default 5s, the product's default)
#   --no-sync-job     skip the fifth job (rand-write-sync)
#   --keep            keep the scratch directory (images, cache, bucket, logs)
# What it does: builds what is missing (./stowage build, fio via tools/fio/build-fio.sh), starts
# ./stowage run with a generated config (embedded S3 store; one target with LUN 0 a type: file
# LUN on a sparse file and LUN 1 a type: cached volume of the same size; a cache of size + 256 MiB
# in 1 MiB chunks; no CHAP, as fio's libiscsi engine does not log in with CHAP), waits until both
# LUNs answer INQUIRY, warms the cache (an untimed sequential 1 MiB write of the whole cached
# volume, then an untimed sequential read of it, then waits until the bucket stops receiving
# uploads), writes the file LUN the same way, runs tools/fio/bench-iscsi.sh with both URLs
# (cached first, order flipped every repetition) without its own prefill, then the sync job the
# same way, prints the tables, stops the daemon (SIGTERM) and removes the scratch directory.
# Everything listens on 127.0.0.1; every wait is bounded. fio JSON stays in
# <repo>/build/bench/results/<time>-cached-vs-file/. Exit status 0 when every job ran.
set -euo pipefail

bench_name=cached-vs-file
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

parent=$repo/build/bench size_gib=1 runtime=15 repeat=3 sync_job=1 keep=0 ramp=2 settle=5s
while [[ $# -gt 0 ]]; do
    case $1 in
        --dir) parent=${2:?--dir needs a directory}; shift 2 ;;
        --size) size_gib=${2:?--size needs a number of GiB}; shift 2 ;;
        --runtime) runtime=${2:?--runtime needs seconds}; shift 2 ;;
        --repeat) repeat=${2:?--repeat needs a number}; shift 2 ;;
        --settle-delay) settle=${2:?--settle-delay needs a duration like 5s}; shift 2 ;;
        --no-sync-job) sync_job=0; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
check_count --size "$size_gib"
check_count --runtime "$runtime"
check_count --repeat "$repeat"
[[ $settle =~ ^[0-9]+(ms|s|m|h)$ ]] || die "--settle-delay must be a duration like 500ms, 5s, 2m, 1h"
ensure_built

# --- scratch directory -----------------------------------------------------------------------
mkdir -p "$parent"
scratch=$(mktemp -d "$(cd "$parent" && pwd)/cached-vs-file.XXXXXX")
out=$repo/build/bench/results/$(date -u +%Y%m%dT%H%M%S)-cached-vs-file
mkdir -p "$out"
port=$(free_port)

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_background
    stop_daemon
    cp "$scratch"/*.log "$scratch"/*.yaml "$out"/ 2>/dev/null || true   # logs stay with the results
    if [[ $keep -eq 1 ]]; then say "kept $scratch"; else rm -rf "$scratch"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the daemon ------------------------------------------------------------------------------
iqn=iqn.2026-11.dev.stowage:bench-cached-vs-file
config=$scratch/stowage.yaml
data=$scratch/stowage-data
{ daemon_config_head; cat <<EOF; } > "$config"
cache:
  size: $((size_gib * 1024 + 256))MiB
  chunk_size: 1MiB
  settle_delay: $settle
iscsi:
  listen: 127.0.0.1:$port
  targets:
    - iqn: $iqn
      luns:
        - {lun: 0, type: file, path: $scratch/file.img, size: ${size_gib}GiB}
        - {lun: 1, type: cached, volume: bench, size: ${size_gib}GiB}
EOF
say "scratch directory $scratch ($(df -hT "$scratch" | awk 'NR==2 {print $1 ", " $2}'))"
start_daemon "$config" "$data" "$scratch/stowage.log"
file_url=iscsi://127.0.0.1:$port/$iqn/0
cached_url=iscsi://127.0.0.1:$port/$iqn/1
wait_inquiry "stowage (log: $scratch/stowage.log)" "$file_url" 180 "$daemon_pid"
wait_inquiry "stowage (log: $scratch/stowage.log)" "$cached_url" 60 "$daemon_pid"
say "both LUNs answer: cached $cached_url, file $file_url"

# --- warm-up: every block written and read once, untimed --------------------------------------
untimed() { # untimed LABEL URL RW
    local base=$out/$1-warm-$3
    printf '[global]\nioengine=libiscsi\nfilename=%s\nsize=%sG\n[warm-%s]\nrw=%s\nbs=1M\niodepth=8\n' \
        "$(fio_escape "$2")" "$size_gib" "$3" "$3" > "$base.fio"
    say "untimed sequential $3 of $1 ($size_gib GiB)"
    in_background timeout $((size_gib * 300 + 120)) "$fio" --output-format=json --output="$base.json" "$base.fio" 2> "$base.err" \
        || die "fio failed against $2: $(head -n 3 "$base.err" | tr '\n' ' ') (see $out)"
}
# Uploads of the warm-up's chunks run in the same JVM; the jobs start once they are done, so the
# cached side starts from a clean cache (the uploads the jobs' own writes cause are part of it).
wait_uploads() { # the embedded bucket's object count unchanged for 3 s (at most 300 s)
    local before=-1 now stable=0 deadline=$((SECONDS + 300))
    while ((stable < 3 && SECONDS < deadline)); do
        now=$(find "$data/demo-s3" -type f 2>/dev/null | wc -l)
        if [[ $now == "$before" ]]; then stable=$((stable + 1)); else stable=0; fi
        before=$now
        sleep 1
    done
    ((stable >= 3)) || say "the bucket still received uploads after 300 s; starting anyway"
    say "bucket: $before objects after the warm-up"
}
untimed cached "$cached_url" write
untimed cached "$cached_url" read
untimed file "$file_url" write
untimed file "$file_url" read
wait_uploads

# --- the jobs (compare in lib.sh) --------------------------------------------------------------
started=$SECONDS
load_before=$(loadavg)
say "load before the jobs: $load_before"
compare cached "$cached_url" file "$file_url" --no-prefill
load_after=$(loadavg)

# --- report ----------------------------------------------------------------------------------
echo "Stowage cached volume (warm cache, 1 MiB chunks, settle delay $settle) vs file LUN, both ${size_gib} GiB," \
     "one daemon, fio $("$fio" --version) libiscsi engine; scratch directory under $parent"
echo "runtime ${runtime}s + ${ramp}s ramp per job, median of $repeat runs; load average before: $load_before, after: $load_after"
echo
print_tables cached file
echo "bucket after the run: $(find "$data/demo-s3" -type f 2>/dev/null | wc -l) objects"
echo
echo "wall time of the timed jobs: $((SECONDS - started)) s; fio job files and JSON in $out"
