package dev.stowage.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where local state lives when {@code data_dir} is not configured: {@code $STOWAGE_DATA_DIR}, else
 * {@code ~/.local/share/stowage}, else (home missing or not writable) {@code ./stowage-data}.
 * Stateless.
 */
public final class DataDirs {

    private DataDirs() {
    }

    /** The default data directory for this environment (not created). */
    public static Path defaultDir(Map<String, String> env, String userHome) {
        String explicit = env.get(ConfigKeys.envName("data_dir"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        if (userHome != null && !userHome.isBlank()) {
            Path share = Path.of(userHome, ".local", "share");
            if (writable(share)) {
                return share.resolve("stowage");
            }
        }
        return Path.of("stowage-data").toAbsolutePath();
    }

    /** True when {@code dir} exists and is writable, or can be created. */
    private static boolean writable(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null || !Files.isDirectory(p) || !Files.isWritable(p)) {
            return false;
        }
        if (p.equals(dir)) {
            return true;
        }
        try {
            Files.createDirectories(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
