#!/usr/bin/env bash
# Benchmarks one or two iSCSI LUNs with fio's libiscsi engine (userspace initiator, no kernel
# involved) and prints a comparison table: sequential write/read (bs=1M, iodepth=8) and random
# 4 KiB write/read (iodepth=32), each for a fixed time. Also takes NFSv3 exports (fio's nfs
# engine, libnfs, userspace too), benchmarked through one file of --size bytes in the export.
#
# Usage: tools/fio/bench-iscsi.sh [options] OURS_URL [TGT_URL]
#   URL             iscsi://127.0.0.1:3260/<target iqn>/<lun>   (fio's libiscsi engine does not
#                   do CHAP: benchmark a LUN without CHAP), or
#                   nfs://127.0.0.1/<export>?nfsport=2049&mountport=20048  (libnfs URL; without
#                   the ports libnfs asks the portmapper); the file is <export>/stowage-bench.dat
#   --runtime S     seconds per job (default 20)
#   --ramp S        seconds of warm-up per job, not counted (default 2)
#   --size SIZE     region of the LUN to use, fio syntax like 256M or 1G (default: whole LUN;
#                   for NFS the size of the test file, default 256M)
#   --jobs LIST     comma-separated subset of seq-write,seq-read,rand-write,rand-read
#   --no-prefill    skip the untimed sequential write of the whole region that runs first (it
#                   makes every target allocate all blocks before anything is measured)
#   --out DIR       where the fio JSON files go (default <repo>/build/fio/results/<time>)
#   --repeat N      run every job N times per target and report the medians (default 1)
#   --label-a NAME / --label-b NAME   column names (default ours / tgt)
# With --repeat > 1 the table (medians) is followed by every run's MiB/s and, with two URLs, the
# range of the ratio between the two runs of each repetition.
# Jobs run one after another in the order above (writes first so reads hit written blocks);
# each job runs against OURS_URL and TGT_URL back to back (order flipped every repetition).
# The LUNs are overwritten.
# Builds fio first when missing (tools/fio/build-fio.sh). Exit status 0 when every job ran.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${STOWAGE_FIO_CACHE:-$repo/build/fio}
die() { echo "bench-iscsi: $*" >&2; exit 1; }

runtime=20 ramp=2 size='' prefill=1 repeat=1 jobs=seq-write,seq-read,rand-write,rand-read out='' label_a=ours label_b=tgt
urls=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --runtime) runtime=${2:?}; shift 2 ;;
        --ramp) ramp=${2:?}; shift 2 ;;
        --size) size=${2:?}; shift 2 ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        --no-prefill) prefill=0; shift ;;
        --repeat) repeat=${2:?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        --label-a) label_a=${2:?}; shift 2 ;;
        --label-b) label_b=${2:?}; shift 2 ;;
        -*) die "unknown option $1 (see the header of $0)" ;;
        *) urls+=("$1"); shift ;;
    esac
done
[[ ${#urls[@]} -ge 1 && ${#urls[@]} -le 2 ]] || die "usage: $0 [options] OURS_URL [TGT_URL]"
[[ $runtime =~ ^[0-9]+$ && $runtime -gt 0 ]] || die "--runtime must be a positive number of seconds"
[[ $ramp =~ ^[0-9]+$ ]] || die "--ramp must be a number of seconds"
[[ $repeat =~ ^[0-9]+$ && $repeat -gt 0 ]] || die "--repeat must be a positive number"
for u in "${urls[@]}"; do
    [[ $u =~ ^iscsi://[^/]+/[^/]+/[0-9]+$ || $u =~ ^nfs://[^/]+/[^?]* ]] \
        || die "'$u' is neither iscsi://HOST:PORT/IQN/LUN nor nfs://HOST/EXPORT[?nfsport=N&mountport=M]"
done
command -v python3 >/dev/null || die "python3 is missing (apt-get install python3)"

if [[ ! -x $cache/fio ]]; then
    "$here/build-fio.sh" >&2 || die "building fio failed"
fi
fio=$cache/fio

out=${out:-$cache/results/$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$out"

# jobfile URL JOB: fio splits filenames on ':', so every ':' in the URL is escaped as '\:'.
jobfile() {
    local escaped=${1//:/\\:} job=$2
    case $1 in
        iscsi://*)
            printf '[global]\nioengine=libiscsi\nfilename=%s\n' "$escaped"
            [[ -n $size ]] && printf 'size=%s\n' "$size" ;;
        nfs://*)
            printf '[global]\nioengine=nfs\nnfs_url=%s\nfilename=stowage-bench.dat\nsize=%s\n' "$1" "${size:-256M}" ;;
    esac
    [[ $job == prefill ]] || printf 'time_based=1\nruntime=%s\nramp_time=%s\n' "$runtime" "$ramp"
    case $job in
        prefill) printf '[prefill]\nrw=write\nbs=1M\niodepth=8\n' ;;
        seq-write) printf '[seq-write]\nrw=write\nbs=1M\niodepth=8\n' ;;
        seq-read) printf '[seq-read]\nrw=read\nbs=1M\niodepth=8\n' ;;
        rand-write) printf '[rand-write]\nrw=randwrite\nbs=4k\niodepth=32\n' ;;
        rand-read) printf '[rand-read]\nrw=randread\nbs=4k\niodepth=32\n' ;;
    esac
}

run_one() { # run_one LABEL URL JOB REP
    local label=$1 url=$2 job=$3 rep=$4 base
    base=$out/$label-$job-$rep
    jobfile "$url" "$job" > "$base.fio"
    echo "bench-iscsi: $job on $label (run $rep): $url" >&2
    if ! "$fio" --output-format=json --output="$base.json" "$base.fio" 2> "$base.err"; then
        die "fio failed against $url: $(grep -v '^$' "$base.err" | head -n 3 | tr '\n' ' ') (see $out)"
    fi
}

IFS=, read -r -a job_list <<< "$jobs"
for j in "${job_list[@]}"; do
    case $j in seq-write|seq-read|rand-write|rand-read) ;;
        *) die "unknown job '$j' (seq-write, seq-read, rand-write, rand-read)" ;; esac
