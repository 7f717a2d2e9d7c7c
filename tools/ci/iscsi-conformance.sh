#!/usr/bin/env bash
# Runs the libiscsi conformance suite (iscsi-test-cu, Debian package libiscsi-bin) against the
# gateway DAEMON: `./stowage run --config F` with the embedded S3 store (s3.embedded) and five
# targets, each with one 64 MiB LUN 0, on a free port of 127.0.0.1:
#   open     no authentication
#   chap     one-way CHAP
#   mutual   mutual CHAP with CRC32C header digests (libiscsi offers no data digest option)
#   cached   no authentication; LUN 0 is a cached volume (write-back cache, data in the embedded S3 store)
#   stored   no authentication; LUN 0 is a stored volume (local file with change tracking, snapshots to S3)
# Each target's URL is passed twice, so the MultipathIO tests get a second session (I_T nexus).
# Prints each summary and the tests that skipped themselves; stops the daemon with SIGTERM and
# checks it exits 0. Exits non-zero when any test failed or the daemon misbehaved.
#
# Usage: tools/ci/iscsi-conformance.sh [variant...]    (default: open chap mutual cached stored)
# Environment: SUITE_TIMEOUT (seconds per variant, default 1200), KEEP_LOGS=1 keeps the work
#              directory (config, daemon log, suite logs), NO_BUILD=1 skips `./stowage build`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
suite_timeout="${SUITE_TIMEOUT:-1200}"

die() { echo "iscsi-conformance: $*" >&2; exit 2; }
command -v iscsi-test-cu >/dev/null || die "iscsi-test-cu not found: install it with 'apt-get install -y libiscsi-bin'"

