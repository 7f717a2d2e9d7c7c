package dev.stowage.cache;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The identity a gateway writes into owner records: a random id kept in the cache directory
 * (file {@code gateway-id}, one line of 16 lower-case hex digits, made at the first open) and the
 * host name. A restart with the same cache directory is the same gateway; a copy of the directory
 * (a restored VM image) is too, which the conditional head writes catch instead.
 *
 * @param id   16 lower-case hex digits
 * @param host host name (or "unknown-host")
 */
record GatewayIdentity(String id, String host) {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    /** Reads {@code dir/gateway-id}, creating it when absent. */
    static GatewayIdentity load(Path dir) throws IOException {
        Path file = dir.resolve("gateway-id");
        String id;
        if (Files.exists(file)) {
            id = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!ID.matcher(id).matches()) {
                throw new IOException("cache file " + file + " does not hold a gateway id (16 lower-case hex digits); "
                        + "delete it to make a new one");
            }
        } else {
            id = HexFormat.of().toHexDigits(new SecureRandom().nextLong());
            Path tmp = dir.resolve("gateway-id.tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown-host";
            }
        }
        return new GatewayIdentity(id, host == null || host.isEmpty() ? "unknown-host" : host);
    }
}
