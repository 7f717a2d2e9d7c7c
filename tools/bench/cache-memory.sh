#!/usr/bin/env bash
# Memory of the gateway with a big cached volume and a full cache index: heap and resident size
# of the daemon after start, after one small write into every cache slot, and after reading
# those blocks back; the live heap per slot. Prints tables; asserts nothing.
#
# Usage: tools/bench/cache-memory.sh [--dir DIR] [--volume-gib N] [--cache-gib N]
#                                    [--chunk-kib 1024,64] [--io-kib N] [--settle-delay D] [--keep]
#   --dir DIR         parent of the scratch directory (default <repo>/build/bench)
#   --volume-gib N    size of the cached volume (default 1024 = 1 TiB)
#   --cache-gib N     cache.size (default 64); slots = cache / chunk
#   --chunk-kib L     comma-separated cache.chunk_size values, one daemon run each (default 1024,64:
#                     65,536 and 1,048,576 slots with the defaults)
#   --io-kib N        size of each write and read (default 4)
#   --settle-delay D  cache.settle_delay (default 1h: nothing is uploaded while measuring, so every
#                     slot stays DIRTY, the largest state of an index entry; 5s measures with
#                     uploads to the embedded bucket, which takes one PUT per slot)
#   --keep            keep the scratch directory
# Environment: STOWAGE_JAVA_OPTS (JVM options for the daemon, e.g. -Xmx512m; default: the JVM's
# defaults, which the report prints).
# What it does, per chunk size: starts ./stowage run with a generated config (embedded S3 store,
# one target with a type: cached LUN of --volume-gib, a cache of --cache-gib in its own
# directory; cache.data is created sparse, but filling every slot of a new volume writes whole
# slots, so it grows to --cache-gib: the script wants that much free disk plus 8 GiB), waits
# until the LUN answers INQUIRY, then measures four times: after start; after fio (libiscsi
# engine, queue depth 32) wrote --io-kib at the start of every (volume / slots)-th byte of the
# first half of the volume (one write into each of half the slots); after the same over the
# second half (every slot used, the writes spread evenly over the whole volume); after fio read
# all those blocks back. The cost of one more slot is the difference between the half and the
# full index divided by the slots added (so fixed buffers do not count), reported for the
# index's own classes (Entry, ChunkKey, bitmap, lock, map nodes and tables: stable from run to
# run) and for the whole live heap (blurred by whatever else was alive at that moment). Each
# measurement: `jcmd GC.heap_info` (heap used and committed as the JVM runs), then
# `jcmd GC.class_histogram` (a full GC first: the live heap, by class), and VmRSS / VmHWM from
# /proc/<pid>/status. The daemon is stopped with SIGTERM and the scratch directory removed.
set -euo pipefail

bench_name=cache-memory
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

parent=$repo/build/bench volume_gib=1024 cache_gib=64 chunks_kib=1024,64 io_kib=4 settle=1h keep=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --dir) parent=${2:?--dir needs a directory}; shift 2 ;;
        --volume-gib) volume_gib=${2:?--volume-gib needs a number}; shift 2 ;;
        --cache-gib) cache_gib=${2:?--cache-gib needs a number}; shift 2 ;;
        --chunk-kib) chunks_kib=${2:?--chunk-kib needs a list like 1024,64}; shift 2 ;;
        --io-kib) io_kib=${2:?--io-kib needs a number}; shift 2 ;;
        --settle-delay) settle=${2:?--settle-delay needs a duration like 1h}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
check_count --volume-gib "$volume_gib"
check_count --cache-gib "$cache_gib"
check_count --io-kib "$io_kib"
[[ $settle =~ ^[0-9]+(ms|s|m|h)$ ]] || die "--settle-delay must be a duration like 500ms, 5s, 2m, 1h"
((volume_gib >= cache_gib)) || die "--volume-gib must be at least --cache-gib (one write per slot, each in its own chunk)"
IFS=, read -r -a chunk_list <<< "$chunks_kib"
for c in "${chunk_list[@]}"; do
    [[ $c =~ ^[0-9]+$ ]] && ((c >= 64 && c <= 65536 && (c & (c - 1)) == 0)) \
        || die "--chunk-kib: '$c' is not a power of two from 64 to 65536 (KiB)"
    ((io_kib <= c)) || die "--io-kib must not exceed the chunk size ($c KiB)"
done
ensure_built
JAVA_HOME=$("$repo/stowage" java-home) || exit 1
jcmd=$JAVA_HOME/bin/jcmd
[[ -x $jcmd ]] || die "no jcmd in $JAVA_HOME (a JDK, not a JRE, is needed)"

mkdir -p "$parent"
scratch=$(mktemp -d "$(cd "$parent" && pwd)/cache-memory.XXXXXX")
out=$repo/build/bench/results/$(date -u +%Y%m%dT%H%M%S)-cache-memory
mkdir -p "$out"
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_background
    stop_daemon
    cp "$scratch"/*/*.log "$scratch"/*/*.yaml "$out"/ 2>/dev/null || true
    if [[ $keep -eq 1 ]]; then say "kept $scratch"; else rm -rf "$scratch"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# cache.data is created sparse, but the first write into a chunk of a volume that holds no data
