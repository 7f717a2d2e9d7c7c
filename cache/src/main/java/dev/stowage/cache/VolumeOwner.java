package dev.stowage.cache;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Who writes a volume: the owner record {@code volumes/<volume id>/owner} in the bucket. Format
 * version 1 is ASCII text, one field per line:
 * <pre>
 * stowage-volume-owner 1
 * gateway=&lt;gateway id: 16 lower-case hex digits&gt;
 * host=&lt;host name, URL-encoded&gt;
 * time=&lt;milliseconds since the Unix epoch of the last refresh&gt;
 * state=&lt;active or released&gt;
 * </pre>
 *
 * @param gatewayId the owning gateway ({@link GatewayIdentity})
 * @param host      host name of the owning gateway, for the operator
 * @param time      when the owner last refreshed the record
 * @param released  true when the owner closed the volume cleanly (anyone may claim it)
 */
record VolumeOwner(String gatewayId, String host, Instant time, boolean released) {
    private static final String FIRST_LINE = "stowage-volume-owner 1";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    VolumeOwner {
        if (gatewayId == null || !ID.matcher(gatewayId).matches()) {
            throw new IllegalArgumentException("gateway id must be 16 lower-case hex digits, got '" + gatewayId + "'");
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("owner host is empty");
        }
        time = Instant.ofEpochMilli(time.toEpochMilli());
    }

    /** {@code volumes/<volume id>/owner}, relative to the store's prefix. */
    static String objectKey(String volumeId) {
        VolumeHead.checkVolumeId(volumeId);
        return "volumes/" + volumeId + "/owner";
    }

    byte[] encode() {
        return (FIRST_LINE + "\ngateway=" + gatewayId + "\nhost=" + java.net.URLEncoder.encode(host,
                StandardCharsets.UTF_8) + "\ntime=" + time.toEpochMilli() + "\nstate=" + (released ? "released" : "active") + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses an owner record; {@link IllegalArgumentException} naming {@code key} when it is not one. */
    static VolumeOwner decode(byte[] data, String key) {
        String[] lines = new String(data, StandardCharsets.US_ASCII).split("\n");
        if (lines.length != 5 || !lines[0].equals(FIRST_LINE) || !lines[1].startsWith("gateway=")
                || !lines[2].startsWith("host=") || !lines[3].startsWith("time=")
                || !(lines[4].equals("state=active") || lines[4].equals("state=released"))) {
            throw new IllegalArgumentException("object " + key + " is not a version-1 volume owner record");
        }
        try {
            return new VolumeOwner(lines[1].substring(8), java.net.URLDecoder.decode(lines[2].substring(5),
                    StandardCharsets.UTF_8), Instant.ofEpochMilli(Long.parseLong(lines[3].substring(5))), lines[4].equals("state=released"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("object " + key + " is not a valid owner record: " + e.getMessage(), e);
        }
    }

    /** One line for messages: gateway, host and the record's age. */
    String describe(Instant now) {
        long ageSeconds = Math.max(0, (now.toEpochMilli() - time.toEpochMilli()) / 1000);
        return "gateway " + gatewayId + " on " + host + " (last seen " + ageSeconds + " s ago)";
    }
}
