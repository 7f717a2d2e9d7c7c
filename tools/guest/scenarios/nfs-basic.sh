# nfs-basic: mount an NFSv3 export over TCP with the kernel client, write files of random data
# and a sha256 manifest, exercise the namespace (mkdir, rename, symlink, hard link, chmod,
# truncate, append, unlink, rmdir), unmount, drop the guest's caches, mount again and verify
# contents and metadata.
# Parameters: export (path on the server, required), nfs_port (default 2049), mount_port
#   (MOUNT protocol port; when empty the client asks the portmapper on the host's port 111),
#   host, small_files (default 100), mount_opts (extra mount options),
#   phase = all (default) | write | verify (as in disk-fs; the data stays under stowage-test/).
. /stowage/lib.sh
require export
nfs_port=${nfs_port:-2049}
small_files=${small_files:-100}
phase=${phase:-all}
case $phase in all|write|verify) ;; *) fail "phase must be all, write or verify, not '$phase'";; esac
opts="vers=3,proto=tcp,nolock,port=$nfs_port${mount_port:+,mountport=$mount_port}${mount_opts:+,$mount_opts}"

nfs_mount() {
    log "mount -t nfs -o $opts $host:$export /mnt"
    mount -t nfs -o "$opts" "$host:$export" /mnt || fail "NFS mount of $host:$export failed"
}
nfs_umount() {
    umount /mnt || fail "umount of the NFS export failed"
    echo 3 > /proc/sys/vm/drop_caches
}
d=/mnt/stowage-test

verify() {
    [ -f $d/SHA256SUMS ] || fail "no SHA256SUMS manifest under stowage-test/"
    want=$((small_files + 2))
    have=$(wc -l < $d/SHA256SUMS)
    [ "$have" -eq "$want" ] || fail "manifest lists $have files, expected $want"
    (cd $d/data && sha256sum -c -s ../SHA256SUMS) || {
        (cd $d/data && sha256sum -c ../SHA256SUMS 2>&1 | grep -v ': OK$' | head -n 20)
        fail "checksum mismatch after remount (see the lines above)"
    }
    [ "$(readlink $d/ns/link-to-renamed)" = "renamed.bin" ] || fail "symlink target lost"
    [ "$(stat -c %h $d/ns/renamed.bin)" -eq 2 ] || fail "hard link count is not 2"
    [ "$(stat -c %a $d/ns/renamed.bin)" = 600 ] || fail "mode 600 not kept"
    [ "$(stat -c %s $d/ns/truncated.bin)" -eq 1000 ] || fail "truncated file is not 1000 bytes"
    [ "$(cat $d/ns/appended.txt)" = "$(printf 'one\ntwo')" ] || fail "appended file content wrong"
    [ ! -e $d/ns/deleted.bin ] || fail "deleted file came back"
    [ ! -e $d/ns/gone ] || fail "removed directory came back"
    [ -d $d/ns/a/b/c ] || fail "nested directory lost"
    log "all $have checksums and the namespace checks verified"
}

nfs_mount
if [ "$phase" != verify ]; then
    rm -rf $d
    mkdir -p $d/data/small $d/ns/a/b/c $d/ns/gone || fail "mkdir on the export failed"
    head -c 1048576 /dev/urandom > $d/data/one-mib.bin || fail "write of one-mib.bin failed"
    head -c 4194304 /dev/urandom > $d/data/four-mib.bin || fail "write of four-mib.bin failed"
    i=0
    while [ $i -lt "$small_files" ]; do
        head -c $(( (i * 7919) % 16384 + 1 )) /dev/urandom > "$d/data/small/f$i" || fail "write of small/f$i failed"
        i=$((i + 1))
    done
    (cd $d/data && find . -type f | sort | xargs sha256sum) > $d/SHA256SUMS
    head -c 65536 /dev/urandom > $d/ns/original.bin
    mv $d/ns/original.bin $d/ns/renamed.bin || fail "rename failed"
    ln -s renamed.bin $d/ns/link-to-renamed || fail "symlink failed"
    ln $d/ns/renamed.bin $d/ns/hardlink.bin || fail "hard link failed"
    chmod 600 $d/ns/renamed.bin || fail "chmod failed"
    head -c 5000 /dev/urandom > $d/ns/truncated.bin && truncate -s 1000 $d/ns/truncated.bin || fail "truncate failed"
    printf 'one\n' > $d/ns/appended.txt && printf 'two' >> $d/ns/appended.txt || fail "append failed"
    head -c 100 /dev/urandom > $d/ns/deleted.bin && rm $d/ns/deleted.bin || fail "unlink failed"
    rmdir $d/ns/gone || fail "rmdir failed"
    sync
    log "wrote $((small_files + 2)) files ($(du -sk $d | cut -f1) KiB) and the namespace checks"
    nfs_umount
    [ "$phase" = write ] && pass
    nfs_mount
fi
verify
nfs_umount
pass