# yet writes the whole slot (the zeros around the data too): one write per slot fills the file.
free_gib=$(df -BG --output=avail "$scratch" | tail -n 1 | tr -dc 0-9)
say "scratch directory $scratch: ${free_gib} GiB free; cache.data will grow to ${cache_gib} GiB"
((free_gib >= cache_gib + 8)) || die "only ${free_gib} GiB free under $parent: the filled cache needs ${cache_gib} GiB plus 8 GiB to spare; use --cache-gib or --dir"

measure() { # measure TAG: heap and RSS of the daemon into $out/TAG.*
    local tag=$1
    grep -E '^(VmRSS|VmHWM):' "/proc/$daemon_pid/status" > "$out/$tag.rss-before"
    timeout 120 "$jcmd" "$daemon_pid" GC.heap_info > "$out/$tag.heap" 2>&1 || die "jcmd GC.heap_info failed: $(tail -n 2 "$out/$tag.heap")"
    timeout 300 "$jcmd" "$daemon_pid" GC.class_histogram > "$out/$tag.histo" 2>&1 || die "jcmd GC.class_histogram failed: $(tail -n 2 "$out/$tag.histo")"
    grep -E '^(VmRSS|VmHWM):' "/proc/$daemon_pid/status" > "$out/$tag.rss-after"
    echo "$(loadavg)" > "$out/$tag.load"
    say "measured $tag (load $(loadavg))"
}

io_pass() { # io_pass TAG URL RW COUNT STRIDE_BYTES FIRST_OFFSET: COUNT commands of --io-kib, STRIDE apart
    local base=$out/$1
    printf '[global]\nioengine=libiscsi\nfilename=%s\noffset=%s\nsize=%s\n[%s]\nrw=%s:%s\nbs=%sk\niodepth=32\nnumber_ios=%s\n' \
        "$(fio_escape "$2")" "$6" "$(( $4 * $5 ))" "$1" "$3" "$(( $5 - io_kib * 1024 ))" "$io_kib" "$4" > "$base.fio"
    say "$3 of $io_kib KiB every $(( $5 / 1024 )) KiB from byte $6: $4 commands"
    local t0=$SECONDS
    in_background timeout 3600 "$fio" --output-format=json --output="$base.json" "$base.fio" 2> "$base.err" \
        || die "fio failed: $(grep -v '^$' "$base.err" | head -n 3 | tr '\n' ' ') (see $out)"
    fail_on_request_errors "$out"
    echo $((SECONDS - t0)) > "$base.seconds"
}

port=$(free_port)
volume_bytes=$((volume_gib << 30))
for c in "${chunk_list[@]}"; do
    run=$scratch/chunk-${c}k
    mkdir -p "$run"
    slots=$(( (cache_gib << 20) / c ))
    stride=$(( volume_bytes / slots / (c * 1024) * (c * 1024) ))
    iqn=iqn.2026-11.dev.stowage:bench-memory
    { daemon_config_head; cat <<EOF; } > "$run/stowage.yaml"
cache:
  size: ${cache_gib}GiB
  chunk_size: ${c}KiB
  settle_delay: $settle
iscsi:
  listen: 127.0.0.1:$port
  targets:
    - iqn: $iqn
      luns:
        - {lun: 0, type: cached, volume: big, size: ${volume_gib}GiB}
EOF
    say "chunk ${c} KiB: $slots slots, cache ${cache_gib} GiB, volume ${volume_gib} GiB"
    start_daemon "$run/stowage.yaml" "$run/data" "$run/stowage.log"
    url=iscsi://127.0.0.1:$port/$iqn/0
    wait_inquiry "stowage (log: $run/stowage.log)" "$url" 180 "$daemon_pid"
    sleep 5   # let start-up settle (class loading, the first health check)
    tag=c${c}k
    echo "$slots" > "$out/$tag.slots"
    timeout 60 "$jcmd" "$daemon_pid" VM.flags > "$out/$tag.flags" 2>&1 || true
    measure "$tag-1-start"
    half=$((slots / 2))
    io_pass "$tag-write1" "$url" write "$half" "$stride" 0
    measure "$tag-2-half"
    io_pass "$tag-write2" "$url" write "$((slots - half))" "$stride" "$((half * stride))"
    measure "$tag-3-full"
    io_pass "$tag-read" "$url" read "$slots" "$stride" 0
    measure "$tag-4-read"
    du -sk "$run/data/cache/cache.data" | cut -f1 > "$out/$tag.data-kib"
    du -sk "$run/data/cache/journal" 2>/dev/null | cut -f1 > "$out/$tag.journal-kib" || echo 0 > "$out/$tag.journal-kib"
    stop_daemon
    rm -rf "$run/data"
done

