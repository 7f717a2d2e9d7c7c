package dev.stowage.core.store;

/**
 * A byte range of an object: {@code length} bytes from {@code offset}. {@link #ALL} is the whole object.
 *
 * @param offset first byte, at least 0
 * @param length number of bytes, at least 1, or -1 for "to the end"
 */
public record ByteRange(long offset, long length) {

    public static final ByteRange ALL = new ByteRange(0, -1);

    public ByteRange {
        if (offset < 0) {
            throw new IllegalArgumentException("range offset must be >= 0, got " + offset);
        }
        if (length == 0 || length < -1) {
            throw new IllegalArgumentException("range length must be >= 1 or -1 (to the end), got " + length);
        }
    }

    public static ByteRange of(long offset, long length) {
        return new ByteRange(offset, length);
    }

    public static ByteRange from(long offset) {
        return new ByteRange(offset, -1);
    }

    public boolean isAll() {
        return offset == 0 && length == -1;
    }

    /** The HTTP Range header value, e.g. {@code bytes=0-99}. */
    public String httpHeader() {
        return length == -1 ? "bytes=" + offset + "-" : "bytes=" + offset + "-" + (offset + length - 1);
    }
}
