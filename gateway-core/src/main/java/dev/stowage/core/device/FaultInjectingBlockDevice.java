package dev.stowage.core.device;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test double that wraps another {@link BlockDevice}: counts flushes and FUA writes, fails the
 * next read or write with a chosen {@link DeviceError}, and can slow reads down (to widen race
 * windows in concurrency tests). Everything else is passed through.
 *
 * <p><b>Threading:</b> thread-safe; an injected failure is consumed by exactly one call.
 */
public final class FaultInjectingBlockDevice implements BlockDevice {
    private final BlockDevice inner;
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicInteger fuaWrites = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicReference<DeviceError> nextReadFailure = new AtomicReference<>();
    private final AtomicReference<DeviceError> nextWriteFailure = new AtomicReference<>();
    private volatile long readDelayNanos;

    public FaultInjectingBlockDevice(BlockDevice inner) {
        this.inner = inner;
    }

    /** The next {@link #read} fails with {@code error}. */
    public void failNextRead(DeviceError error) {
        nextReadFailure.set(error);
    }

    /** The next {@link #write}, {@link #writeSame} or {@link #unmap} fails with {@code error}. */
    public void failNextWrite(DeviceError error) {
        nextWriteFailure.set(error);
    }

    /** Every later read waits this long after reading (0: no delay). */
    public void readDelayNanos(long nanos) {
        this.readDelayNanos = nanos;
    }

    public int flushes() {
        return flushes.get();
    }

    public int fuaWrites() {
        return fuaWrites.get();
    }

    public int writes() {
        return writes.get();
    }

    @Override
    public int blockSize() {
        return inner.blockSize();
    }

    @Override
    public long blockCount() {
        return inner.blockCount();
    }

    @Override
    public boolean readOnly() {
        return inner.readOnly();
    }

    @Override
    public boolean thinProvisioned() {
        return inner.thinProvisioned();
    }

    @Override
    public boolean volatileWriteCache() {
        return inner.volatileWriteCache();
    }

    @Override
    public boolean isMapped(long lba) throws DeviceException {
        return inner.isMapped(lba);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws DeviceException {
        DeviceError e = nextReadFailure.getAndSet(null);
        if (e != null) {
            throw new DeviceException(e, "injected read failure at LBA " + lba);
        }
        inner.read(lba, dst);
        long delay = readDelayNanos;
        if (delay > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(delay);
        }
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws DeviceException {
        failWriteIfAsked(lba);
        writes.incrementAndGet();
        if (fua) {
            fuaWrites.incrementAndGet();
        }
        inner.write(lba, src, fua);
    }

    @Override
    public void flush() throws DeviceException {
        flushes.incrementAndGet();
        inner.flush();
    }

    @Override
    public void unmap(long lba, long blocks) throws DeviceException {
        failWriteIfAsked(lba);
        inner.unmap(lba, blocks);
    }

    @Override
    public void writeSame(long lba, long blocks, ByteBuffer pattern, boolean unmap) throws DeviceException {
        failWriteIfAsked(lba);
        inner.writeSame(lba, blocks, pattern, unmap);
    }

    private void failWriteIfAsked(long lba) throws DeviceException {
        DeviceError e = nextWriteFailure.getAndSet(null);
        if (e != null) {
            throw new DeviceException(e, "injected write failure at LBA " + lba);
        }
    }

    @Override
    public void close() throws DeviceException {
        inner.close();
    }
}