# --- report ----------------------------------------------------------------------------------
echo "Stowage cache index memory: cached volume ${volume_gib} GiB, cache ${cache_gib} GiB, one ${io_kib} KiB write per slot" \
     "spread over the volume, settle delay $settle; JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
echo "JVM options: ${STOWAGE_JAVA_OPTS:-(defaults)}; $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)"
python3 - "$out" "${chunk_list[@]}" <<'EOF'
import re, sys
out, chunks = sys.argv[1], sys.argv[2:]
def read(p):
    return open(f"{out}/{p}").read()
def kib(text, key):
    return int(re.search(rf"{key}:\s+(\d+) kB", text).group(1))
def histo(tag):
    rows, total = {}, 0
    for line in read(f"{tag}.histo").splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
        m = re.match(r"Total\s+(\d+)\s+(\d+)", line)
        if m:
            total = int(m.group(2))
    return rows, total
def heap(tag):
    m = re.search(r"total reserved (\d+)K, committed (\d+)K, used (\d+)K", read(f"{tag}.heap"))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)
mib = lambda k: k / 1024
INDEX_CLASSES = {"dev.stowage.cache.Entry", "dev.stowage.cache.ChunkKey", "[J",
                 "java.util.concurrent.ConcurrentHashMap$Node", "[Ljava.util.concurrent.ConcurrentHashMap$Node;",
                 "java.util.concurrent.locks.ReentrantLock", "java.util.concurrent.locks.ReentrantLock$NonfairSync"}
for c in chunks:
    tag = f"c{c}k"
    slots = int(read(f"{tag}.slots"))
    half = slots // 2
    flags = read(f"{tag}.flags")
    maxheap = re.search(r"MaxHeapSize=(\d+)", flags)
    gc = next((g for g in ("G1", "Serial", "Parallel", "Z", "Shenandoah") if f"Use{g}GC" in flags), "?")
    secs = [read(f"{tag}-{p}.seconds").strip() for p in ("write1", "write2", "read")]
    print()
    print(f"chunk {int(c)} KiB, {slots:,} slots (max heap {int(maxheap.group(1)) >> 20 if maxheap else '?'} MiB, {gc} GC);"
          f" write passes {secs[0]} s + {secs[1]} s, read pass {secs[2]} s;"
          f" cache.data on disk {int(read(f'{tag}.data-kib')) / 1024:.0f} MiB, journal {int(read(f'{tag}.journal-kib')) / 1024:.0f} MiB")
    print(f"{'phase':<12}{'heap used':>11}{'committed':>11}{'live heap':>11}{'RSS':>9}{'RSS after GC':>14}{'peak RSS':>10}  load")
    phases = [("start", "1-start"), ("half full", "2-half"), ("full", "3-full"), ("read back", "4-read")]
    live = {}
    for name, p in phases:
        p = f"{tag}-{p}"
        _, committed, used = heap(p)
        rows, total = histo(p)
        live[name] = (rows, total)
        before, after = read(f"{p}.rss-before"), read(f"{p}.rss-after")
        print(f"{name:<12}{mib(used):>10.0f}M{mib(committed):>10.0f}M{total / 2**20:>10.1f}M{mib(kib(before, 'VmRSS')):>8.0f}M"
              f"{mib(kib(after, 'VmRSS')):>13.0f}M{mib(kib(after, 'VmHWM')):>9.0f}M  {read(p + '.load').strip()}")
    # The index's own classes (entries, their keys, locks and bitmaps, the map nodes and tables),
    # which other allocations between two measurements cannot blur; then everything.
    def index_bytes(rows):
        return sum(b for k, (n, b) in rows.items() if k.split(" ")[0] in INDEX_CLASSES)
    per_entry = (index_bytes(live["full"][0]) - index_bytes(live["half full"][0])) / (slots - half)
    per_slot = (live["full"][1] - live["half full"][1]) / (slots - half)
    print(f"index per slot (half full -> full; Entry, ChunkKey, bitmap, lock, map nodes and tables): {per_entry:.0f} bytes;"
          f" whole index at that rate: {per_entry * slots / 2**20:.1f} MiB")
    print(f"all live heap per slot (half full -> full): {per_slot:.0f} bytes; whole index at that rate: "
          f"{per_slot * slots / 2**20:.1f} MiB; live heap growth start -> full: "
          f"{(live['full'][1] - live['start'][1]) / 2**20:.1f} MiB, -> read back: {(live['read back'][1] - live['start'][1]) / 2**20:.1f} MiB")
    rows0, rows1 = live["half full"][0], live["full"][0]
    grow = sorted(((rows1[k][1] - rows0.get(k, (0, 0))[1], rows1[k][0] - rows0.get(k, (0, 0))[0], k) for k in rows1),
                  reverse=True)
    print("largest growth by class, half full -> full (bytes per slot added, objects per slot added):")
    for b, n, k in grow[:8]:
        print(f"  {b / (slots - half):>8.1f} B {n / (slots - half):>6.2f}  {k}")
EOF
echo
echo "raw jcmd output and fio JSON in $out"
