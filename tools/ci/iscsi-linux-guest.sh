#!/usr/bin/env bash
# The Linux kernel's iSCSI initiator against the gateway DAEMON: starts `./stowage run --config F`
# (embedded S3 store, health and iSCSI on free ports of 127.0.0.1) with two targets, each backed
# by a 256 MiB file LUN:
#   guest-fs    one-way CHAP, allowed_initiators = the guest's initiator name
#   guest-raw   mutual CHAP
# and runs the guest scenarios of tools/guest (qemu, TCG) against it:
#   1. disk-fs        on guest-fs: CHAP login, mkfs.ext4, files, sync, remount, checksums
#   2. disk-bad-chap  on guest-fs: a wrong secret is refused, the right one works
#   3. disk-raw       on guest-raw: sd's view, INQUIRY VPD, READ CAPACITY(16), O_DIRECT I/O
#   4. disk-fs phase=write on guest-fs, then the daemon is stopped with SIGTERM (it must exit 0)
#      and started again on the same data directory, then disk-fs phase=verify: what the guest
#      wrote and synced survived the restart.
# Exits non-zero when a scenario fails or the daemon does not start, stop or restart cleanly.
#
# Usage: tools/ci/iscsi-linux-guest.sh [--skip-raw]
# Environment: KEEP_LOGS=1 keeps the work directory (config, daemon logs, guest logs) also on
#              success, NO_BUILD=1 skips `./stowage build`, SCENARIO_TIMEOUT (seconds per
#              scenario, default 300).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scenario_timeout="${SCENARIO_TIMEOUT:-300}"
skip_raw=0
for a in "$@"; do
  case "$a" in
    --skip-raw) skip_raw=1 ;;
    *) echo "usage: $0 [--skip-raw]" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-guest-ci.XXXXXX")"
daemon_pid=""
step_pid=""
# Long commands run in the background and are waited for, so that a signal to this script runs the
# cleanup at once (`timeout` puts its command in a process group of its own).
run_bg() { "$@" & step_pid=$!; local rc=0; wait "$step_pid" || rc=$?; step_pid=""; return "$rc"; }
stop_daemon() { # stop_daemon: SIGTERM, wait (bounded); returns the daemon's exit status
  local pid=$daemon_pid rc=0
  daemon_pid=""
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "   the daemon did not stop within 30 s of SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" || rc=$?
  return "$rc"
}
cleanup() {
  local rc=$?
  if [[ -n $step_pid ]]; then kill -TERM "$step_pid" 2>/dev/null || true; wait "$step_pid" 2>/dev/null || true; fi
  stop_daemon || true
  if [[ "${KEEP_LOGS:-0}" == 1 || $rc -ne 0 ]]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
if [[ "${NO_BUILD:-0}" != 1 ]]; then
  echo "== building (./stowage build, tools/guest/build-guest.sh)"
  run_bg timeout 1200 "$root/stowage" build
fi
run_bg timeout 900 "$root/tools/guest/build-guest.sh" >"$work/build-guest.log" 2>&1 \
  || { cat "$work/build-guest.log" >&2; exit 1; }

secret() { od -An -tx1 -N7 /dev/urandom | tr -d ' \n'; }   # 14 characters: inside CHAP's 12-16 bytes
user=guestuser
chap_secret="$(secret)"
mutual_secret="$(secret)"
initiator=iqn.2024-01.dev.stowage:guest
fs_iqn=iqn.2026-11.dev.stowage:guest-fs
raw_iqn=iqn.2026-11.dev.stowage:guest-raw

cat > "$work/stowage.yaml" <<EOF
s3:
  embedded: true
  embedded_port: 0
data_dir: $work/data
health:
  listen: 127.0.0.1:0
iscsi:
  listen: 127.0.0.1:0
  targets:
    - iqn: $fs_iqn
      chap: {user: $user, secret: $chap_secret}
      allowed_initiators: [$initiator]
      luns: [{lun: 0, type: file, path: guest-fs.img, size: 256MiB}]
    - iqn: $raw_iqn
      chap: {user: $user, secret: $chap_secret, mutual_user: gateway, mutual_secret: $mutual_secret}
      luns: [{lun: 0, type: file, path: guest-raw.img, size: 256MiB}]
EOF
chmod 600 "$work/stowage.yaml"

port=""
start_daemon() { # start_daemon NAME: starts the daemon, logs to $work/NAME.log, sets $port
  local log="$work/$1.log"
  : > "$log"
  env $(env | sed -n 's/^\(STOWAGE_[A-Z0-9_]*\)=.*/-u \1/p') \
    timeout --kill-after=10 3600 "$root/stowage" run --config "$work/stowage.yaml" >"$log" 2>&1 &
  daemon_pid=$!
  port=""
  for _ in $(seq 1 240); do
    port="$(sed -n 's/^ *iSCSI: *portal 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n1 || true)"
    [[ -n $port ]] && grep -q ' started ' "$log" && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.5
  done
  if [[ -z $port ]]; then
    echo "the daemon did not start; its output:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "   daemon up: iSCSI portal 127.0.0.1:$port"
}

failures=0
scenario() { # scenario NAME key=value...: runs one guest scenario, counts a failure
  local s=$1; shift
  local t0; t0=$(date +%s)
  if run_bg "$root/tools/guest/run-scenario.sh" "$s" port="$port" initiator="$initiator" timeout="$scenario_timeout" \
       log="$work/guest-$s-$(date +%s).log" "$@"; then
    echo "   ($(( $(date +%s) - t0 )) s wall)"
  else
    echo "   FAILED ($(( $(date +%s) - t0 )) s wall)"
    failures=$((failures + 1))
  fi
}

fs_chap=(target="$fs_iqn" chap_user="$user" chap_secret="$chap_secret")
echo "== starting the daemon"
start_daemon daemon-1
echo "== disk-fs (CHAP, mkfs.ext4, files, sync, remount, checksums)"
scenario disk-fs "${fs_chap[@]}"
echo "== disk-bad-chap (wrong secret refused)"
scenario disk-bad-chap "${fs_chap[@]}"
if [[ $skip_raw == 0 ]]; then
  echo "== disk-raw (mutual CHAP)"
  scenario disk-raw target="$raw_iqn" chap_user="$user" chap_secret="$chap_secret" \
    mutual_user=gateway mutual_secret="$mutual_secret"
fi
echo "== disk-fs phase=write, then the daemon restarts"
scenario disk-fs "${fs_chap[@]}" phase=write
rc=0
stop_daemon || rc=$?
if [[ $rc -ne 0 ]] || ! grep -q 'Main stopped' "$work/daemon-1.log"; then
  echo "   the daemon exited with status $rc after SIGTERM (want 0 and a 'stopped' line)" >&2
  tail -20 "$work/daemon-1.log" >&2
  failures=$((failures + 1))
fi
start_daemon daemon-2
echo "== disk-fs phase=verify after the restart"
scenario disk-fs "${fs_chap[@]}" phase=verify
rc=0
stop_daemon || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "   the restarted daemon exited with status $rc after SIGTERM" >&2
  failures=$((failures + 1))
fi
if cat "$work"/daemon-*.log | grep -q "$chap_secret\|$mutual_secret"; then
  echo "   a CHAP secret appears in the daemon's output" >&2
  failures=$((failures + 1))
fi

echo "== total $(( $(date +%s) - start )) s"
if [[ $failures -ne 0 ]]; then
  echo "== FAILED: $failures problem(s)"
  exit 1
fi
echo "== all guest scenarios passed"
