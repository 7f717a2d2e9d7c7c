# shellcheck shell=bash
# shellcheck disable=SC2154  # out, runtime, ramp, repeat, size_gib, sync_job: set by the caller
# Shared shell of the benchmark scripts in tools/bench (sourced, not run). Provides:
#   say / die                  messages on stderr prefixed with "$bench_name: "; die exits 1
#   check_count NAME VALUE     dies unless VALUE is a positive whole number
#   free_port                  a free TCP port on 127.0.0.1 in 20000-32767
#   in_background CMD...       runs CMD in the background and waits, so INT/TERM reach the trap
#   stop_background            stops what in_background runs (for the cleanup trap)
#   ensure_built               builds the gateway when its jar is missing, and fio with the
#                              libiscsi engine (tools/fio/build-fio.sh, instant when up to date);
#                              sets $fio
#   start_daemon CONFIG DATA_DIR LOG   ./stowage run --config CONFIG in its own session; sets
#                              $daemon_pid (the JVM itself: the launcher execs java)
#   stop_daemon                SIGTERM, up to 30 s, then SIGKILL
#   wait_inquiry NAME URL SECONDS PID  waits until URL answers INQUIRY (iscsi-inq)
#   fio_escape URL             the URL with every ':' escaped for fio's filename=
#   run_sync LABEL URL REP     the durability job (random 4 KiB writes at queue depth 1, each
#                              followed by SYNCHRONIZE CACHE(16)); needs $out $runtime $ramp
#                              $size_gib; JSON in $out/LABEL-rand-write-sync-REP.json
#   print_sync_row OUT REPEAT LABEL_A LABEL_B   the table row of that job (medians), ratio A/B
#   fail_on_request_errors OUT dies when any fio stderr in OUT logs a failed request
#   compare LA UA LB UB [opts] the four bench-iscsi.sh jobs and the sync job on two LUNs
#   print_tables LA LB         their tables (medians, the sync row, every run)
#   daemon_config_head         the s3 / health / logging part of a generated daemon config
#   loadavg                    the three load averages
# The caller sets bench_name before sourcing and uses set -euo pipefail.
# Threading of the callers: one shell; every wait below is bounded.

bench_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_lib_dir/../.." && pwd)
: "${bench_name:=bench}"

say() { echo "$bench_name: $*" >&2; }
die() { echo "$bench_name: $*" >&2; exit 1; }

