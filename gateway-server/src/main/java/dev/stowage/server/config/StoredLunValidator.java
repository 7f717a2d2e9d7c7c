package dev.stowage.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks one {@code type: stored} LUN (a stored volume: data in a local file, snapshots in the
 * bucket). Needs the {@code cache} section, whose chunk size, chunk-id key and encryption the
 * snapshots share (so a cached volume can be made from a stored volume's snapshot and back).
 * An optional {@code snapshot_schedule} is checked as for cached volumes ({@link SnapshotScheduleValidator}).
 * Looks at the file system (an existing file's size, whether the volume is known under
 * {@code <data_dir>/stored/<volume>}) but changes nothing. Errors are {@link ConfigException}s
 * naming the dotted key and the fix. Not thread-safe (used by one {@link IscsiValidator}).
 */
final class StoredLunValidator {

    /** Where stored volumes keep their change tracking, relative to {@code data_dir}. */
    static final String STATE_DIR = "stored";

    private final ConfigValidator v;
    private final Path dataDir;
    private final CacheConfig cache;

    StoredLunValidator(ConfigValidator v, Path dataDir, CacheConfig cache) {
        this.v = v;
        this.dataDir = dataDir;
        this.cache = cache;
    }

    IscsiSettings.Lun lun(String lk, int lun, RawConfig.Lun l, Long size, int blockSize, boolean readOnly,
                          Map<Path, String> files, Map<String, String> volumes) {
        if (cache == null) {
            throw v.error(lk + ".type", "type: stored needs a cache section (snapshots use its chunk size and keys)",
                    "add one, e.g. cache: {size: 1GiB} (see docs/configuration.md)");
        }
        if (readOnly) {
            throw v.error(lk + ".read_only", "is not supported for type: stored", "remove read_only");
        }
        String id = IscsiValidator.volumeId(v, lk, l, "stored",
                "write the volume's id, e.g. volume: vol1 (it names its snapshots in the bucket)", volumes);
        if (l.path() == null || l.path().isBlank()) {
            throw v.error(lk + ".path", "is missing for type: stored",
                    "write the path of the volume's data file, e.g. path: /var/lib/stowage/vol1.img (created sparse "
                            + "when missing; a relative path is inside data_dir)");
        }
        Path path = ConfigValidator.path(l.path().strip(), dataDir).normalize();
        String used = files.putIfAbsent(path, lk);
        if (used != null) {
            throw v.error(lk + ".path", path + " is already used by " + used, "give each LUN its own file");
        }
        boolean preserve = l.preserveExistingData() != null && l.preserveExistingData();
        SnapshotScheduleConfig schedule = SnapshotScheduleValidator.validate(v, lk + ".snapshot_schedule",
                l.snapshotSchedule(), id);
        if (!Files.exists(path)) {
            if (size == null) {
                throw v.error(lk + ".size", "is missing, and " + path + " does not exist yet",
                        "write the size to create it with, e.g. size: 10GiB");
            }
            return new IscsiSettings.Lun(lun, IscsiSettings.LunType.STORED, path, size, blockSize, false, true, id,
                    preserve, schedule);
        }
        if (!Files.isRegularFile(path)) {
            throw v.error(lk + ".path", path + " is not a regular file", "name a disk image file");
        }
        long actual;
        try {
            actual = Files.size(path);
        } catch (IOException e) {
            throw v.error(lk + ".path", "cannot read the size of " + path + " (" + e.getClass().getSimpleName() + ")",
                    "check that this user may read it");
        }
        if (!Files.isReadable(path) || !Files.isWritable(path)) {
            throw v.error(lk + ".path", path + " is not readable and writable by this user", "fix its owner or mode");
        }
        if (size != null && size != actual) {
            throw v.error(lk + ".size", "'" + l.size() + "' (" + size + " bytes) does not match the existing file "
                    + path + ", which is " + actual + " bytes",
                    "remove size to use the file as it is, or resize the file first (Stowage never grows or cuts a volume)");
        }
        if (actual == 0 || actual % blockSize != 0) {
            throw v.error(lk + ".path", path + " is " + actual + " bytes, not a positive whole number of "
                    + blockSize + "-byte blocks", "resize it to a multiple of the block size, or change block_size");
        }
        boolean known = Files.exists(dataDir.resolve(STATE_DIR).resolve(id).resolve("dirty.map"));
        if (!known && !preserve) {
            throw v.error(lk + ".preserve_existing_data", path + " already exists and is not stored volume " + id
                    + " yet", "set preserve_existing_data: true to keep its data (the first snapshot uploads all of "
                    + "it), or remove the file to start from zeros");
        }
        return new IscsiSettings.Lun(lun, IscsiSettings.LunType.STORED, path, actual, blockSize, false, false, id,
                preserve, schedule);
    }
}
