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
#   --size N       GiB of each LUN the jobs use (default 1); both LUNs are sparse files of N GiB,
#                  rounded up to a multiple of 4 GiB when the sync job runs (see lun_gib below)
#   --runtime S    seconds per fio job (default 20), after 2 s of ramp
#   --repeat N     runs per job and target; the table shows medians (default 3)
#   --no-sync-job  skip the fifth job (rand-write-sync)
#   --keep         keep the scratch directory (LUN images, logs) instead of deleting it
# What it does: builds what is missing (./stowage build, fio via tools/fio/build-fio.sh), starts
# tgt (tools/tgt/start-tgt.sh, file LUN, rdwr backing store) and our daemon (./stowage run with a
# generated config: embedded S3, an iscsi target with one type: file LUN, no CHAP because fio's
# libiscsi engine does not log in with CHAP), waits until both answer INQUIRY (iscsi-inq), runs
# tools/fio/bench-iscsi.sh with both URLs (ours first), runs the sync job the same way, prints
# the tables, stops both (SIGTERM for the daemon) and removes the scratch directory. Everything
# listens on 127.0.0.1 only; every wait is bounded. fio JSON files stay in
# <repo>/build/bench/results/<time>/. Exit status 0 when every job ran.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "iscsi-vs-tgt: $*" >&2; exit 1; }
say() { echo "iscsi-vs-tgt: $*" >&2; }

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
[[ $size_gib =~ ^[0-9]+$ && $size_gib -gt 0 ]] || die "--size must be a positive whole number of GiB"
[[ $runtime =~ ^[0-9]+$ && $runtime -gt 0 ]] || die "--runtime must be a positive number of seconds"
[[ $repeat =~ ^[0-9]+$ && $repeat -gt 0 ]] || die "--repeat must be a positive number"
# fio 3.33's libiscsi engine sends SYNCHRONIZE CACHE(16) with the LUN size in BYTES as the number
# of blocks (engines/libiscsi.c: scsi_cdb_synchronizecache16(0, num_blocks * block_size, 0, 0)),
# truncated to 32 bits. A target that checks the range, as SBC requires (ours does), answers LBA
# OUT OF RANGE and flushes nothing; tgt ignores the range. When the LUN is a multiple of 4 GiB the
# value truncates to 0, which means "to the end of the medium" and is valid. So with the sync job
# the LUNs (sparse files) are rounded up to a multiple of 4 GiB and every job uses only the
# first --size GiB of them.
lun_gib=$size_gib
[[ $sync_job -eq 1 ]] && lun_gib=$(( (size_gib + 3) / 4 * 4 ))
for tool in iscsi-inq python3 timeout setsid; do
    command -v "$tool" >/dev/null || die "$tool is missing (iscsi-inq: apt-get install libiscsi-bin)"
done

# --- build what is missing -------------------------------------------------------------------
jar=$repo/gateway-server/target/stowage-gateway.jar
if [[ ! -f $jar ]]; then
    say "building Stowage (./stowage build)"
    timeout 1800 "$repo/stowage" build >&2 || die "./stowage build failed"
fi
fio=${STOWAGE_FIO_CACHE:-$repo/build/fio}/fio
if [[ ! -x $fio ]]; then
    say "building fio with the libiscsi engine"
    timeout 1800 "$repo/tools/fio/build-fio.sh" >&2 || die "tools/fio/build-fio.sh failed"
fi

# --- scratch directory, ports ----------------------------------------------------------------
mkdir -p "$parent"
scratch=$(mktemp -d "$(cd "$parent" && pwd)/iscsi-vs-tgt.XXXXXX")
stamp=$(date -u +%Y%m%dT%H%M%S)
out=$repo/build/bench/results/$stamp
mkdir -p "$out"
# A free port in 20000-32767: tgtd uses the iSCSI port as its control-socket number (-C), which it
# refuses above 32767, so the kernel's ephemeral range does not do.
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32768)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port found in 20000-32767")
PY
}
tgt_port=$(free_port)
our_port=$(free_port)
while [[ $our_port == "$tgt_port" ]]; do our_port=$(free_port); done

daemon_pid='' tgt_started=0 child=''
# Long steps run in the background and are waited for, so INT/TERM reach the trap at once (bash
# defers traps while a foreground command runs, and timeout puts its command in its own process
# group, out of reach of Ctrl-C); the trap then stops the step.
in_background() { # in_background CMD...: runs CMD, returns its exit status
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=''
    return "$rc"
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $child ]]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
    if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$daemon_pid" 2>/dev/null; then
            say "daemon $daemon_pid did not stop within 30 s of SIGTERM; killing it"
            kill -KILL "$daemon_pid" 2>/dev/null || true
        fi
        wait "$daemon_pid" 2>/dev/null || true
    fi
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
              --size-mb $((lun_gib * 1024))) || die "tgt did not start (see $scratch/tgtd.log)"
tgt_started=1
tgt_url=$(sed -n 's/^disk_url=//p' <<< "$tgt_env")
[[ -n $tgt_url ]] || die "start-tgt.sh printed no disk_url"

# --- our daemon ------------------------------------------------------------------------------
our_iqn=iqn.2026-11.dev.stowage:bench-disk
config=$scratch/stowage.yaml
cat > "$config" <<EOF
s3:
  embedded: true
  embedded_port: 0
health:
  listen: 127.0.0.1:0
logging:
  level: warn
iscsi:
  listen: 127.0.0.1:$our_port
  targets:
    - iqn: $our_iqn
      luns:
        - {lun: 0, type: file, path: $scratch/stowage.img, size: ${lun_gib}GiB}
