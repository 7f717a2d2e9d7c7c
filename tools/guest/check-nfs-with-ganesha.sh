#!/usr/bin/env bash
# Self-test of the nfs-basic guest scenario against a known-good NFSv3 server: nfs-ganesha
# (Debian, VFS backend) with rpcbind, both inside a private network namespace made for this
# run (they listen on that namespace's addresses only), and the qemu guest started in the same
# namespace so it reaches them as 10.0.2.2.
# Usage: tools/guest/check-nfs-with-ganesha.sh [key=value...]   (passed on to nfs-basic)
#        tools/guest/check-nfs-with-ganesha.sh -- COMMAND [ARGS...]
#   The second form runs COMMAND inside the namespace instead of the scenario, with
#   GANESHA_NFS_URL set to the libnfs URL of the export, e.g. to benchmark ganesha and another
#   server started by COMMAND in the same namespace:
#     check-nfs-with-ganesha.sh -- sh -c 'tools/fio/bench-iscsi.sh "$OURS" "$GANESHA_NFS_URL"'
# State (export directory, config, ganesha.log) in <repo>/build/ganesha. Exit status: the
# scenario's (0 on PASS) or COMMAND's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=$repo/build/ganesha
die() { echo "check-nfs-with-ganesha: $*" >&2; exit 1; }
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

if [[ ${STOWAGE_IN_NETNS:-} != 1 ]]; then
    [[ $(id -u) -eq 0 ]] || die "needs root (network namespace, nfs-ganesha)"
    if ! command -v ganesha.nfsd >/dev/null || ! command -v rpcbind >/dev/null \
        || [[ ! -e /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so ]]; then
        echo "check-nfs-with-ganesha: installing nfs-ganesha nfs-ganesha-vfs rpcbind" >&2
        install_quietly nfs-ganesha.service rpcbind.service rpcbind.socket -- \
            nfs-ganesha nfs-ganesha-vfs rpcbind || die "apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind failed"
    fi
    "$here/build-guest.sh"
    exec unshare --net --mount --propagation private env STOWAGE_IN_NETNS=1 "$0" "$@"
fi

# Inside the private namespaces from here on.
ip link set lo up
mount -t tmpfs tmpfs /run           # rpcbind's socket and lock, ganesha's pid: private copies
mkdir -p /run/ganesha /run/rpcbind "$dir/export" /var/lib/nfs/ganesha
cat > "$dir/ganesha.conf" <<CONF
NFS_CORE_PARAM {
    NFS_Port = 2049;
    MNT_Port = 20048;
    Protocols = 3;
    Enable_NLM = false;
    Enable_RQUOTA = false;
    Enable_UDP = false;
    mount_path_pseudo = true;
}
NFS_KRB5 { Active_krb5 = false; }
NFSV4 { Graceless = true; }
EXPORT {
    Export_Id = 1;
    Path = "$dir/export";
    Pseudo = /export;
    Protocols = 3;
    Transports = TCP;
    Access_Type = RW;
    Squash = No_Root_Squash;
    SecType = sys;
    FSAL { Name = VFS; }
}
CONF
rpcbind -f -w &
rpc_pid=$!
ganesha.nfsd -F -L "$dir/ganesha.log" -f "$dir/ganesha.conf" -p /run/ganesha/pid -N NIV_EVENT &
gan_pid=$!
trap 'kill "$gan_pid" "$rpc_pid" 2>/dev/null; wait "$gan_pid" "$rpc_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/2049) 2>/dev/null && break
    kill -0 "$gan_pid" 2>/dev/null || die "ganesha.nfsd exited at start (see $dir/ganesha.log)"
    sleep 0.2
done
if [[ ${1:-} == -- ]]; then
    shift
    [[ $# -ge 1 ]] || die "no command after --"
    export GANESHA_NFS_URL='nfs://127.0.0.1/export?nfsport=2049&mountport=20048'
    "$@"
else
    "$here/run-scenario.sh" nfs-basic export=/export nfs_port=2049 mount_port=20048 "$@"
fi
