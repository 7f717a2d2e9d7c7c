#!/usr/bin/env bash
# Stops a tgtd started by start-tgt.sh.
# Usage: tools/tgt/stop-tgt.sh [--port 3261] [--dir DIR]   (DIR default <repo>/build/tgt/PORT)
# Only the process recorded in DIR/tgtd.pid is signalled, and only if it is a tgtd.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
port=3261 dir=
while [[ $# -gt 0 ]]; do
    case $1 in
        --port) port=${2:?}; shift 2 ;;
        --dir) dir=${2:?}; shift 2 ;;
        *) echo "stop-tgt: unknown option $1" >&2; exit 1 ;;
    esac
done
dir=${dir:-$repo/build/tgt/$port}
pidfile=$dir/tgtd.pid
[[ -f $pidfile ]] || { echo "stop-tgt: no tgtd recorded in $pidfile"; exit 0; }
pid=$(cat "$pidfile")
if [[ $pid =~ ^[0-9]+$ && "$(cat "/proc/$pid/comm" 2>/dev/null)" == tgtd ]]; then
    kill -TERM "$pid"
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stop-tgt: stopped tgtd $pid (port $port)"
else
    echo "stop-tgt: tgtd $pid is not running"
fi
rm -f "$pidfile" "/var/run/tgtd/socket.$port" "/var/run/tgtd/socket.$port.lock"