EOF
STOWAGE_DATA_DIR=$scratch/stowage-data setsid "$repo/stowage" run --config "$config" \
    > "$scratch/stowage.log" 2>&1 < /dev/null &
daemon_pid=$!
our_url=iscsi://127.0.0.1:$our_port/$our_iqn/0

wait_inquiry() { # wait_inquiry NAME URL SECONDS PID
    local deadline=$((SECONDS + $3))
    while ! timeout 10 iscsi-inq "$2" >/dev/null 2>&1; do
        kill -0 "$4" 2>/dev/null || die "$1 exited at start"
        ((SECONDS < deadline)) || die "$1 did not answer INQUIRY at $2 within $3 s"
        sleep 0.5
    done
}
tgt_pid=$(sed -n 's/^tgt_pid=//p' <<< "$tgt_env")
wait_inquiry tgt "$tgt_url" 30 "$tgt_pid"
wait_inquiry "stowage (log: $scratch/stowage.log)" "$our_url" 180 "$daemon_pid"
say "both targets answer: ours $our_url, tgt $tgt_url"

# --- the four jobs ---------------------------------------------------------------------------
started=$SECONDS
say "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
jobs_s=$((runtime + ramp + 15))
limit=$((repeat * 4 * 2 * jobs_s + 2 * (size_gib * 60 + 60)))
in_background timeout "$limit" "$repo/tools/fio/bench-iscsi.sh" --runtime "$runtime" --ramp "$ramp" \
        --repeat "$repeat" --size "${size_gib}G" --out "$out" "$our_url" "$tgt_url" > "$out/table.txt" \
    || die "tools/fio/bench-iscsi.sh failed (fio output in $out)"
bench_out=$(cat "$out/table.txt")

# --- the durability job: random 4 KiB writes at queue depth 1, each followed by SYNCHRONIZE
# CACHE(16). Queue depth 1 because fio 3.33 keeps issuing syncs while one is in flight (it
# checks the write count, not whether a sync is outstanding), so at a deeper queue the number of
# syncs per write would depend on the target's speed and the two sides would run different work.
run_sync() { # run_sync LABEL URL REP
    local base=$out/$1-rand-write-sync-$3
    printf '[global]\nioengine=libiscsi\nfilename=%s\ntime_based=1\nruntime=%s\nramp_time=%s\nsize=%sG\n[rand-write-sync]\nrw=randwrite\nbs=4k\niodepth=1\nfsync=1\n' \
        "${2//:/\\:}" "$runtime" "$ramp" "$size_gib" > "$base.fio"
    say "rand-write-sync on $1 (run $3): $2"
    in_background timeout $((jobs_s + 60)) "$fio" --output-format=json --output="$base.json" "$base.fio" 2> "$base.err" \
        || die "fio failed against $2: $(head -n 3 "$base.err" | tr '\n' ' ') (see $out)"
}
if [[ $sync_job -eq 1 ]]; then
    for rep in $(seq "$repeat"); do
        if ((rep % 2)); then run_sync ours "$our_url" "$rep"; run_sync tgt "$tgt_url" "$rep"
        else run_sync tgt "$tgt_url" "$rep"; run_sync ours "$our_url" "$rep"; fi
    done
fi
# fio counts a failed command as done and only logs it: any failed request voids the figures.
if grep -l 'request failed' "$out"/*.err >/dev/null 2>&1; then
    die "some commands failed during the run, so the figures do not count: $(grep -h 'request failed' "$out"/*.err | sort | uniq -c | head -n 3 | tr '\n' ' ')(see $out/*.err)"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ----------------------------------------------------------------------------------
echo "Stowage vs tgt 1.0.x (fio $("$fio" --version), libiscsi engine), first ${size_gib} GiB of ${lun_gib} GiB sparse file LUNs in a scratch directory under $parent"
echo "runtime ${runtime}s + ${ramp}s ramp per job, median of $repeat runs; load average after: $load_after"
echo
echo "$bench_out"
if [[ $sync_job -eq 1 ]]; then
    python3 - "$out" "$repeat" <<'EOF'
import json, statistics, sys
out, repeat = sys.argv[1], int(sys.argv[2])
def load(label, rep):
    text = open(f"{out}/{label}-rand-write-sync-{rep}.json").read()
    j = json.loads(text[text.index("{"):])["jobs"][0]
    if j.get("error"):
        sys.exit(f"iscsi-vs-tgt: {label}: rand-write-sync failed with error {j['error']}")
    w, s = j["write"], j.get("sync", {})
    p99 = w.get("clat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1e6
    return w["bw_bytes"] / 1048576, w["iops"], p99, s.get("total_ios", 0)
vals = {}
for label in ("ours", "tgt"):
    runs = [load(label, r) for r in range(1, repeat + 1)]
    vals[label] = tuple(statistics.median(x[k] for x in runs) for k in range(4))
line = f"{'rand-w-sync':<12}" + "".join(f"{m:>14.1f}{i:>12.0f}{p:>13.2f}" for m, i, p, _ in vals.values())
ratio = vals["ours"][0] / vals["tgt"][0] if vals["tgt"][0] > 0 else float("nan")
print(line + f"{ratio:>11.2f}")
print(f"(rand-w-sync: 4k random writes, iodepth 1, SYNCHRONIZE CACHE(16) after every write; "
      f"median syncs per run: ours {vals['ours'][3]:.0f}, tgt {vals['tgt'][3]:.0f})")
EOF
fi
echo
echo "wall time of the fio runs: $((SECONDS - started)) s; fio job files and JSON in $out"
