package dev.stowage.cache;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An object store in a local directory (one file per key), shared by processes: what the crash
 * test's child writes, the parent reads. Puts are atomic (temporary file + rename), like S3's.
 * Only what the cache uses: put, get, head, list, delete, copy; no multipart, no archive.
 */
public final class DirectoryObjectStore implements ObjectStore {
    private final Path root;

    public DirectoryObjectStore(Path root) {
        this.root = root;
    }

    private Path file(String key) {
        if (key.isEmpty() || key.contains("..") || key.startsWith("/") || key.contains(".tmp-")) {
            throw new IllegalArgumentException("bad key " + key);
        }
        return root.resolve(key);
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        Path f = file(key);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp-" + UUID.randomUUID());
            Files.write(tmp, data);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new PutResult(key, Integer.toHexString(Arrays.hashCode(data)), data.length);
        } catch (IOException e) {
            throw new UnavailableException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public PutResult putLarge(String key, Path source, PutOptions options) {
        try {
            return put(key, Files.readAllBytes(source), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        try {
            byte[] all = Files.readAllBytes(file(key));
            if (range.isAll()) {
                return all;
            }
            int from = (int) Math.min(range.offset(), all.length);
            int to = range.length() < 0 ? all.length : (int) Math.min(all.length, range.offset() + range.length());
            return Arrays.copyOfRange(all, from, to);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no object " + key);
        } catch (IOException e) {
            throw new UnavailableException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ObjectInfo head(String key) {
        Path f = file(key);
        try {
            return new ObjectInfo(key, Files.size(f), "", Files.getLastModifiedTime(f).toInstant(),
                    StorageClass.STANDARD, ArchiveState.ONLINE, new HashMap<>());
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no object " + key);
        } catch (IOException e) {
            throw new UnavailableException("cannot stat " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        List<String> keys = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .filter(k -> k.startsWith(prefix) && !k.contains(".tmp-"))
                        .filter(k -> continuation == null || k.compareTo(continuation) > 0).sorted()
                        .forEach(keys::add);
            } catch (IOException e) {
                throw new UnavailableException("cannot list " + root + ": " + e.getMessage(), e);
            }
        }
        List<ObjectInfo> page = new ArrayList<>();
        for (String k : keys) {
            if (page.size() == maxKeys) {
                return new ListPage(page, page.getLast().key());
            }
            page.add(head(k));
        }
        return new ListPage(page, null);
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        int n = 0;
        for (String k : keys) {
            try {
                if (Files.deleteIfExists(file(k))) {
                    n++;
                }
            } catch (IOException e) {
                throw new UnavailableException("cannot delete " + k, e);
            }
        }
        return new DeleteResult(n, java.util.Map.of());
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return put(targetKey, get(sourceKey), options);
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        throw new UnsupportedOperationException("a directory store has no archive tier");
    }

    @Override
    public String describe() {
        return "directory " + root;
    }

    @Override
    public void close() {
    }
}
