package dev.stowage.server.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.AccessDeniedException;
import dev.stowage.core.store.ClockSkewException;
import dev.stowage.core.store.InvalidCredentialsException;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.ThrottledException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.WrongRegionException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bucket check's verdicts for the failures operators meet, on a stub store that fails on demand. */
class BucketCheckTest {

    private static final String CONTEXT = "S3 check failed for bucket backups at endpoint https://s3.example.com: ";

    private final StubStore store = new StubStore();
    private final BucketCheck check = new BucketCheck(store, "backups", "https://s3.example.com");

    private void expect(StubStore.Op op, ObjectStoreException e, BucketCheckException.Kind kind) {
        store.heal();
        store.failOn(op, e);
        assertThatThrownBy(check::check)
                .isInstanceOfSatisfying(BucketCheckException.class, b -> assertThat(b.kind()).isEqualTo(kind))
                .hasMessage(CONTEXT + e.getMessage());
    }

    @Test
    void passesAndLeavesNoProbeBehind() throws Exception {
        store.objects.put("existing", new byte[] {1});
        check.check();
        assertThat(store.objects.keySet()).containsExactly("existing");
    }

    @Test
    void eachStoreErrorBecomesOneLineWithBucketAndEndpoint() {
        expect(StubStore.Op.LIST, new AccessDeniedException("access denied: key AKIA1 may not list the bucket: grant s3:ListBucket"),
                BucketCheckException.Kind.ACCESS_DENIED);
        expect(StubStore.Op.PUT, new AccessDeniedException("access denied: key AKIA1 may not write .stowage/probe: grant s3:PutObject"),
                BucketCheckException.Kind.ACCESS_DENIED);
        expect(StubStore.Op.LIST, new WrongRegionException("eu-west-1", "bucket 'backups' is in region 'eu-west-1': set region to eu-west-1", null),
                BucketCheckException.Kind.WRONG_REGION);
        expect(StubStore.Op.LIST, new ClockSkewException("the clock is 20 minutes off (RequestTimeTooSkewed): enable NTP"),
                BucketCheckException.Kind.CLOCK_SKEW);
        expect(StubStore.Op.LIST, new UnavailableException("cannot connect to https://s3.example.com (connection refused)"),
                BucketCheckException.Kind.UNREACHABLE);
        expect(StubStore.Op.GET, new ThrottledException("SlowDown, HTTP 503"), BucketCheckException.Kind.THROTTLED);
        expect(StubStore.Op.LIST, new InvalidCredentialsException(InvalidCredentialsException.Reason.EXPIRED_TOKEN,
                "the session token was rejected (ExpiredToken)", null), BucketCheckException.Kind.EXPIRED_TOKEN);
        expect(StubStore.Op.LIST, new InvalidCredentialsException(InvalidCredentialsException.Reason.MISSING,
                "no credentials found in the default chain", null), BucketCheckException.Kind.MISSING_CREDENTIALS);
        expect(StubStore.Op.DELETE, new StoreFailureException("refused to delete (MethodNotAllowed, HTTP 405)"),
                BucketCheckException.Kind.OTHER);
    }

    @Test
    void multiLineStoreMessageStaysOneLine() {
        store.failOn(StubStore.Op.LIST, new UnavailableException("first\nsecond"));
        assertThatThrownBy(check::check).hasMessageNotContaining("\n").hasMessageEndingWith("first second");
    }

    @Test
    void corruptedReadIsReported() {
        store.readFilter = b -> {
            b[0] ^= 1;
            return b;
        };
        assertThatThrownBy(check::check)
                .isInstanceOfSatisfying(BucketCheckException.class,
                        b -> assertThat(b.kind()).isEqualTo(BucketCheckException.Kind.PROBE_MISMATCH))
                .hasMessageStartingWith(CONTEXT + "the probe object read back differs from what was written");
    }

    @Test
    void undeletableProbeIsReported() {
        store.deleteFailures = Map.of("any", "AccessDenied");
        assertThatThrownBy(check::check)
                .isInstanceOfSatisfying(BucketCheckException.class,
                        b -> assertThat(b.kind()).isEqualTo(BucketCheckException.Kind.ACCESS_DENIED))
                .hasMessageContaining("could not be deleted (AccessDenied)")
                .hasMessageContaining("grant s3:DeleteObject");
    }

    @Test
    void quickCheckOnlyLists() throws Exception {
        store.failOn(StubStore.Op.PUT, new AccessDeniedException("no writes"));
        check.quickCheck();
        store.failOn(StubStore.Op.LIST, new UnavailableException("down"));
        assertThatThrownBy(check::quickCheck).hasMessage(CONTEXT + "down");
    }
}
