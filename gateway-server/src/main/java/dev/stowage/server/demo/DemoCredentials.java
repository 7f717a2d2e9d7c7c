package dev.stowage.server.demo;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;
import java.util.Set;

/**
 * The access key pair of the demo store: generated with {@link SecureRandom} at first start,
 * kept in {@code <data_dir>/demo-s3/credentials} with mode 0600, and read back on later starts.
 *
 * @param accessKeyId     20 characters, starting with STOWAGE
 * @param secretAccessKey 40 random characters
 * @param file            where the pair is stored
 * @param generated       true when this start created the pair (the banner shows the secret only then)
 */
public record DemoCredentials(String accessKeyId, String secretAccessKey, Path file, boolean generated) {

    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    @Override
    public String toString() {
        return "DemoCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****, file=" + file
                + ", generated=" + generated + "]";
    }

    /** Reads the stored pair, or generates and stores a new one. Not safe against two processes at once: hold the data-dir lock. */
    public static DemoCredentials loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            String id = p.getProperty("access_key_id");
            String secret = p.getProperty("secret_access_key");
            if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
                throw new IOException("the demo credentials file " + file
                        + " is damaged; delete it to generate new credentials (the demo data stays)");
            }
            if (posix() && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            return new DemoCredentials(id.strip(), secret.strip(), file, false);
        }
        SecureRandom random = new SecureRandom();
        String id = "STOWAGE" + randomString(random, UPPER, 13);
        String secret = randomString(random, SECRET_CHARS, 40);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (posix()) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createFile(tmp);
        }
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("# Credentials of the Stowage demo S3 store. Keep this file private.\n");
            w.write("access_key_id=" + id + "\n");
            w.write("secret_access_key=" + secret + "\n");
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return new DemoCredentials(id, secret, file, true);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static String randomString(SecureRandom random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
