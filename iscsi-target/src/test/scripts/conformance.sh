#!/usr/bin/env bash
# Runs the libiscsi conformance suite (iscsi-test-cu, Debian package libiscsi-bin) against the
# demo target (one memory-backed disk LUN) on a free loopback port, with a second session to the
# same LUN for the multipath tests, in three variants:
#   open        no authentication
#   chap        one-way CHAP
#   mutual      mutual CHAP with CRC32C header and data digests
# Prints each summary and the skipped tests, and exits non-zero when any test failed.
#
# Usage: iscsi-target/src/test/scripts/conformance.sh [variant...]     (default: all three)
# Environment: JAVA_HOME (a JDK 25; default: the one ./stowage finds),
#              MVN_FLAGS (extra maven flags, e.g. -o), KEEP_LOGS=1 to keep the logs directory.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
module="$root/iscsi-target"
if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$("$root/stowage" java-home)" || exit 2
  export JAVA_HOME
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if ! command -v iscsi-test-cu >/dev/null; then
  echo "iscsi-test-cu not found: install it with 'apt-get install -y libiscsi-bin'" >&2
  exit 2
fi

variants=("$@")
[[ ${#variants[@]} -eq 0 ]] && variants=(open chap mutual)

echo "== building iscsi-target"
(cd "$root" && mvn -q ${MVN_FLAGS:-} -pl iscsi-target -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test)
classpath="$module/target/classes:$module/target/test-classes:$(cat "$module/target/cp.txt")"

logs="$(mktemp -d -t iscsi-conformance.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]:-}"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_LOGS:-0}" != 1 ]]; then rm -rf "$logs"; else echo "logs kept in $logs"; fi
}
trap cleanup EXIT

free_port() {
  "$java" -cp "$classpath" dev.stowage.iscsi.FreePort 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
}

# start_target <name> <iqn> [chap args...]: starts the demo target, sets $port
start_target() {
  local name="$1"; shift
  port="$(free_port)"
  "$java" -cp "$classpath" dev.stowage.iscsi.DemoTargetMain "$port" "$@" >"$logs/$name.out" 2>"$logs/$name.err" &
  pids+=($!)
  for _ in $(seq 1 60); do
    if grep -q '^READY' "$logs/$name.out" 2>/dev/null; then return 0; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "demo target '$name' did not start:" >&2
  cat "$logs/$name.err" >&2
  exit 1
}

failed_total=0
for variant in "${variants[@]}"; do
  iqn="iqn.2026-11.dev.stowage:conformance-$variant"
  case "$variant" in
    open)   start_target "$variant" "$iqn" 64
            url="iscsi://127.0.0.1:$port/$iqn/0" ;;
    chap)   start_target "$variant" "$iqn" 64 conformance chap-secret-0001
            url="iscsi://conformance%chap-secret-0001@127.0.0.1:$port/$iqn/0" ;;
    mutual) start_target "$variant" "$iqn" 64 conformance chap-secret-0001 target mutual-secret-0001
            url="iscsi://conformance%chap-secret-0001@127.0.0.1:$port/$iqn/0?target_user=target&target_password=mutual-secret-0001&header_digest=crc32c" ;;
    *) echo "unknown variant $variant (open, chap, mutual)" >&2; exit 2 ;;
  esac
  echo "== $variant: iscsi-test-cu --test=ALL --dataloss on port $port"
  # The same URL again as the multipath URL: a second session (I_T nexus) to the same LUN.
  timeout 1200 iscsi-test-cu --test=ALL --dataloss "$url" "$url" >"$logs/$variant.log" 2>&1 || true
  summary="$(grep -E '^ +tests +[0-9]' "$logs/$variant.log" || true)"
  if [[ -z "$summary" ]]; then
    echo "no summary from iscsi-test-cu; last lines:" >&2
    tail -20 "$logs/$variant.log" >&2
    failed_total=$((failed_total + 1))
    continue
  fi
  read -r _ total ran passed failed _ <<<"$summary"
  skips="$(awk '/^Suite: /{suite=$2} /^  Test: /{test=$2} /\[SKIPPED\]/{sub(/.*\[SKIPPED\] */, ""); print suite "." test ": " $0}' \
      "$logs/$variant.log" | sort -u)"
  skipped="$(printf '%s\n' "$skips" | sed 's/:.*//' | sort -u | grep -c . || true)"
  echo "   tests: total $total, ran $ran, passed $passed (of which $skipped skipped themselves), failed $failed"
  if [[ "$failed" != 0 ]]; then
    echo "   failed tests:"
    awk '/^Suite: /{suite=$2} /^  Test: /{test=$2} /\.\.\.FAILED|\.\.\. *FAILED|^FAILED$/{print "     " suite "." test}' \
        "$logs/$variant.log" | sort -u
  fi
  echo "   skipped tests (test: reason):"
  printf '%s\n' "$skips" | sed 's/^/     /'
  failed_total=$((failed_total + failed))
  kill "${pids[-1]}" 2>/dev/null || true
done

if [[ "$failed_total" != 0 ]]; then
  echo "== FAILED: $failed_total failing test(s)"
  exit 1
fi
echo "== all variants passed"
