#!/usr/bin/env bash
# Starts Debian's tgt (userspace iSCSI target) on 127.0.0.1 as the reference target to compare
# Stowage with: one disk target (LUN 1 backed by a sparse file), optionally CHAP / mutual CHAP,
# optionally a small virtual tape library (one drive + a changer with tapes in slots).
#
# Usage: tools/tgt/start-tgt.sh [--port 3261] [--dir DIR] [--size-mb 256]
#            [--chap-user U --chap-secret S] [--mutual-user U --mutual-secret S]
#            [--vtl] [--tapes 4] [--tape-mb 64] [--bsoflags sync|direct] [--keep]
# Prints key=value lines on stdout (use: eval "$(tools/tgt/start-tgt.sh ...)"):
#   tgt_port, tgt_pid, tgt_dir, disk_iqn, disk_url (iscsi://127.0.0.1:PORT/IQN/1),
#   and with --vtl: vtl_iqn (drive = LUN 1, empty; changer = LUN 2; tapes in slots 1..N).
# --keep reuses the disk image and tapes of an earlier start (to test persistence across a
# target restart); without it they are recreated empty.
# State (backing files, pid, log) lives in DIR (default <repo>/build/tgt/PORT); an existing
# tgtd for the same port is stopped first. The management socket is tgtd's control port =
# the iSCSI port, so several instances can run side by side. Stop with stop-tgt.sh --port PORT.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "start-tgt: $*" >&2; exit 1; }
# Installs packages without letting their init scripts or systemd units start daemons (tgt and
# nfs-ganesha would listen on all addresses, rpcbind on port 111): a temporary policy-rc.d
# refuses every start, and units started anyway under systemd are stopped and disabled.
install_quietly() { # install_quietly UNITS -- PACKAGES...
    local units=() created=0
    while [[ $1 != -- ]]; do units+=("$1"); shift; done
    shift
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        created=1
    fi
    apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y -q --no-install-recommends "$@" >/dev/null
    local rc=$?
    [[ $created -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
    if [[ -d /run/systemd/system ]] && ((${#units[@]})); then
        systemctl disable --now "${units[@]}" >/dev/null 2>&1 || true
    fi
    return "$rc"
}

port=3261 dir='' size_mb=256 chap_user='' chap_secret='' mutual_user='' mutual_secret=''
vtl=0 tapes=4 tape_mb=64 bsoflags='' keep=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --port) port=${2:?}; shift 2 ;;
        --dir) dir=${2:?}; shift 2 ;;
        --size-mb) size_mb=${2:?}; shift 2 ;;
        --chap-user) chap_user=${2:?}; shift 2 ;;
        --chap-secret) chap_secret=${2:?}; shift 2 ;;
        --mutual-user) mutual_user=${2:?}; shift 2 ;;
        --mutual-secret) mutual_secret=${2:?}; shift 2 ;;
        --vtl) vtl=1; shift ;;
        --tapes) tapes=${2:?}; shift 2 ;;
        --tape-mb) tape_mb=${2:?}; shift 2 ;;
        --bsoflags) bsoflags=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        *) die "unknown option $1 (see the header of $0)" ;;
    esac
done
[[ $port =~ ^[0-9]+$ && $port -gt 0 && $port -lt 65536 ]] || die "--port must be a TCP port"
[[ $size_mb =~ ^[0-9]+$ && $size_mb -gt 0 ]] || die "--size-mb must be a positive number"
[[ -z $chap_user || -n $chap_secret ]] || die "--chap-user needs --chap-secret"
[[ -z $mutual_user || -n $mutual_secret ]] || die "--mutual-user needs --mutual-secret"
[[ -z $mutual_user || -n $chap_user ]] || die "mutual CHAP needs --chap-user too"
dir=${dir:-$repo/build/tgt/$port}

if ! command -v tgtd >/dev/null || ! command -v tgtadm >/dev/null; then
    [[ $(id -u) -eq 0 ]] || die "package tgt is missing (run as root to install it)"
    echo "start-tgt: installing tgt" >&2
    install_quietly tgt.service -- tgt || die "apt-get install tgt failed"
fi

"$here/stop-tgt.sh" --port "$port" --dir "$dir" >/dev/null 2>&1 || true
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "something already listens on 127.0.0.1:$port"
fi
mkdir -p "$dir" /var/run/tgtd

