# tape-basic: log in, show the changer (mtx status), optionally load a tape from a slot, write
# two tape files of random data (tape_mb MiB, then 1 MiB) each ended by a filemark, write one
# more filemark, rewind, read both files back and compare, check the empty third file, space
# forward one filemark and read the second file again, rewind (and unload when a slot was
# loaded).
# Parameters: target (required), tape_mb (default 8), load_slot (slot to load into drive 0;
#   default: the drive already holds a tape), changer (1 = expect /dev/sch0, default 1),
#   block (dd block size, default 64k), port, host, initiator, CHAP parameters as in disk-fs.
. /stowage/lib.sh
require target
tape_mb=${tape_mb:-8}
changer=${changer:-1}
block=${block:-64k}

iscsi_login || fail "iSCSI login to $target at $host:$port failed"
wait_for 30 [ -e /dev/nst0 ] || fail "no tape drive (/dev/nst0) appeared after login"
if [ "$changer" = 1 ]; then
    wait_for 30 [ -e /dev/sch0 ] || fail "no medium changer (/dev/sch0) appeared after login"
    mtx -f /dev/sch0 status || fail "mtx status failed"
    if [ -n "${load_slot:-}" ]; then
        if mtx -f /dev/sch0 status | grep -q '^Data Transfer Element 0:Full'; then
            log "drive 0 holds a tape from an earlier run: unloading it first"
            mtx -f /dev/sch0 unload || fail "mtx unload of the tape left in drive 0 failed"
        fi
        mtx -f /dev/sch0 load "$load_slot" 0 || fail "mtx load $load_slot 0 failed"
    fi
fi
wait_for 30 mt -f /dev/nst0 status || fail "mt status on /dev/nst0 failed (no tape loaded?)"
mt -f /dev/nst0 rewind || fail "rewind failed"

head -c $((tape_mb * 1048576)) /dev/urandom > /tmp/file1
head -c 1048576 /dev/urandom > /tmp/file2
# Closing /dev/nst0 after writing makes the st driver write one filemark, so each dd below
# ends its tape file; the explicit WRITE FILEMARKS (mt weof) then adds an empty third file.
dd if=/tmp/file1 of=/dev/nst0 bs="$block" 2>/tmp/dd.log || { cat /tmp/dd.log; fail "write of file 1 failed"; }
dd if=/tmp/file2 of=/dev/nst0 bs="$block" 2>/tmp/dd.log || { cat /tmp/dd.log; fail "write of file 2 failed"; }
mt -f /dev/nst0 weof 1 || fail "write filemark failed"
mt -f /dev/nst0 status | grep -q 'File number=3,' || { mt -f /dev/nst0 status; fail "tape is not at file 3 after two files and a filemark"; }
log "wrote ${tape_mb} MiB + 1 MiB in two tape files"

mt -f /dev/nst0 rewind || fail "rewind before reading failed"
dd if=/dev/nst0 of=/tmp/back1 bs="$block" 2>/tmp/dd.log || { cat /tmp/dd.log; fail "read of file 1 failed"; }
[ "$(sha /tmp/back1)" = "$(sha /tmp/file1)" ] || fail "file 1 read back differs ($(wc -c < /tmp/back1) bytes)"
dd if=/dev/nst0 of=/tmp/back2 bs="$block" 2>/tmp/dd.log || { cat /tmp/dd.log; fail "read of file 2 failed"; }
[ "$(sha /tmp/back2)" = "$(sha /tmp/file2)" ] || fail "file 2 read back differs ($(wc -c < /tmp/back2) bytes)"
dd if=/dev/nst0 of=/tmp/back3 bs="$block" 2>/tmp/dd.log || { cat /tmp/dd.log; fail "read of the empty file 3 failed"; }
[ "$(wc -c < /tmp/back3)" -eq 0 ] || fail "file 3 should be empty, read $(wc -c < /tmp/back3) bytes"
log "both tape files read back identical, then the empty file"

mt -f /dev/nst0 rewind || fail "second rewind failed"
mt -f /dev/nst0 fsf 1 || fail "space forward one filemark failed"
dd if=/dev/nst0 of=/tmp/back4 bs="$block" 2>/tmp/dd.log || { cat /tmp/dd.log; fail "read after fsf failed"; }
[ "$(sha /tmp/back4)" = "$(sha /tmp/file2)" ] || fail "read after fsf 1 is not file 2"
log "fsf 1 positioned at file 2"
mt -f /dev/nst0 rewind || fail "final rewind failed"
mt -f /dev/nst0 status

if [ "$changer" = 1 ] && [ -n "${load_slot:-}" ]; then
    mtx -f /dev/sch0 unload "$load_slot" 0 || fail "mtx unload $load_slot 0 failed"
    mtx -f /dev/sch0 status || fail "mtx status after unload failed"
fi
pass
