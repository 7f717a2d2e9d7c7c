package dev.stowage.server.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.AccessDeniedException;
import dev.stowage.core.store.ClockSkewException;
import dev.stowage.core.store.InvalidCredentialsException;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.ThrottledException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.WrongRegionException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import org.junit.jupiter.api.Test;

/** The bucket check's verdicts for the failures operators meet, on the fault-injecting store. */
class BucketCheckTest {

    private static final String CONTEXT = "S3 check failed for bucket backups at endpoint https://s3.example.com: ";

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore store = new FaultInjectingObjectStore(memory);
    private final BucketCheck check = new BucketCheck(store, "backups", "https://s3.example.com");

    private void expect(Operation op, ObjectStoreException e, BucketCheckException.Kind kind) {
        store.clearFaults();
        store.failNext(op, 1, () -> e);
        assertThatThrownBy(check::check)
                .isInstanceOfSatisfying(BucketCheckException.class, b -> assertThat(b.kind()).isEqualTo(kind))
                .hasMessage(CONTEXT + e.getMessage());
    }

    @Test
    void passesAndLeavesNoProbeBehind() throws Exception {
        memory.put("existing", new byte[] {1}, PutOptions.DEFAULT);
        check.check();
        assertThat(memory.objectCount()).isEqualTo(1);
        assertThat(store.calls(Operation.LIST)).isEqualTo(1);
        assertThat(store.calls(Operation.PUT)).isEqualTo(1);
        assertThat(store.calls(Operation.GET)).isEqualTo(1);
        assertThat(store.calls(Operation.DELETE)).isEqualTo(1);
    }

    @Test
    void eachStoreErrorBecomesOneLineWithBucketAndEndpoint() {
        expect(Operation.LIST, new AccessDeniedException("access denied: key AKIA1 may not list the bucket: grant s3:ListBucket"),
                BucketCheckException.Kind.ACCESS_DENIED);
        expect(Operation.PUT, new AccessDeniedException("access denied: key AKIA1 may not write .stowage/probe: grant s3:PutObject"),
                BucketCheckException.Kind.ACCESS_DENIED);
        expect(Operation.LIST, new WrongRegionException("eu-west-1", "bucket 'backups' is in region 'eu-west-1': set region to eu-west-1", null),
                BucketCheckException.Kind.WRONG_REGION);
        expect(Operation.LIST, new ClockSkewException("the clock is 20 minutes off (RequestTimeTooSkewed): enable NTP"),
                BucketCheckException.Kind.CLOCK_SKEW);
        expect(Operation.LIST, new UnavailableException("cannot connect to https://s3.example.com (connection refused)"),
                BucketCheckException.Kind.UNREACHABLE);
        expect(Operation.GET, new ThrottledException("SlowDown, HTTP 503"), BucketCheckException.Kind.THROTTLED);
        expect(Operation.LIST, new InvalidCredentialsException(InvalidCredentialsException.Reason.EXPIRED_TOKEN,
                "the session token was rejected (ExpiredToken)", null), BucketCheckException.Kind.EXPIRED_TOKEN);
        expect(Operation.LIST, new InvalidCredentialsException(InvalidCredentialsException.Reason.MISSING,
                "no credentials found in the default chain", null), BucketCheckException.Kind.MISSING_CREDENTIALS);
        expect(Operation.DELETE, new StoreFailureException("refused to delete (MethodNotAllowed, HTTP 405)"),
                BucketCheckException.Kind.OTHER);
    }

    @Test
    void outageIsUnreachable() {
        store.outage(true);
        assertThatThrownBy(check::check)
                .isInstanceOfSatisfying(BucketCheckException.class,
                        b -> assertThat(b.kind()).isEqualTo(BucketCheckException.Kind.UNREACHABLE))
                .hasMessageStartingWith(CONTEXT);
    }

    @Test
    void multiLineStoreMessageStaysOneLine() {
        store.failNext(Operation.LIST, 1, () -> new UnavailableException("first\nsecond"));
        assertThatThrownBy(check::check).hasMessageNotContaining("\n").hasMessageEndingWith("first second");
    }

    @Test
    void corruptedReadIsReported() {
        TamperingStore tampering = new TamperingStore();
        tampering.readFilter = b -> {
            b[0] ^= 1;
            return b;
        };
        assertThatThrownBy(() -> new BucketCheck(tampering, "backups", "https://s3.example.com").check())
                .isInstanceOfSatisfying(BucketCheckException.class,
                        b -> assertThat(b.kind()).isEqualTo(BucketCheckException.Kind.PROBE_MISMATCH))
                .hasMessageStartingWith(CONTEXT + "the probe object read back differs from what was written");
    }

    @Test
    void undeletableProbeIsReported() {
        TamperingStore tampering = new TamperingStore();
        tampering.deleteRefusal = "AccessDenied";
        assertThatThrownBy(() -> new BucketCheck(tampering, "backups", "https://s3.example.com").check())
                .isInstanceOfSatisfying(BucketCheckException.class,
                        b -> assertThat(b.kind()).isEqualTo(BucketCheckException.Kind.ACCESS_DENIED))
                .hasMessageContaining("could not be deleted (AccessDenied)")
                .hasMessageContaining("grant s3:DeleteObject");
    }

    @Test
    void quickCheckOnlyLists() throws Exception {
        check.quickCheck();
        assertThat(store.calls(Operation.PUT)).isZero();
        store.failNext(Operation.LIST, 1, () -> new UnavailableException("down"));
        assertThatThrownBy(check::quickCheck).hasMessage(CONTEXT + "down");
    }
}
