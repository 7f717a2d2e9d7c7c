package dev.stowage.server.config;

import dev.stowage.server.logging.Redactor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The checked {@code iscsi} section: one portal, its targets, their LUNs and CHAP secrets.
 * Immutable; every {@code toString()} masks CHAP secrets. Built by {@link IscsiValidator}.
 *
 * @param listen        address of the portal (port 0: any free port)
 * @param discoveryChap CHAP required for discovery (SendTargets) sessions, or null
 * @param targets       at least one target, IQNs unique
 */
public record IscsiSettings(InetSocketAddress listen, Chap discoveryChap, List<Target> targets) {

    public IscsiSettings {
        Objects.requireNonNull(listen, "listen");
        targets = List.copyOf(targets);
    }

    /**
     * One target.
     *
     * @param iqn               lower-case iSCSI name
     * @param alias             TargetAlias, or null
     * @param chap              CHAP initiators must pass, or null for none
     * @param allowedInitiators initiator names allowed to log in; empty allows every initiator
     * @param luns              at least one LUN, numbers unique
     */
    public record Target(String iqn, String alias, Chap chap, List<String> allowedInitiators, List<Lun> luns) {
        public Target {
            Objects.requireNonNull(iqn, "iqn");
            allowedInitiators = List.copyOf(allowedInitiators);
            luns = List.copyOf(luns);
        }
    }

    /** Where a LUN keeps its blocks. */
    public enum LunType {
        /** A local file, created sparse when missing; survives restarts. */
        FILE,
        /** Memory only: empty at every start (tests, trials). */
        MEMORY,
        /** A cached volume: data in the bucket, hot chunks and unsent writes in the {@code cache} directory. */
        CACHED,
        /** A stored volume: data in a local file, point-in-time snapshots into the bucket. */
        STORED
    }

    /**
     * One disk LUN.
     *
     * @param lun       LUN number (0..16383)
     * @param type      backing kind
     * @param path      absolute path of the backing file ({@link LunType#FILE}, {@link LunType#STORED}), else null
     * @param sizeBytes size in bytes, a whole number of blocks
     * @param blockSize 512 or 4096
     * @param readOnly  writes refused (WRITE PROTECTED)
     * @param create    true when the file does not exist yet and is created sparse at start
     * @param volume    the volume's id ({@link LunType#CACHED}, {@link LunType#STORED}), else null
     * @param preserveExistingData stored volumes: an existing file's data is kept (and uploaded by the
     *                  first snapshot) rather than refused
     * @param snapshotSchedule when the volume's scheduled snapshots are taken, or null for none
     */
    public record Lun(int lun, LunType type, Path path, long sizeBytes, int blockSize, boolean readOnly,
                      boolean create, String volume, boolean preserveExistingData,
                      SnapshotScheduleConfig snapshotSchedule) {
        public Lun {
            Objects.requireNonNull(type, "type");
        }

        public Lun(int lun, LunType type, Path path, long sizeBytes, int blockSize, boolean readOnly, boolean create,
                   String volume, boolean preserveExistingData) {
            this(lun, type, path, sizeBytes, blockSize, readOnly, create, volume, preserveExistingData, null);
        }

        public Lun(int lun, LunType type, Path path, long sizeBytes, int blockSize, boolean readOnly, boolean create,
                   String volume) {
            this(lun, type, path, sizeBytes, blockSize, readOnly, create, volume, false);
        }

        public Lun(int lun, LunType type, Path path, long sizeBytes, int blockSize, boolean readOnly, boolean create) {
            this(lun, type, path, sizeBytes, blockSize, readOnly, create, null);
        }

        /** Number of logical blocks. */
        public long blocks() {
            return sizeBytes / blockSize;
        }
    }

    /**
     * CHAP secrets of a target or of discovery. {@code toString()} never shows a secret.
     *
     * @param mutualUser   null unless the target must also prove itself (mutual CHAP)
     * @param mutualSecret null unless mutual CHAP
     */
    public record Chap(String user, String secret, String mutualUser, String mutualSecret) {
        public Chap {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(secret, "secret");
        }

        public boolean mutual() {
            return mutualSecret != null;
        }

        @Override
        public String toString() {
            return "Chap[user=" + user + ", secret=" + Redactor.MASK
                    + (mutualUser == null ? "" : ", mutualUser=" + mutualUser + ", mutualSecret=" + Redactor.MASK) + "]";
        }
    }
}
