package dev.stowage.server.config;

import dev.stowage.server.logging.Redactor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the {@code iscsi} section and builds {@link IscsiSettings}. Looks at the file system for
 * file LUNs (an existing file's size must match {@code size}), but changes nothing. The first
 * problem stops validation with a {@link ConfigException} naming the dotted key
 * ({@code iscsi.targets[0].luns[1].size}) and the fix; CHAP secrets are registered with the
 * {@link Redactor} and never quoted. Not thread-safe (one instance per load).
 */
final class IscsiValidator {

    static final String DEFAULT_LISTEN = "127.0.0.1:3260";
    /** RFC 7143 section 12.1.3: at least 96 bits; 16 bytes is the upper end AWS and the Windows initiator accept. */
    static final int MIN_SECRET = 12;
    static final int MAX_SECRET = 16;
    static final String SECRET_RANGE = "use 12 to 16 bytes (RFC 7143 asks for at least 96 bits of random secret; "
            + "12-16 is also the range AWS Storage Gateway and the Windows initiator accept)";

    private static final String NAME_FIX = "write iqn.YYYY-MM.reversed.domain:name in lower case, "
            + "e.g. iqn.2026-11.com.example:disk1 (or eui. plus 16 hex digits)";
    private static final Pattern IQN = Pattern.compile(
            "iqn\\.\\d{4}-(0[1-9]|1[0-2])\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[a-z0-9.:-]+)?");
    private static final Pattern EUI_NAA = Pattern.compile("eui\\.[0-9a-f]{16}|naa\\.([0-9a-f]{16}|[0-9a-f]{32})");
    private static final int MAX_NAME = 223;
    private static final int MAX_LUN = 16383;

    private final ConfigValidator v;
    private final Path dataDir;
    private final CacheConfig cache;
    private final Map<String, String> volumes = new HashMap<>();

    /** @param cache the checked {@code cache} section, or null (then no LUN may be {@code type: cached}) */
    IscsiValidator(ConfigValidator v, Path dataDir, CacheConfig cache) {
        this.v = v;
        this.dataDir = dataDir;
        this.cache = cache;
    }

    /** Null when the section is absent. */
    IscsiSettings validate(RawConfig.Iscsi raw, List<String> warnings) {
        if (raw == null) {
            return null;
        }
        registerSecrets(raw.discoveryChap());
        if (raw.targets() != null) {
            raw.targets().forEach(t -> registerSecrets(t == null ? null : t.chap()));
        }
        InetSocketAddress listen = v.listen("iscsi.listen", raw.listen() == null ? DEFAULT_LISTEN : raw.listen(),
                DEFAULT_LISTEN);
        IscsiSettings.Chap discovery = chap("iscsi.discovery_chap", raw.discoveryChap());
        if (raw.targets() == null || raw.targets().isEmpty()) {
            boolean fromEnv = !v.key("iscsi.listen").equals("iscsi.listen")
                    || !v.key("iscsi.discovery_chap.user").equals("iscsi.discovery_chap.user");
            throw v.error("iscsi.targets", "no target is configured",
                    "add at least one target with an iqn and a LUN (see docs/configuration.md), or remove the iscsi section"
                            + (fromEnv ? " (STOWAGE_ISCSI_* variables set only the portal, not targets)" : ""));
        }
        List<IscsiSettings.Target> targets = new ArrayList<>();
        Map<String, String> iqns = new HashMap<>();
        Map<Path, String> files = new HashMap<>();
        for (int i = 0; i < raw.targets().size(); i++) {
            String k = "iscsi.targets[" + i + "]";
            RawConfig.Target t = raw.targets().get(i);
            if (t == null) {
                throw v.error(k, "is empty", "write the target's iqn and luns");
            }
            String iqn = name(k + ".iqn", t.iqn());
            String earlier = iqns.putIfAbsent(iqn, k);
            if (earlier != null) {
                throw v.error(k + ".iqn", "'" + iqn + "' is already used by " + earlier, "give each target its own IQN");
            }
            String alias = t.alias() == null || t.alias().isBlank() ? null : t.alias().strip();
            if (alias != null && (alias.length() > 255 || !alias.chars().allMatch(c -> c >= 0x20 && c != 0x7f))) {
                throw v.error(k + ".alias", "is too long or has control characters", "use up to 255 printable characters");
            }
            IscsiSettings.Chap chap = chap(k + ".chap", t.chap());
            List<String> allowed = new ArrayList<>();
            if (t.allowedInitiators() != null) {
                for (int j = 0; j < t.allowedInitiators().size(); j++) {
                    allowed.add(name(k + ".allowed_initiators[" + j + "]", t.allowedInitiators().get(j)));
                }
            }
            if (chap == null && !listen.getAddress().isLoopbackAddress()) {
                warnings.add("iSCSI target " + iqn + " has no CHAP and the portal listens on " + listen.getHostString()
                        + (allowed.isEmpty() ? "; every initiator that reaches it can log in" : "; only its allowed_initiators list protects it"));
            }
            targets.add(new IscsiSettings.Target(iqn, alias, chap, allowed, luns(k, t.luns(), files)));
        }
        return new IscsiSettings(listen, discovery, targets);
    }

    private static void registerSecrets(RawConfig.Chap c) {
        if (c != null) {
            Redactor.register(c.secret());
            Redactor.register(c.mutualSecret());
        }
    }

    private String name(String k, String text) {
        if (text == null || text.isBlank()) {
            throw v.error(k, "is missing", NAME_FIX);
        }
        String name = text.strip();
        if (!name.equals(name.toLowerCase(Locale.ROOT)) && name.startsWith("iqn.")) {
            throw v.error(k, "'" + name + "' has upper-case letters; iSCSI names are compared in lower case",
                    "write it as '" + name.toLowerCase(Locale.ROOT) + "'");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.length() > MAX_NAME || !(IQN.matcher(name).matches() || EUI_NAA.matcher(lower).matches())) {
            throw v.error(k, "'" + name + "' is not a valid iSCSI name", NAME_FIX);
        }
        return name.startsWith("iqn.") ? name : lower;
    }

    private IscsiSettings.Chap chap(String k, RawConfig.Chap c) {
        if (c == null) {
            return null;
        }
        if (c.user() == null || c.user().isBlank()) {
            throw v.error(k + ".user", "is missing", "write the CHAP user name the initiator logs in with");
        }
        String secret = secret(k + ".secret", c.secret());
        boolean mu = c.mutualUser() != null && !c.mutualUser().isBlank();
        boolean ms = c.mutualSecret() != null && !c.mutualSecret().isEmpty();
        if (mu != ms) {
            throw v.error(k + (mu ? ".mutual_secret" : ".mutual_user"), "is missing",
                    "mutual CHAP needs both mutual_user and mutual_secret; give both, or neither for one-way CHAP");
        }
        if (!mu) {
            return new IscsiSettings.Chap(c.user().strip(), secret, null, null);
        }
        String mutualSecret = secret(k + ".mutual_secret", c.mutualSecret());
        if (mutualSecret.equals(secret)) {
            throw v.error(k + ".mutual_secret", "is the same as " + k + ".secret",
                    "use a different secret for each direction (RFC 7143 forbids reusing it)");
        }
        return new IscsiSettings.Chap(c.user().strip(), secret, c.mutualUser().strip(), mutualSecret);
    }

    private String secret(String k, String secret) {
        if (secret == null || secret.isEmpty()) {
            throw v.error(k, "is missing", "write a secret of 12 to 16 bytes (or set it with the environment variable, where there is one)");
        }
        int n = secret.getBytes(StandardCharsets.UTF_8).length;
        if (n < MIN_SECRET || n > MAX_SECRET) {
            throw v.error(k, "the secret is " + n + " bytes long", SECRET_RANGE);
        }
        return secret;
    }

    private List<IscsiSettings.Lun> luns(String k, List<RawConfig.Lun> raw, Map<Path, String> files) {
        if (raw == null || raw.isEmpty()) {
            throw v.error(k + ".luns", "the target has no LUN", "add one, e.g. luns: [{lun: 0, type: file, path: disk1.img, size: 10GiB}]");
        }
        List<IscsiSettings.Lun> out = new ArrayList<>();
        Map<Integer, String> numbers = new HashMap<>();
        for (int j = 0; j < raw.size(); j++) {
            String lk = k + ".luns[" + j + "]";
            RawConfig.Lun l = raw.get(j);
            if (l == null) {
                throw v.error(lk, "is empty", "write at least lun, type and size");
            }
            int lun = l.lun() == null ? j : l.lun();
            if (lun < 0 || lun > MAX_LUN) {
                throw v.error(lk + ".lun", lun + " is out of range", "use a LUN number from 0 to " + MAX_LUN);
            }
            String earlier = numbers.putIfAbsent(lun, lk);
            if (earlier != null) {
                throw v.error(lk + ".lun", "LUN " + lun + " is already defined by " + earlier, "give each LUN of a target its own number");
            }
            String typeText = l.type() == null ? "file" : l.type().strip().toLowerCase(Locale.ROOT);
            IscsiSettings.LunType type = switch (typeText) {
                case "file" -> IscsiSettings.LunType.FILE;
                case "memory" -> IscsiSettings.LunType.MEMORY;
                case "cached" -> IscsiSettings.LunType.CACHED;
                case "stored" -> IscsiSettings.LunType.STORED;
                default -> throw v.error(lk + ".type", "'" + l.type() + "' is not a LUN type",
                        "write file, memory, cached or stored");
            };
            int blockSize = l.blockSize() == null ? 512 : l.blockSize();
            if (blockSize != 512 && blockSize != 4096) {
                throw v.error(lk + ".block_size", blockSize + " is not a supported block size", "write 512 or 4096");
            }
            boolean readOnly = l.readOnly() != null && l.readOnly();
            Long size = l.size() == null || l.size().isBlank() ? null : Values.size(v.key(lk + ".size"), l.size());
            if (size != null && (size < blockSize || size % blockSize != 0)) {
                throw v.error(lk + ".size", "'" + l.size() + "' is not a positive whole number of " + blockSize + "-byte blocks",
                        "use a multiple of the block size, e.g. 10GiB");
            }
            boolean volumeType = type == IscsiSettings.LunType.CACHED || type == IscsiSettings.LunType.STORED;
            if (!volumeType && l.volume() != null) {
                throw v.error(lk + ".volume", "is only used with type: cached or stored", "remove it, or change the type");
            }
            if (type != IscsiSettings.LunType.STORED && l.preserveExistingData() != null) {
                throw v.error(lk + ".preserve_existing_data", "is only used with type: stored",
                        "remove it, or write type: stored");
            }
            if (!volumeType && l.snapshotSchedule() != null) {
                throw v.error(lk + ".snapshot_schedule", "is only used with volumes (type: cached or stored)",
                        "remove it: a " + typeText + " LUN has no snapshots");
            }
            if (type == IscsiSettings.LunType.STORED) {
                out.add(new StoredLunValidator(v, dataDir, cache).lun(lk, lun, l, size, blockSize, readOnly, files,
                        volumes));
                continue;
            }
            if (type == IscsiSettings.LunType.CACHED) {
                out.add(cachedLun(lk, lun, l, size, blockSize, readOnly));
                continue;
            }
            if (type == IscsiSettings.LunType.MEMORY) {
                if (l.path() != null) {
                    throw v.error(lk + ".path", "is only used with type: file", "remove it, or write type: file");
                }
                if (size == null) {
                    throw v.error(lk + ".size", "is missing for type: memory", "write the disk size, e.g. size: 1GiB");
                }
                out.add(new IscsiSettings.Lun(lun, type, null, size, blockSize, readOnly, false));
                continue;
            }
            out.add(fileLun(lk, lun, l, size, blockSize, readOnly, files));
        }
        return out;
    }

    private IscsiSettings.Lun cachedLun(String lk, int lun, RawConfig.Lun l, Long size, int blockSize, boolean readOnly) {
        if (cache == null) {
            throw v.error(lk + ".type", "type: cached needs a cache section",
                    "add one, e.g. cache: {size: 4GiB} (see docs/configuration.md)");
        }
        if (readOnly) {
            throw v.error(lk + ".read_only", "is not supported for type: cached", "remove read_only");
        }
        if (l.path() != null) {
            throw v.error(lk + ".path", "is not used with type: cached (the data is in the bucket)",
                    "remove it, and name the volume with volume: <id>");
        }
        String id = volumeId(v, lk, l, "cached", "write the volume's id, e.g. volume: vol1", volumes);
        if (size == null) {
            throw v.error(lk + ".size", "is missing for type: cached",
                    "write the volume size, e.g. size: 100GiB (it is created in the bucket at first start)");
        }
        return new IscsiSettings.Lun(lun, IscsiSettings.LunType.CACHED, null, size, blockSize, readOnly, false, id,
                false, SnapshotScheduleValidator.validate(v, lk + ".snapshot_schedule", l.snapshotSchedule(), id));
    }

    /**
     * The LUN's {@code volume} id, checked and claimed in {@code volumes} (id -> LUN key), for the
     * volume types; one-line errors name the key and the fix ({@code missingHint} when it is absent).
     */
    static String volumeId(ConfigValidator v, String lk, RawConfig.Lun l, String type, String missingHint,
                           Map<String, String> volumes) {
        if (l.volume() == null || l.volume().isBlank()) {
            throw v.error(lk + ".volume", "is missing for type: " + type, missingHint);
        }
        String id = l.volume().strip();
        try {
            dev.stowage.cache.VolumeHead.checkVolumeId(id);
        } catch (IllegalArgumentException e) {
            throw v.error(lk + ".volume", "'" + id + "' is not a volume id",
                    "use 1-128 letters, digits, '-', '.', '_', starting with a letter or digit");
        }
        String earlier = volumes.putIfAbsent(id, lk);
        if (earlier != null) {
            throw v.error(lk + ".volume", "volume " + id + " is already exported by " + earlier, "give each LUN its own volume");
        }
        return id;
    }

    private IscsiSettings.Lun fileLun(String lk, int lun, RawConfig.Lun l, Long size, int blockSize, boolean readOnly,
                                      Map<Path, String> files) {
        if (l.path() == null || l.path().isBlank()) {
            throw v.error(lk + ".path", "is missing for type: file",
                    "write the disk image's path, e.g. path: /var/lib/stowage/disk1.img (created sparse when missing; "
                            + "a relative path is inside data_dir)");
        }
        Path path = ConfigValidator.path(l.path().strip(), dataDir).normalize();
        String earlier = files.putIfAbsent(path, lk);
        if (earlier != null) {
            throw v.error(lk + ".path", path + " is already used by " + earlier, "give each LUN its own file");
        }
        if (Files.isDirectory(path)) {
            throw v.error(lk + ".path", path + " is a directory", "name a file (it is created when missing)");
        }
        if (!Files.exists(path)) {
            if (size == null) {
                throw v.error(lk + ".size", "is missing, and " + path + " does not exist yet",
                        "write the size to create it with, e.g. size: 10GiB");
            }
            if (readOnly) {
                throw v.error(lk + ".path", path + " does not exist, and a read-only LUN cannot create it",
                        "point at an existing disk image, or set read_only: false");
            }
            return new IscsiSettings.Lun(lun, IscsiSettings.LunType.FILE, path, size, blockSize, false, true);
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
        if (!Files.isReadable(path) || !readOnly && !Files.isWritable(path)) {
            throw v.error(lk + ".path", path + " is not " + (readOnly ? "readable" : "readable and writable") + " by this user",
                    "fix its owner or mode" + (readOnly ? "" : ", or set read_only: true"));
        }
        if (size != null && size != actual) {
            throw v.error(lk + ".size", "'" + l.size() + "' (" + size + " bytes) does not match the existing file " + path
                    + ", which is " + (actual < size ? "smaller" : "larger") + " (" + actual + " bytes)",
                    "remove size to use the file as it is, or resize the file first (Stowage never grows or cuts an existing disk)");
        }
        if (actual == 0 || actual % blockSize != 0) {
            throw v.error(lk + ".path", path + " is " + actual + " bytes, not a positive whole number of "
                    + blockSize + "-byte blocks", "resize it to a multiple of the block size (truncate -s), or change block_size");
        }
        return new IscsiSettings.Lun(lun, IscsiSettings.LunType.FILE, path, actual, blockSize, readOnly, false);
    }
}
