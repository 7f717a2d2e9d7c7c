#!/usr/bin/env bash
# Benchmarks one or two iSCSI LUNs with fio's libiscsi engine (userspace initiator, no kernel
# involved) and prints a comparison table: sequential write/read (bs=1M, iodepth=8) and random
# 4 KiB write/read (iodepth=32), each for a fixed time.
#
# Usage: tools/fio/bench-iscsi.sh [options] OURS_URL [TGT_URL]
#   URL             iscsi://127.0.0.1:3260/<target iqn>/<lun>   (fio's libiscsi engine does not
#                   do CHAP: benchmark a LUN without CHAP)
#   --runtime S     seconds per job (default 20)
#   --ramp S        seconds of warm-up per job, not counted (default 2)
#   --size SIZE     region of the LUN to use, fio syntax like 256M or 1G (default: whole LUN)
#   --jobs LIST     comma-separated subset of seq-write,seq-read,rand-write,rand-read
#   --no-prefill    skip the untimed sequential write of the whole region that runs first (it
#                   makes every target allocate all blocks before anything is measured)
#   --out DIR       where the fio JSON files go (default <repo>/build/fio/results/<time>)
#   --label-a NAME / --label-b NAME   column names (default ours / tgt)
# Jobs run one after another in the order above (writes first so reads hit written blocks),
# first the whole set against OURS_URL, then against TGT_URL. The LUNs are overwritten.
# Builds fio first when missing (tools/fio/build-fio.sh). Exit status 0 when every job ran.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${STOWAGE_FIO_CACHE:-$repo/build/fio}
die() { echo "bench-iscsi: $*" >&2; exit 1; }

runtime=20 ramp=2 size= prefill=1 jobs=seq-write,seq-read,rand-write,rand-read out= label_a=ours label_b=tgt
urls=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --runtime) runtime=${2:?}; shift 2 ;;
        --ramp) ramp=${2:?}; shift 2 ;;
        --size) size=${2:?}; shift 2 ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        --no-prefill) prefill=0; shift ;;
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
for u in "${urls[@]}"; do
    [[ $u =~ ^iscsi://[^/]+/[^/]+/[0-9]+$ ]] || die "'$u' is not iscsi://HOST:PORT/IQN/LUN"
done
command -v python3 >/dev/null || die "python3 is missing (apt-get install python3)"

if [[ ! -x $cache/fio ]]; then
    "$here/build-fio.sh" >&2 || die "building fio failed"
fi
fio=$cache/fio

out=${out:-$cache/results/$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$out"

# jobfile URL: fio splits filenames on ':', so every ':' in the URL is escaped as '\:'.
jobfile() {
    local url=$1 escaped=${1//:/\\:} j timed
    printf '[global]\nioengine=libiscsi\nfilename=%s\ngroup_reporting=1\nstonewall\n' "$escaped"
    [[ -n $size ]] && printf 'size=%s\n' "$size"
    [[ $prefill -eq 1 ]] && printf '[prefill]\nrw=write\nbs=1M\niodepth=8\n'
    timed=$(printf 'time_based=1\nruntime=%s\nramp_time=%s' "$runtime" "$ramp")
    IFS=, read -r -a js <<< "$jobs"
    for j in "${js[@]}"; do
        case $j in
            seq-write) printf '[seq-write]\n%s\nrw=write\nbs=1M\niodepth=8\n' "$timed" ;;
            seq-read) printf '[seq-read]\n%s\nrw=read\nbs=1M\niodepth=8\n' "$timed" ;;
            rand-write) printf '[rand-write]\n%s\nrw=randwrite\nbs=4k\niodepth=32\n' "$timed" ;;
            rand-read) printf '[rand-read]\n%s\nrw=randread\nbs=4k\niodepth=32\n' "$timed" ;;
            *) die "unknown job '$j' (seq-write, seq-read, rand-write, rand-read)" ;;
        esac
    done
}

run_one() { # run_one LABEL URL
    local label=$1 url=$2
    jobfile "$url" > "$out/$label.fio"
    echo "bench-iscsi: $label: $url ($runtime s per job)" >&2
    if ! "$fio" --output-format=json --output="$out/$label.json" "$out/$label.fio" 2> "$out/$label.err"; then
        die "fio failed against $url: $(grep -v '^$' "$out/$label.err" | head -n 3 | tr '\n' ' ') (see $out)"
    fi
}

run_one "$label_a" "${urls[0]}"
[[ ${#urls[@]} -eq 2 ]] && run_one "$label_b" "${urls[1]}"

python3 - "$out" "$label_a" "${urls[1]:+$label_b}" <<'EOF'
import json, sys
out, a, b = sys.argv[1], sys.argv[2], sys.argv[3]

def load(label):
    with open(f"{out}/{label}.json") as f:
        text = f.read()
    data = json.loads(text[text.index("{"):])  # fio may print notes before the JSON
    res = {}
    for job in data["jobs"]:
        if job.get("error"):
            sys.exit(f"bench-iscsi: {label}: job {job['jobname']} failed with error {job['error']}")
        if job["jobname"] == "prefill":
            continue
        side = job["write"] if job["write"]["io_bytes"] > job["read"]["io_bytes"] else job["read"]
        p99 = side.get("clat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1e6
        res[job["jobname"]] = (side["bw_bytes"] / 1048576, side["iops"], p99)
    return res

ra = load(a)
rb = load(b) if b else {}
head = f"{'job':<12}{a + ' MiB/s':>14}{a + ' IOPS':>12}{a + ' p99 ms':>13}"
if b:
    head += f"{b + ' MiB/s':>14}{b + ' IOPS':>12}{b + ' p99 ms':>13}{a + '/' + b:>11}"
print(head)
for job, (mib, iops, p99) in ra.items():
    line = f"{job:<12}{mib:>14.1f}{iops:>12.0f}{p99:>13.2f}"
    if b and job in rb:
        mib_b, iops_b, p99_b = rb[job]
        ratio = f"{mib / mib_b:.2f}" if mib_b > 0 else "n/a"
        line += f"{mib_b:>14.1f}{iops_b:>12.0f}{p99_b:>13.2f}{ratio:>11}"
    print(line)
EOF
echo "bench-iscsi: fio job files and JSON in $out" >&2