variants=("$@")
[[ ${#variants[@]} -eq 0 ]] && variants=(open chap mutual cached stored)
for v in "${variants[@]}"; do
  [[ $v == open || $v == chap || $v == mutual || $v == cached || $v == stored ]] \
    || die "unknown variant '$v' (open, chap, mutual, cached, stored)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-conformance.XXXXXX")"
daemon_pid=""
suite_pid=""
# Long commands run in the background and are waited for, so that a signal to this script runs the
# cleanup at once (`timeout` puts its command in a process group of its own, out of reach of a
# signal to ours).
run_bg() { "$@" & suite_pid=$!; local rc=0; wait "$suite_pid" || rc=$?; suite_pid=""; return "$rc"; }
cleanup() {
  local rc=$?
  if [[ -n $suite_pid ]]; then kill -TERM "$suite_pid" 2>/dev/null || true; wait "$suite_pid" 2>/dev/null || true; fi
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if [[ "${KEEP_LOGS:-0}" == 1 || $rc -ne 0 ]]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
if [[ "${NO_BUILD:-0}" != 1 ]]; then
  echo "== building (./stowage build)"
  run_bg timeout 1200 "$root/stowage" build
fi

# Random CHAP secrets (14 hex characters: inside the 12-16 bytes the gateway requires, URL-safe).
secret() { od -An -tx1 -N7 /dev/urandom | tr -d ' \n'; }
chap_secret="$(secret)"
mutual_secret="$(secret)"
iqn_base="iqn.2026-11.dev.stowage:conformance"

cat > "$work/stowage.yaml" <<EOF
s3:
  embedded: true
  embedded_port: 0
data_dir: $work/data
health:
  listen: 127.0.0.1:0
cache:
  size: 128MiB
iscsi:
  listen: 127.0.0.1:0
  targets:
    - iqn: $iqn_base-open
      luns: [{lun: 0, type: file, path: open.img, size: 64MiB}]
    - iqn: $iqn_base-chap
      chap: {user: conformance, secret: $chap_secret}
      luns: [{lun: 0, type: file, path: chap.img, size: 64MiB}]
    - iqn: $iqn_base-mutual
      chap: {user: conformance, secret: $chap_secret, mutual_user: gateway, mutual_secret: $mutual_secret}
      luns: [{lun: 0, type: file, path: mutual.img, size: 64MiB}]
    - iqn: $iqn_base-cached
      luns: [{lun: 0, type: cached, volume: conformance, size: 64MiB}]
    - iqn: $iqn_base-stored
      luns: [{lun: 0, type: stored, volume: conformance-stored, path: stored.img, size: 64MiB}]
EOF
chmod 600 "$work/stowage.yaml"

echo "== starting the daemon (./stowage run --config $work/stowage.yaml)"
# No STOWAGE_* settings from the caller's environment leak into the run.
env $(env | sed -n 's/^\(STOWAGE_[A-Z0-9_]*\)=.*/-u \1/p') NO_COLOR=1 \
  timeout --kill-after=10 $(( suite_timeout * ${#variants[@]} + 300 )) \
  "$root/stowage" run --config "$work/stowage.yaml" > "$work/daemon.log" 2>&1 &
daemon_pid=$!
port=""
for _ in $(seq 1 240); do
  port="$(sed -n 's/^ *iSCSI: *portal 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.log" 2>/dev/null | head -n1 || true)"
  [[ -n $port ]] && grep -q ' started ' "$work/daemon.log" && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.5
done
if [[ -z $port ]]; then
  echo "the daemon did not start; its output:" >&2
  cat "$work/daemon.log" >&2
  exit 1
fi
echo "   iSCSI portal 127.0.0.1:$port (daemon up $(( $(date +%s) - start )) s after the script started)"

failed_total=0
for variant in "${variants[@]}"; do
  iqn="$iqn_base-$variant"
  case "$variant" in
    open|cached|stored) url="iscsi://127.0.0.1:$port/$iqn/0" ;;
    chap)   url="iscsi://conformance%$chap_secret@127.0.0.1:$port/$iqn/0" ;;
    mutual) url="iscsi://conformance%$chap_secret@127.0.0.1:$port/$iqn/0?target_user=gateway&target_password=$mutual_secret&header_digest=crc32c" ;;
  esac
  v_start=$(date +%s)
  echo "== $variant: iscsi-test-cu --test=ALL --dataloss"
  run_bg timeout --kill-after=10 "$suite_timeout" iscsi-test-cu --test=ALL --dataloss "$url" "$url" > "$work/$variant.log" 2>&1 || true
  summary="$(grep -E '^ +tests +[0-9]' "$work/$variant.log" || true)"
  if [[ -z $summary ]]; then
    echo "   no summary from iscsi-test-cu (crashed or timed out); last lines:" >&2
    tail -20 "$work/$variant.log" >&2
    failed_total=$((failed_total + 1))
    continue
  fi
  read -r _ total ran passed failed _ <<<"$summary"
  skips="$(awk '/^Suite: /{suite=$2} /^  Test: /{test=$2} /\[SKIPPED\]/{sub(/.*\[SKIPPED\] */, ""); print suite "." test ": " $0}' \
      "$work/$variant.log" | sort -u)"
  skipped="$(printf '%s\n' "$skips" | sed 's/:.*//' | sort -u | grep -c . || true)"
  echo "   tests: total $total, ran $ran, passed $passed (of which $skipped skipped themselves), failed $failed" \
       "($(( $(date +%s) - v_start )) s)"
  if [[ $failed != 0 ]]; then
    echo "   failed tests:"
    awk '/^Suite: /{suite=$2} /^  Test: /{test=$2} /\.\.\.FAILED|\.\.\. *FAILED|^FAILED$/{print "     " suite "." test}' \
        "$work/$variant.log" | sort -u
  fi
  echo "   skipped tests (test: reason):"
  printf '%s\n' "$skips" | sed 's/^/     /'
  failed_total=$((failed_total + failed))
done

echo "== stopping the daemon (SIGTERM)"
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=""
if [[ $rc -ne 0 ]] || ! grep -q 'Main stopped' "$work/daemon.log"; then
  echo "   the daemon exited with status $rc (want 0 and a 'stopped' line); last lines:" >&2
  tail -20 "$work/daemon.log" >&2
  failed_total=$((failed_total + 1))
fi
if grep -q "$chap_secret\|$mutual_secret" "$work/daemon.log"; then
  echo "   a CHAP secret appears in the daemon's output" >&2
  failed_total=$((failed_total + 1))
fi

echo "== total $(( $(date +%s) - start )) s"
if [[ $failed_total != 0 ]]; then
  echo "== FAILED: $failed_total problem(s)"
  exit 1
fi
echo "== all variants passed"