check_count() { # check_count NAME VALUE
    [[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || die "$1 must be a positive whole number, got '$2'"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

fio_escape() { printf '%s' "${1//:/\\:}"; }

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

# Long steps run in the background and are waited for, so INT/TERM reach the trap at once (bash
# defers traps while a foreground command runs, and timeout puts its command in its own process
# group, out of reach of Ctrl-C); the trap then stops the step with stop_background.
bench_child=''
in_background() { # in_background CMD...: runs CMD, returns its exit status
    "$@" &
    bench_child=$!
    local rc=0
    wait "$bench_child" || rc=$?
    bench_child=''
    return "$rc"
}
stop_background() {
    if [[ -n $bench_child ]]; then
        kill -TERM "$bench_child" 2>/dev/null || true
        wait "$bench_child" 2>/dev/null || true
        bench_child=''
    fi
}

ensure_built() {
    local tool
    for tool in iscsi-inq python3 timeout setsid; do
        command -v "$tool" >/dev/null || die "$tool is missing (iscsi-inq: apt-get install libiscsi-bin)"
    done
    if [[ ! -f $repo/gateway-server/target/stowage-gateway.jar ]]; then
        say "building Stowage (./stowage build)"
        timeout 1800 "$repo/stowage" build >&2 || die "./stowage build failed"
    fi
    # Always asked: it rebuilds an fio that lacks the engine or a patch, and is instant otherwise.
    timeout 1800 "$repo/tools/fio/build-fio.sh" >&2 || die "tools/fio/build-fio.sh failed"
    fio=${STOWAGE_FIO_CACHE:-$repo/build/fio}/fio
}

daemon_pid=''
start_daemon() { # start_daemon CONFIG DATA_DIR LOG
    # No STOWAGE_* settings from the caller's environment leak into the run (STOWAGE_JAVA_OPTS,
    # read by the launcher, stays).
    # shellcheck disable=SC2046  # one word per variable: names only, never values
    env $(env | sed -n 's/^\(STOWAGE_[A-Z0-9_]*\)=.*/-u \1/p' | grep -v -- '-u STOWAGE_JAVA_OPTS$') \
        STOWAGE_DATA_DIR="$2" setsid "$repo/stowage" run --config "$1" > "$3" 2>&1 < /dev/null &
    daemon_pid=$!
}
stop_daemon() {
    if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$daemon_pid" 2>/dev/null; then
            say "daemon $daemon_pid did not stop within 30 s of SIGTERM; killing it"
            kill -KILL "$daemon_pid" 2>/dev/null || true
        fi
        wait "$daemon_pid" 2>/dev/null || true
    fi
    daemon_pid=''
}

wait_inquiry() { # wait_inquiry NAME URL SECONDS PID
    local deadline=$((SECONDS + $3))
    while ! timeout 10 iscsi-inq "$2" >/dev/null 2>&1; do
        kill -0 "$4" 2>/dev/null || die "$1 exited at start"
        ((SECONDS < deadline)) || die "$1 did not answer INQUIRY at $2 within $3 s"
        sleep 0.5
    done
}

# The durability job: random 4 KiB writes at queue depth 1, each followed by SYNCHRONIZE
# CACHE(16). Queue depth 1 because fio 3.33 keeps issuing syncs while one is in flight (it checks
# the write count, not whether a sync is outstanding), so at a deeper queue the number of syncs
# per write would depend on the target's speed and the two sides would run different work.
run_sync() { # run_sync LABEL URL REP
    local base=$out/$1-rand-write-sync-$3
    printf '[global]\nioengine=libiscsi\nfilename=%s\ntime_based=1\nruntime=%s\nramp_time=%s\nsize=%sG\n[rand-write-sync]\nrw=randwrite\nbs=4k\niodepth=1\nfsync=1\n' \
        "$(fio_escape "$2")" "$runtime" "$ramp" "$size_gib" > "$base.fio"
    say "rand-write-sync on $1 (run $3): $2"
    in_background timeout $((runtime + ramp + 75)) "$fio" --output-format=json --output="$base.json" "$base.fio" 2> "$base.err" \
        || die "fio failed against $2: $(head -n 3 "$base.err" | tr '\n' ' ') (see $out)"
}

print_sync_row() { # print_sync_row OUT REPEAT LABEL_A LABEL_B
    python3 - "$@" <<'EOF'
import json, statistics, sys
out, repeat, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3:5]
def load(label, rep):
    text = open(f"{out}/{label}-rand-write-sync-{rep}.json").read()
    j = json.loads(text[text.index("{"):])["jobs"][0]
    if j.get("error"):
        sys.exit(f"{label}: rand-write-sync failed with error {j['error']}")
    w, s = j["write"], j.get("sync", {})
    p99 = w.get("clat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1e6
    return w["bw_bytes"] / 1048576, w["iops"], p99, s.get("total_ios", 0)
vals = {}
for label in labels:
    runs = [load(label, r) for r in range(1, repeat + 1)]
    vals[label] = tuple(statistics.median(x[k] for x in runs) for k in range(4))
    vals[label + "-runs"] = [round(x[1]) for x in runs]
a, b = vals[labels[0]], vals[labels[1]]
line = f"{'rand-w-sync':<12}" + "".join(f"{m:>14.1f}{i:>12.0f}{p:>13.2f}" for m, i, p, _ in (a, b))
ratio = a[0] / b[0] if b[0] > 0 else float("nan")
print(line + f"{ratio:>11.2f}")
ra, rb = vals[labels[0] + "-runs"], vals[labels[1] + "-runs"]
rs = [x / y for x, y in zip(ra, rb) if y > 0]
print(f"(rand-w-sync: 4k random writes, iodepth 1, SYNCHRONIZE CACHE(16) after every write; "
      f"median syncs per run: {labels[0]} {a[3]:.0f}, {labels[1]} {b[3]:.0f}; IOPS per run: "
      f"{labels[0]} {ra}, {labels[1]} {rb}"
      + (f"; ratio per repetition {min(rs):.2f}-{max(rs):.2f})" if rs else ")"))
EOF
}

# fio counts a failed command as done and only logs it: any failed request voids the figures.
fail_on_request_errors() { # fail_on_request_errors OUT
    if grep -l 'request failed' "$1"/*.err >/dev/null 2>&1; then
        die "some commands failed during the run, so the figures do not count: $(grep -h 'request failed' "$1"/*.err | sort | uniq -c | head -n 3 | tr '\n' ' ')(see $1/*.err)"
    fi
}

# compare LABEL_A URL_A LABEL_B URL_B [bench-iscsi.sh options...]: the four jobs of
# tools/fio/bench-iscsi.sh on both LUNs (A first, order flipped every repetition) into
# $out/table.txt, then, when $sync_job is 1, the durability job the same way; dies when any
# command failed. Needs $out $runtime $ramp $repeat $size_gib $sync_job.
compare() {
    local la=$1 ua=$2 lb=$3 ub=$4 rep
    shift 4
    local limit=$((repeat * 4 * 2 * (runtime + ramp + 15) + 2 * (size_gib * 60 + 60)))
    in_background timeout "$limit" "$repo/tools/fio/bench-iscsi.sh" --runtime "$runtime" --ramp "$ramp" \
            --repeat "$repeat" --size "${size_gib}G" --label-a "$la" --label-b "$lb" --out "$out" "$@" \
            "$ua" "$ub" > "$out/table.txt" \
        || die "tools/fio/bench-iscsi.sh failed (fio output in $out)"
    if [[ $sync_job -eq 1 ]]; then
        for rep in $(seq "$repeat"); do
            if ((rep % 2)); then run_sync "$la" "$ua" "$rep"; run_sync "$lb" "$ub" "$rep"
            else run_sync "$lb" "$ub" "$rep"; run_sync "$la" "$ua" "$rep"; fi
        done
    fi
    fail_on_request_errors "$out"
}

# print_tables LABEL_A LABEL_B: the medians of compare's jobs, the sync job's row, then every run.
print_tables() {
    sed '/^per run/,$d' "$out/table.txt"
    if [[ $sync_job -eq 1 ]]; then print_sync_row "$out" "$repeat" "$1" "$2"; fi
    sed -n '/^per run/,$p' "$out/table.txt"
}

# daemon_config_head: the start of a generated daemon config (embedded S3 store on a free port,
# health endpoint on a free port, warnings only).
daemon_config_head() {
    printf 's3:\n  embedded: true\n  embedded_port: 0\nhealth:\n  listen: 127.0.0.1:0\nlogging:\n  level: warn\n'
}
