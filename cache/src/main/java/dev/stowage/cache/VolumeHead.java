package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A volume's published recovery point: the chunk id of its newest committed manifest root and
 * that root's generation. Kept in the bucket under {@link #objectKey} so a gateway with an empty
 * cache (or a replacement gateway) finds the volume. Format version 1 is three lines of text:
 * <pre>
 * stowage-volume-head 1
 * root=&lt;64 hex digits&gt;
 * generation=&lt;decimal&gt;
 * </pre>
 *
 * @param root       chunk id of the root record ({@link dev.stowage.core.chunk.manifest.VolumeManifest})
 * @param generation the root's generation
 */
public record VolumeHead(ChunkId root, long generation) {

    private static final String FIRST_LINE = "stowage-volume-head 1";
    private static final Pattern VOLUME_ID = Pattern.compile("[A-Za-z0-9][-._A-Za-z0-9]{0,127}");

    public VolumeHead {
        Objects.requireNonNull(root, "root");
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0");
        }
    }

    /** Throws a one-line explanation when {@code volumeId} cannot name a volume. */
    public static void checkVolumeId(String volumeId) {
        if (volumeId == null || !VOLUME_ID.matcher(volumeId).matches()) {
            throw new IllegalArgumentException("volume id must be 1-128 characters of letters, digits, '-', '.', '_' "
                    + "starting with a letter or digit, got '" + volumeId + "'");
        }
    }

    /** {@code volumes/<volume id>/head}, relative to the store's prefix. */
    public static String objectKey(String volumeId) {
        checkVolumeId(volumeId);
        return "volumes/" + volumeId + "/head";
    }

    public byte[] encode() {
        return (FIRST_LINE + "\nroot=" + root.hex() + "\ngeneration=" + generation + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a head object; {@link IllegalArgumentException} naming {@code key} when it is not one. */
    public static VolumeHead decode(byte[] data, String key) {
        String[] lines = new String(data, StandardCharsets.US_ASCII).split("\n");
        if (lines.length != 3 || !lines[0].equals(FIRST_LINE) || !lines[1].startsWith("root=")
                || !lines[2].startsWith("generation=")) {
            throw new IllegalArgumentException("object " + key + " is not a version-1 volume head");
        }
        try {
            return new VolumeHead(ChunkId.parse(lines[1].substring(5)), Long.parseLong(lines[2].substring(11)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("object " + key + " is not a valid volume head: " + e.getMessage(), e);
        }
    }
}
