package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A kept, immutable state of a volume: the chunk id of a committed manifest root. Stored in the
 * bucket as {@code snapshots/<snapshot id>} (format in docs/s3-layout.md): ASCII text, one
 * {@code name=value} per line after the line {@code stowage-snapshot 1}; the description is
 * URL-encoded (UTF-8) so it stays on one line.
 *
 * @param id          {@code snap-} followed by 16 lower-case hex digits
 * @param volumeId    the volume it was taken of
 * @param root        chunk id of the manifest root record
 * @param generation  that root's generation
 * @param sizeBytes   the volume's size at the snapshot
 * @param created     when the snapshot was recorded (kept to the millisecond)
 * @param description free text given by the operator (may be empty, at most 1024 characters)
 */
public record Snapshot(String id, String volumeId, ChunkId root, long generation, long sizeBytes, Instant created,
                       String description) {

    /** Prefix of every snapshot record key. */
    public static final String PREFIX = "snapshots/";
    private static final String FIRST_LINE = "stowage-snapshot 1";
    private static final Pattern ID = Pattern.compile("snap-[0-9a-f]{16}");
    static final int MAX_DESCRIPTION = 1024;

    public Snapshot {
        checkId(id);
        VolumeHead.checkVolumeId(volumeId);
        Objects.requireNonNull(root, "root");
        created = Instant.ofEpochMilli(Objects.requireNonNull(created, "created").toEpochMilli()); // as stored
        checkDescription(description);
    }

    /** Throws a one-line explanation when {@code id} cannot name a snapshot. */
    public static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("snapshot id must be 'snap-' and 16 lower-case hex digits, got '"
                    + id + "'");
        }
    }

    static void checkDescription(String description) {
        Objects.requireNonNull(description, "description");
        if (description.length() > MAX_DESCRIPTION) {
            throw new IllegalArgumentException("snapshot description is longer than " + MAX_DESCRIPTION
                    + " characters");
        }
    }

    /** {@code snapshots/<id>}, relative to the store's prefix. */
    public static String objectKey(String id) {
        checkId(id);
        return PREFIX + id;
    }

    public byte[] encode() {
        return (FIRST_LINE + "\nid=" + id + "\nvolume=" + volumeId + "\nroot=" + root.hex() + "\ngeneration="
                + generation + "\nsize=" + sizeBytes + "\ncreated=" + created.toEpochMilli() + "\ndescription="
                + URLEncoder.encode(description, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a snapshot object; {@link IllegalArgumentException} naming {@code key} when it is not one. */
    public static Snapshot decode(byte[] data, String key) {
        String[] lines = new String(data, StandardCharsets.US_ASCII).split("\n");
        if (lines.length == 0 || !lines[0].equals(FIRST_LINE)) {
            throw new IllegalArgumentException("object " + key + " is not a version-1 snapshot record");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : List.of(lines).subList(1, lines.length)) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("object " + key + " has a malformed line: " + line);
            }
            fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
        try {
            Snapshot s = new Snapshot(req(fields, "id", key), req(fields, "volume", key),
                    ChunkId.parse(req(fields, "root", key)), Long.parseLong(req(fields, "generation", key)),
                    Long.parseLong(req(fields, "size", key)),
                    Instant.ofEpochMilli(Long.parseLong(req(fields, "created", key))),
                    URLDecoder.decode(req(fields, "description", key), StandardCharsets.UTF_8));
            if (!objectKey(s.id()).equals(key)) {
                throw new IllegalArgumentException("it names snapshot " + s.id());
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("object " + key + " is not a valid snapshot record: " + e.getMessage(),
                    e);
        }
    }

    private static String req(Map<String, String> fields, String name, String key) {
        String v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException("object " + key + " lacks the field " + name);
        }
        return v;
    }
}
