#!/usr/bin/env bash
# The Linux kernel's iSCSI initiator against the gateway DAEMON: starts `./stowage run --config F`
# (embedded S3 store, health and iSCSI on free ports of 127.0.0.1) with two targets, each backed
# by a 256 MiB file LUN, and a third whose LUN is a 256 MiB cached volume (data in the bucket):
#   guest-fs      one-way CHAP, allowed_initiators = the guest's initiator name
#   guest-raw     mutual CHAP
#   guest-cached  one-way CHAP, cached volume guest-cached behind a 64 MiB cache (settle 1 s)
# and runs the guest scenarios of tools/guest (qemu, TCG) against it:
#   1. disk-fs        on guest-fs: CHAP login, mkfs.ext4, files, sync, remount, checksums
#   2. disk-bad-chap  on guest-fs: a wrong secret is refused, the right one works
#   3. disk-raw       on guest-raw: sd's view, INQUIRY VPD, READ CAPACITY(16), O_DIRECT I/O
#   4. disk-fs phase=write on guest-fs, then the daemon is stopped with SIGTERM (it must exit 0)
#      and started again on the same data directory, then disk-fs phase=verify: what the guest
#      wrote and synced survived the restart. disk-fs phase=write and phase=verify run on
#      guest-cached around the same restart.
#   5. the daemon uploads what the cache holds and stops (the stop must report nothing left
#      unsent; a stop that still had data is followed by another start and stop, at most 4), the
#      cache directory is deleted (keys and bucket kept), the daemon starts again and disk-fs
#      phase=verify on guest-cached reads the filesystem back from the bucket alone.
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
cached_iqn=iqn.2026-11.dev.stowage:guest-cached

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
    - iqn: $cached_iqn
      chap: {user: $user, secret: $chap_secret}
      luns: [{lun: 0, type: cached, volume: guest-cached, size: 256MiB}]
cache:
  size: 64MiB
  settle_delay: 1s
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
cached_chap=(target="$cached_iqn" chap_user="$user" chap_secret="$chap_secret")
head_mtime() { # the embedded bucket's volumes/guest-cached/head: modification time, or 0
  local f
  f="$(find "$work/data/demo-s3" -path '*/volumes/guest-cached/head' -type f 2>/dev/null | head -n1)"
  [[ -n $f ]] && stat -c %Y.%y "$f" 2>/dev/null || echo 0
}
stopped_cleanly() { # stopped_cleanly NAME: the daemon logging to NAME.log exited 0 after SIGTERM
  local rc=0
  stop_daemon || rc=$?
  if [[ $rc -ne 0 ]] || ! grep -q 'Main stopped' "$work/$1.log"; then
    echo "   the daemon exited with status $rc after SIGTERM (want 0 and a 'stopped' line)" >&2
    tail -20 "$work/$1.log" >&2
    return 1
  fi
}
drain_and_stop() { # drain_and_stop NAME: stops the daemon (log NAME.log) once the cache has sent everything
  local name=$1 attempt last now stable
  for attempt in 1 2 3 4; do
    # Uploads start 1 s (settle_delay) after the last write and each commit republishes the
    # head: wait (at most 30 s) until the head has existed unchanged for 3 s, so that the
    # stop's own 5 s drain normally finds nothing left.
    last="$(head_mtime)"; stable=0
    for _ in $(seq 1 60); do
      sleep 0.5
      now="$(head_mtime)"
      if [[ $now != 0 && $now == "$last" ]]; then stable=$((stable + 1)); else stable=0; fi
      last=$now
      [[ $stable -ge 6 ]] && break
    done
    stopped_cleanly "$name" || return 1
    if ! grep -q 'stopping with data not yet uploaded' "$work/$name.log"; then
      return 0
    fi
    echo "   the stop left data in the cache journal (attempt $attempt); starting again to upload it"
    name="$1-drain$attempt"
    start_daemon "$name"
  done
  stopped_cleanly "$name" || true
  echo "   the cache still held data not uploaded after 4 starts and stops" >&2
  return 1
}
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
t=$(date +%s)
echo "== disk-fs phase=write on the cached volume"
scenario disk-fs "${cached_chap[@]}" phase=write
cached_s=$(( $(date +%s) - t ))
stopped_cleanly daemon-1 || failures=$((failures + 1))
start_daemon daemon-2
echo "== disk-fs phase=verify after the restart"
scenario disk-fs "${fs_chap[@]}" phase=verify
t=$(date +%s)
echo "== disk-fs phase=verify on the cached volume after the restart"
scenario disk-fs "${cached_chap[@]}" phase=verify
echo "== uploads drain, the daemon stops, the cache directory is deleted"
drain_and_stop daemon-2 || failures=$((failures + 1))
if [[ ! -s $work/data/keys/chunk-id.key ]]; then
  echo "   the chunk-id key file is missing from the data directory" >&2
  failures=$((failures + 1))
fi
rm -rf "$work/data/cache"
start_daemon daemon-3
if ! grep -q 'opened: 0 volumes' "$work/daemon-3.log"; then
  echo "   the daemon did not start on an empty cache after the cache directory was deleted" >&2
  failures=$((failures + 1))
fi
echo "== disk-fs phase=verify on the cached volume, read back from the bucket alone"
scenario disk-fs "${cached_chap[@]}" phase=verify
stopped_cleanly daemon-3 || failures=$((failures + 1))
cached_s=$(( cached_s + $(date +%s) - t ))
echo "   (the cached-volume steps took $cached_s s wall)"
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
