#!/usr/bin/env bash
# Upload benchmarks of the write-back cache (dev.stowage.cache.bench.CacheUploadBench) against an
# in-process S3Proxy (filesystem backend in a scratch directory, HTTP on 127.0.0.1):
#   1. drain rate of the cache vs a plain parallel PUT loop (S3ObjectStore.put), same run;
#   2. bytes PUT for a second snapshot after rewriting 1% of a volume (spread 4 KiB / contiguous),
#      for each cache slot size given.
# Prints the tables; asserts nothing.
#
# Usage: tools/bench/cache-upload.sh [--total-mib N] [--rounds R] [--parallel P] [--volume-mib N]
#                                    [--slot-kib 1024,64] [--dir DIR] [--only all|drain|snapshot]
#   --total-mib N   MiB uploaded by the PUT loop and by each cache drain (default 256)
#   --rounds R      drain-rate rounds, each a cache drain, a settle-0 cache run and a PUT loop (default 3)
#   --parallel P    PUT threads and cache upload threads (default 8)
#   --volume-mib N  volume size of the snapshot benchmark (default 256)
#   --slot-kib L    comma-separated cache slot (chunk) sizes for the snapshot benchmark (default 1024,64)
#   --dir DIR       parent of the scratch directory (default <repo>/build/bench); deleted at the end
# Builds the cache module and its dependencies (test classes) with Maven first, using the JDK 25
# the ./stowage launcher would pick.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "cache-upload: $*" >&2; exit 1; }

args=() parent=$repo/build/bench
while [[ $# -gt 0 ]]; do
    case $1 in
        --dir) parent=${2:?--dir needs a directory}; shift 2 ;;
        --total-mib|--rounds|--parallel|--volume-mib|--slot-kib|--only) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

# The JDK 25 that ./stowage uses (it says what to install when there is none).
JAVA_HOME="$("$repo/stowage" java-home)" || exit 1
export JAVA_HOME
command -v mvn >/dev/null 2>&1 || die "Maven not found; install it (apt-get install maven)"
mkdir -p "$parent"
cp_file=$parent/cache-test-classpath.txt
mvn_() { (cd "$repo" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B -ntp -q "$@"); }

echo "cache-upload: building cache (test classes) with $JAVA_HOME ..." >&2
# One reactor build: sibling modules resolve to their target/classes (nothing is installed into
# ~/.m2). Every module writes the same output file; cache is built last, so its classpath stays.
mvn_ -pl cache -am -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file" >/dev/null
cp="$repo/cache/target/test-classes:$repo/cache/target/classes:$repo/gateway-core/target/classes:$(cat "$cp_file")"

echo "cache-upload: $(uptime)" >&2
echo "cache-upload: $(nproc) CPUs; scratch under $parent" >&2
exec "$JAVA_HOME/bin/java" -Xmx1g --enable-native-access=ALL-UNNAMED \
    -cp "$cp" dev.stowage.cache.bench.CacheUploadBench --dir "$parent" "${args[@]}"
