# Helpers sourced by every guest scenario (busybox sh). Parameters arrive as shell variables
# from /stowage/params (written by run-scenario.sh from its key=value arguments).
# shellcheck disable=SC1091,SC2154  # params are generated per run; names vary by scenario
. /stowage/params

host=${host:-10.0.2.2}
port=${port:-3260}
initiator=${initiator:-iqn.2024-01.dev.stowage:guest}

# busybox sh runs its own applets before searching PATH: use the real mt-st and mke2fs.
mt() { /usr/bin/mt-st "$@"; }
mke2fs() { /usr/bin/mke2fs "$@"; }

log() { echo "scenario: $*"; }

# pass / fail record the verdict for /init and end the scenario.
pass() { echo "STOWAGE-SCENARIO-PASS" > /tmp/verdict; log "PASS"; exit 0; }
fail() { echo "STOWAGE-SCENARIO-FAIL: $*" > /tmp/verdict; log "FAIL: $*"; exit 1; }

require() { # require NAME...: fail when a parameter is empty
    for _r in "$@"; do
        eval "[ -n \"\${$_r:-}\" ]" || fail "missing parameter $_r=..."
    done
}

# iscsi_login [SECRET]: one login with iscsistart; CHAP when chap_user is set (SECRET overrides
# chap_secret), mutual CHAP when mutual_user is set. Returns iscsistart's status.
iscsi_login() {
    _secret=${1:-${chap_secret:-}}
    set -- -i "$initiator" -t "$target" -g "${tpgt:-1}" -a "$host" -p "$port"
    if [ -n "${chap_user:-}" ]; then
        set -- "$@" -u "$chap_user" -w "$_secret"
    fi
    if [ -n "${mutual_user:-}" ]; then
        set -- "$@" -U "$mutual_user" -W "${mutual_secret:-}"
    fi
    log "iscsistart -i $initiator -t $target -a $host -p $port${chap_user:+ (CHAP user $chap_user)}${mutual_user:+ (mutual CHAP $mutual_user)}"
    timeout "${login_timeout:-45}" iscsistart "$@" 2>&1
    _rc=$?
    if [ "$_rc" -ge 128 ]; then
        log "iscsistart gave up after ${login_timeout:-45} s (is a target listening on the host's port $port?)"
    fi
    return "$_rc"
}

# wait_for SECONDS TEST...: poll until the shell test succeeds; non-zero on timeout.
wait_for() {
    _n=$1; shift
    while [ "$_n" -gt 0 ]; do
        if "$@"; then return 0; fi
        sleep 1
        _n=$((_n - 1))
    done
    "$@"
}

# The iSCSI disk: the one at LUN $lun when that parameter is set, else the first SCSI disk
# (the guest has no other disks).
first_disk() {
    for _d in /sys/block/sd*; do
        [ -e "$_d" ] || continue
        if [ -n "${lun:-}" ]; then
            _addr=$(readlink -f "$_d/device")
            [ "${_addr##*:}" = "$lun" ] || continue
        fi
        echo "/dev/${_d##*/}"
        return 0
    done
    return 1
}
have_disk() { first_disk > /dev/null; }

# sha of a file, just the hex.
sha() { sha256sum "$1" | cut -d' ' -f1; }