# tgtd -f stays in the foreground (no syslog); we background it ourselves and keep its log.
setsid tgtd -f -C "$port" --iscsi "portal=127.0.0.1:$port" > "$dir/tgtd.log" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$dir/tgtd.pid"
adm() { tgtadm -C "$port" --lld iscsi "$@" || die "tgtadm $* failed (log: $dir/tgtd.log)"; }
for _ in $(seq 50); do
    tgtadm -C "$port" --lld iscsi --op show --mode sys >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || die "tgtd exited at start: $(tail -n 3 "$dir/tgtd.log" | tr '\n' ' ')"
    sleep 0.1
done

disk_iqn=iqn.2024-01.dev.stowage.test:tgt-disk
[[ $keep -eq 1 && -f $dir/disk.img ]] || { rm -f "$dir/disk.img"; truncate -s "${size_mb}M" "$dir/disk.img"; }
adm --op new --mode target --tid 1 -T "$disk_iqn"
adm --op new --mode logicalunit --tid 1 --lun 1 -b "$dir/disk.img" ${bsoflags:+--bsoflags "$bsoflags"}
adm --op bind --mode target --tid 1 -I ALL

account() { # account TID USER SECRET [--outgoing]
    tgtadm -C "$port" --lld iscsi --op show --mode account | grep -qx "    $2" \
        || adm --op new --mode account --user "$2" --password "$3"
    adm --op bind --mode account --tid "$1" --user "$2" ${4:+"$4"}
}

if [[ $vtl -eq 1 ]]; then
    vtl_iqn=iqn.2024-01.dev.stowage.test:tgt-vtl
    mkdir -p "$dir/vtl"
    [[ $keep -eq 1 ]] || rm -f "$dir/vtl/"*
    [[ -f $dir/vtl/smc ]] || dd if=/dev/zero of="$dir/vtl/smc" bs=1k count=1 status=none
    for i in $(seq "$tapes"); do
        barcode=$(printf 'STW%03dL6' "$i")
        [[ -f $dir/vtl/$barcode ]] || tgtimg --op new --device-type tape --barcode "$barcode" --size "$tape_mb" --type data \
            --file "$dir/vtl/$barcode" >/dev/null || die "tgtimg could not create tape $barcode"
    done
    first=$(printf 'STW%03dL6' 1)
    adm --op new --mode target --tid 2 -T "$vtl_iqn"
    adm --mode logicalunit --op new --tid 2 --lun 1 -b "$dir/vtl/$first" --device-type=tape
    adm --mode logicalunit --op update --tid 2 --lun 1 --params online=0
    adm --mode logicalunit --op new --tid 2 --lun 2 -b "$dir/vtl/smc" --device-type=changer
    adm --mode logicalunit --op update --tid 2 --lun 2 --params media_home="$dir/vtl"
    # element addresses: drive 1, picker 2, slots 1000.. (mtx numbers slots from 1 regardless)
    adm --mode logicalunit --op update --tid 2 --lun 2 --params element_type=4,start_address=1,quantity=1
    adm --mode logicalunit --op update --tid 2 --lun 2 --params element_type=4,address=1,tid=2,lun=1
    adm --mode logicalunit --op update --tid 2 --lun 2 --params element_type=1,start_address=2,quantity=1
    adm --mode logicalunit --op update --tid 2 --lun 2 --params element_type=2,start_address=1000,quantity="$tapes"
    for i in $(seq "$tapes"); do
        adm --mode logicalunit --op update --tid 2 --lun 2 \
            --params element_type=2,address=$((999 + i)),barcode="$(printf 'STW%03dL6' "$i")",sides=1
    done
    adm --op bind --mode target --tid 2 -I ALL
fi

if [[ -n $chap_user ]]; then
    account 1 "$chap_user" "$chap_secret"
    [[ $vtl -eq 1 ]] && account 2 "$chap_user" "$chap_secret"
    if [[ -n $mutual_user ]]; then
        account 1 "$mutual_user" "$mutual_secret" --outgoing
        [[ $vtl -eq 1 ]] && account 2 "$mutual_user" "$mutual_secret" --outgoing
    fi
fi

echo "tgt_port=$port"
echo "tgt_pid=$pid"
echo "tgt_dir=$dir"
echo "disk_iqn=$disk_iqn"
echo "disk_url=iscsi://127.0.0.1:$port/$disk_iqn/1"
[[ $vtl -eq 1 ]] && echo "vtl_iqn=$vtl_iqn"
exit 0
