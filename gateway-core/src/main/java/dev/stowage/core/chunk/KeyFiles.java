package dev.stowage.core.chunk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading of secret key files (text, one entry a line, {@code #} comments). Error messages name
 * the file and line but never echo key material. Stateless and thread-safe.
 */
final class KeyFiles {

    /** Length of every secret key in bytes (HMAC-SHA-256 and AES-256 keys). */
    static final int KEY_BYTES = 32;

    private static final Logger LOG = LoggerFactory.getLogger(KeyFiles.class);

    private KeyFiles() {
    }

    /** A meaningful line of a key file: its 1-based number and its trimmed text. */
    record Line(int number, String text) {
    }

    /** The non-blank, non-comment lines of {@code file}, trimmed. */
    static List<Line> read(Path file) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        warnIfOthersCanRead(file);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String t = raw.get(i).strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                lines.add(new Line(i + 1, t));
            }
        }
        return lines;
    }

    /** Decodes 64 hex digits into a 32-byte key; the message says where the bad value is, not what it is. */
    static byte[] parseKey(String hex, Path file, int line) {
        if (hex.length() != 2 * KEY_BYTES) {
            throw new IllegalArgumentException("key file " + file + " line " + line + ": a key is " + 2 * KEY_BYTES
                    + " hex digits (" + KEY_BYTES + " random bytes, e.g. `openssl rand -hex 32`), found "
                    + hex.length() + " characters");
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file " + file + " line " + line
                    + ": a key may contain only hex digits 0-9a-f");
        }
    }

    /** 32 fresh random bytes from a {@link SecureRandom}. */
    static byte[] newKey() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /**
     * Writes {@code content} to a new file readable by its owner only (on POSIX file systems) and
     * forces it to disk. Fails when the file exists: a key file is never overwritten by accident.
     */
    static void createSecretFile(Path file, String content) {
        if (Files.exists(file)) {
            throw new IllegalStateException("key file " + file + " already exists; refusing to overwrite a secret");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".new");
        try {
            Files.deleteIfExists(tmp);
            writeOwnerOnly(tmp, content);
            try {
                Files.createLink(file, tmp); // atomic, and fails if the file appeared meanwhile
                Files.delete(tmp);
            } catch (UnsupportedOperationException | IOException linkFailed) {
                if (linkFailed instanceof FileAlreadyExistsException) {
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException("key file " + file
                            + " already exists; refusing to overwrite a secret");
                }
                Files.move(tmp, file); // no hard links here: a plain move, still refusing to replace
            }
            forceDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("key file " + file + " already exists; refusing to overwrite a secret", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Atomically replaces an existing key file with {@code content} (owner-only, forced to disk). */
    static void replaceSecretFile(Path file, String content) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".new");
        try {
            Files.deleteIfExists(tmp);
            writeOwnerOnly(tmp, content);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        FileAttribute<?>[] attrs = file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attrs)) {
            ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open directories; the file itself is already forced
        }
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("key file {} is readable by group or others; restrict it with chmod 600", file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