done
labels=("$label_a") targets=("${urls[0]}")
[[ ${#urls[@]} -eq 2 ]] && labels+=("$label_b") targets+=("${urls[1]}")
if [[ $prefill -eq 1 ]]; then
    for i in "${!labels[@]}"; do run_one "${labels[i]}" "${targets[i]}" prefill 0; done
fi
# Each job runs on both targets back to back, and the order flips every repetition, so slow
# drifts of a shared machine hit both sides alike.
for rep in $(seq "$repeat"); do
    for j in "${job_list[@]}"; do
        order=("${!labels[@]}")
        if (( rep % 2 == 0 && ${#labels[@]} == 2 )); then order=(1 0); fi
        for i in "${order[@]}"; do run_one "${labels[i]}" "${targets[i]}" "$j" "$rep"; done
    done
done

python3 - "$out" "$jobs" "$repeat" "${labels[@]}" <<'EOF'
import json, statistics, sys
out, jobs, repeat, labels = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4:]

def load(label, job, rep):
    with open(f"{out}/{label}-{job}-{rep}.json") as f:
        text = f.read()
    data = json.loads(text[text.index("{"):])  # fio may print notes before the JSON
    j = data["jobs"][0]
    if j.get("error"):
        sys.exit(f"bench-iscsi: {label}: job {job} failed with error {j['error']}")
    side = j["write"] if j["write"]["io_bytes"] > j["read"]["io_bytes"] else j["read"]
    p99 = side.get("clat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1e6
    return side["bw_bytes"] / 1048576, side["iops"], p99

def median(label, job):
    runs = [load(label, job, r) for r in range(1, repeat + 1)]
    return tuple(statistics.median(x[k] for x in runs) for k in range(3))

head = f"{'job':<12}"
for l in labels:
    head += f" {l + ' MiB/s':>13} {l + ' IOPS':>11} {l + ' p99 ms':>12}"
if len(labels) == 2:
    head += f" {labels[0] + '/' + labels[1]:>10}"
print(head + (f"   (median of {repeat} runs)" if repeat > 1 else ""))
for job in jobs:
    vals = [median(l, job) for l in labels]
    line = f"{job:<12}" + "".join(f"{m:>14.1f}{i:>12.0f}{p:>13.2f}" for m, i, p in vals)
    if len(vals) == 2:
        line += f"{vals[0][0] / vals[1][0]:>11.2f}" if vals[1][0] > 0 else f"{'n/a':>11}"
    print(line)
if repeat > 1:
    # Every repetition, so the spread is visible; with two URLs also the ratio of each pair (the
    # two runs of one repetition ran back to back).
    print(f"per run, MiB/s" + (f" (ratio {labels[0]}/{labels[1]} per repetition: min-max)" if len(labels) == 2 else ""))
    for job in jobs:
        runs = [[load(l, job, r)[0] for r in range(1, repeat + 1)] for l in labels]
        line = f"  {job:<12}" + " | ".join(f"{l} " + ", ".join(f"{x:.1f}" for x in rs) for l, rs in zip(labels, runs))
        if len(labels) == 2 and all(x > 0 for x in runs[1]):
            ratios = [a / b for a, b in zip(runs[0], runs[1])]
            line += f" | ratio {min(ratios):.2f}-{max(ratios):.2f}"
        print(line)
EOF
echo "bench-iscsi: fio job files and JSON in $out" >&2
