# disk-bad-chap: a login with a wrong CHAP secret must be refused, and then a login with the
# right secret must succeed (so a refusal caused by anything else, like a target that is not
# there, does not pass).
# Parameters: target (required), chap_user and chap_secret (required, the right ones),
#   bad_secret (default: chap_secret with "-wrong" appended), port, host, initiator,
#   mutual_user, mutual_secret.
. /stowage/lib.sh
require target chap_user chap_secret
bad=${bad_secret:-${chap_secret}-wrong}

iscsi_login "$bad" > /tmp/login.log
rc=$?
cat /tmp/login.log
[ "$rc" -eq 0 ] && fail "target accepted CHAP user $chap_user with a wrong secret"
# iscsistart exits 1 on any failure; it names the reason as ISCSI_ERR_LOGIN_AUTH_FAILED (24)
# when the target rejected the login as an authentication failure (login status 02/01).
grep -q 'reported error (24 ' /tmp/login.log \
    || fail "login failed (iscsistart status $rc) but not as an authentication failure"
sleep 2
have_disk && fail "a disk appeared although the login was refused"
log "login with the wrong secret was refused"

iscsi_login || fail "login with the right secret failed too, so the refusal proves nothing"
wait_for 30 have_disk || fail "no disk appeared after the login with the right secret"
log "login with the right secret worked ($(first_disk))"
pass
