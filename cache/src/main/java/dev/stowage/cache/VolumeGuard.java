package dev.stowage.cache;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two gateways (or a restored copy of one) from silently overwriting each other's volumes.
 *
 * <p><b>Conditional heads.</b> Every head write is conditional: {@code If-None-Match: *} for a
 * volume created here, else {@code If-Match} on the ETag of the head this gateway last read or
 * wrote. The ETags are kept in the cache directory (file {@code volume-heads}, replaced
 * atomically and forced after each change), so a restart continues the chain. When a condition
 * fails, the bucket's head is read: if it is the head this gateway was publishing (its own write
 * whose ETag was not saved before a crash), it is adopted; otherwise the volume is in
 * <em>conflict</em>: this gateway stops committing and publishing it, keeps every acknowledged
 * write in the cache (nothing becomes evictable), refuses new writes (WRITE_PROTECTED, so the
 * initiator sees a read-only disk instead of losing writes later), logs one ERROR line and
 * reports {@link VolumeHealth.Status#CONFLICT}. The conflict is kept across restarts until an
 * operator takes the volume over ({@link #claim} with take-over). (The cache pool does all this;
 * the guard itself only records the conflict and refuses to publish.)
 *
 * <p><b>Stored volumes</b> use a guard of their own ({@link #open}), kept in their state
 * directory: a conflict makes their snapshots fail, their writes go on into the local file.
 *
 * <p><b>Owner records.</b> Opening a volume claims {@code volumes/<id>/owner} (gateway id, host,
 * time) with a conditional write. A record of another gateway refreshed within
 * {@link #OWNER_LEASE} refuses the open ({@link VolumeInUseException}) unless take-over is asked
 * for; an older or released record is taken with a warning. The owner refreshes its records every
 * {@link #OWNER_REFRESH} and releases them at close; a refresh that finds the record taken by
 * another gateway puts the volume in conflict. When the bucket cannot be reached at open, the
 * open goes on ({@link VolumeHealth.Status#OWNER_UNCHECKED}) and the claim is retried at each
 * refresh.
 *
 * <p><b>Threading:</b> thread-safe; each volume's state is guarded by its own monitor, the file
 * by this object's. Bucket calls happen under the volume's monitor (one head write at a time).
 *
 * <p><b>Errors:</b> bucket failures other than a failed condition leave things to be retried
 * (logged); a conflict is never an exception for the uploader, only a state.
 */
public final class VolumeGuard {
    private static final Logger log = LoggerFactory.getLogger(VolumeGuard.class);
    /** How often an owner refreshes its records. */
    static final Duration OWNER_REFRESH = Duration.ofMinutes(1);
    /** A record not refreshed for this long belongs to a gateway that is gone. */
    static final Duration OWNER_LEASE = Duration.ofMinutes(5);
    private static final String FILE = "volume-heads";
    private static final String FIRST_LINE = "stowage-volume-heads 1";

    /** What this gateway knows about one volume's head and owner record. */
    private static final class State {
        String headEtag; // of the head last read or written; null: unknown
        boolean expectAbsent; // created here: no head may exist yet
        String conflict; // why the volume is in conflict; null when not
        String ownerEtag; // of our owner record; null: not claimed (yet)
        boolean ownerWanted; // opened here: the claim must hold
    }

    private final ObjectStore bucket;
    private final String effect;
    private final GatewayIdentity me;
    private final Path file;
    private final java.time.Clock clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> fileLines = new ConcurrentHashMap<>(); // what save() writes
    private final Object fileLock = new Object();
    private volatile Thread refresher;
    private volatile boolean closed;

    VolumeGuard(ObjectStore bucket, GatewayIdentity me, Path dir, java.time.Clock clock) throws IOException {
        this(bucket, me, dir, clock, "this gateway stopped publishing it, keeps its writes in the cache and makes the "
                + "volume read-only; stop the other gateway, then open the volume here with take-over to publish this "
                + "gateway's data (or discard this cache's copy)");
    }

    /** {@code effect}: the end of the ERROR line of a conflict, what this gateway does and what to do. */
    private VolumeGuard(ObjectStore bucket, GatewayIdentity me, Path dir, java.time.Clock clock, String effect)
            throws IOException {
        this.effect = effect;
        this.bucket = bucket;
        this.me = me;
        this.file = dir.resolve(FILE);
        this.clock = clock;
        load();
    }

    /**
     * A guard whose gateway id is kept in {@code dir/gateway-id} (made at the first call) and whose
     * head ETags are kept in {@code dir/volume-heads}; used by stored volumes, which keep these in
     * their state directory. {@code effect} ends the ERROR line logged at a conflict: what this
     * gateway does about the volume and what the operator should do. Call {@link #start} to refresh owner records, {@link #close} at the end.
     */
    public static VolumeGuard open(ObjectStore bucket, Path dir, java.time.Clock clock, String effect)
            throws IOException {
        Files.createDirectories(dir);
        return new VolumeGuard(bucket, GatewayIdentity.load(dir), dir, clock, effect);
    }

    GatewayIdentity identity() {
        return me;
    }

    private State state(String volumeId) {
        return states.computeIfAbsent(volumeId, k -> new State());
    }

    // ---- health -------------------------------------------------------------------------------

    public VolumeHealth health(String volumeId) {
        State st = state(volumeId);
        synchronized (st) {
            if (st.conflict != null) {
                return new VolumeHealth(VolumeHealth.Status.CONFLICT, st.conflict);
            }
            if (st.ownerWanted && st.ownerEtag == null) {
                return new VolumeHealth(VolumeHealth.Status.OWNER_UNCHECKED, "the owner record of volume " + volumeId
                        + " could not be checked yet (bucket unreachable); retried every " + OWNER_REFRESH.toSeconds()
                        + " s");
            }
            return VolumeHealth.OK;
        }
    }

    public boolean inConflict(String volumeId) {
        State st = states.get(volumeId);
        if (st == null) {
            return false;
        }
        synchronized (st) {
            return st.conflict != null;
        }
    }

    /** WRITE_PROTECTED when the volume is in conflict. */
    void checkWritable(String volumeId) throws DeviceException {
        State st = states.get(volumeId);
        if (st == null) {
            return;
        }
        String why;
        synchronized (st) {
            why = st.conflict;
        }
        if (why != null) {
            throw new DeviceException(DeviceError.WRITE_PROTECTED, "volume " + volumeId + " is read-only here: "
                    + why);
        }
    }

    // ---- heads --------------------------------------------------------------------------------

    /**
     * The volume was created here: its first head must not exist yet. What was kept about an
     * earlier volume of the same id (head ETag, conflict) is forgotten.
     */
    public void created(String volumeId) {
        State st = state(volumeId);
        synchronized (st) {
            st.expectAbsent = true;
            st.headEtag = null;
            st.conflict = null;
            save(volumeId, st);
        }
    }

    /** The volume was opened from the bucket's head with this ETag. */
    public void opened(String volumeId, String etag) {
        State st = state(volumeId);
        synchronized (st) {
            st.headEtag = etag;
            st.expectAbsent = false;
            save(volumeId, st);
        }
    }

    /**
     * Writes the volume's head conditionally; true when published. On a failed condition that is
     * not our own earlier write, puts the volume in conflict. Other failures: false, retried later.
     */
    public boolean publish(String volumeId, VolumeHead head) {
        State st = state(volumeId);
        String key = VolumeHead.objectKey(volumeId);
        synchronized (st) {
            if (st.conflict != null) {
                return false;
            }
            try {
                PutOptions options;
                if (st.headEtag != null) {
                    options = PutOptions.builder().ifMatch(st.headEtag).build();
                } else if (st.expectAbsent) {
                    options = PutOptions.builder().ifNoneMatch().build();
                } else {
                    // Known from a journal of a version that kept no ETags: trust a head that is not newer.
                    Current cur = readHead(key);
                    if (cur == null) {
                        options = PutOptions.builder().ifNoneMatch().build();
                    } else if (head.equals(cur.head)) {
                        adopt(volumeId, st, cur.etag);
                        return true;
                    } else if (cur.head != null && cur.head.generation() <= head.generation()) {
                        options = PutOptions.builder().ifMatch(cur.etag).build();
                    } else {
                        conflict(volumeId, st, head, cur);
                        return false;
                    }
                }
                PutResult r = bucket.put(key, head.encode(), options);
                adopt(volumeId, st, r.etag());
                return true;
            } catch (PreconditionFailedException | NotFoundException e) {
                Current cur;
                try {
                    cur = readHead(key);
                } catch (ObjectStoreException again) {
                    log.warn("cannot read the head of volume {} after a failed conditional write (will retry): {}",
                            volumeId, again.getMessage());
                    return false;
                }
                if (cur != null && head.equals(cur.head)) {
                    adopt(volumeId, st, cur.etag); // our own write, whose ETag we did not keep
                    return true;
                }
                conflict(volumeId, st, head, cur);
                return false;
            } catch (ObjectStoreException e) {
                log.warn("cannot publish the recovery point of volume {} yet (will retry): {}", volumeId,
                        e.getMessage());
                return false;
            }
        }
    }

    private void adopt(String volumeId, State st, String etag) {
        st.headEtag = etag;
        st.expectAbsent = false;
        save(volumeId, st);
    }

    private void conflict(String volumeId, State st, VolumeHead ours, Current cur) {
        String theirs = cur == null ? "the head was deleted"
                : cur.head == null ? "the head is not a volume head any more"
                : "the bucket's head is now generation " + cur.head.generation() + " root " + cur.head.root().hex();
        st.conflict = "another gateway wrote the volume's head: " + theirs + "; this gateway's is generation "
                + ours.generation() + " root " + ours.root().hex();
        save(volumeId, st);
        log.error("volume {}: {}; {}", volumeId, st.conflict, effect);
    }

    /** Another gateway claimed the owner record. */
    private void lostOwner(String volumeId, State st, String who) {
        if (st.conflict != null) {
            return;
        }
        st.conflict = "another gateway took the volume over: its owner record now names " + who;
        st.ownerEtag = null;
        save(volumeId, st);
        log.error("volume {} was taken over by {}: {}", volumeId, who, effect);
    }

    private record Current(VolumeHead head, String etag) {
    }

    /** The bucket's head of the volume with its ETag (head null when unreadable), or null when there is none. */
    private Current readHead(String key) {
        for (int attempt = 0; ; attempt++) {
            String etag;
            byte[] data;
            try {
                etag = bucket.head(key).etag();
                data = bucket.get(key);
            } catch (NotFoundException e) {
                return null;
            }
            String again = bucket.find(key).map(i -> i.etag()).orElse(null);
            if (!etag.equals(again) && attempt < 3) {
                continue; // changed between the reads
            }
            try {
                return new Current(VolumeHead.decode(data, key), etag);
            } catch (IllegalArgumentException e) {
                return new Current(null, etag);
            }
        }
    }

    // ---- owner records -------------------------------------------------------------------------

    /**
     * Claims the owner record of {@code volumeId} for this gateway. With {@code takeOver}, also
     * takes it from a live gateway and ends a conflict (this gateway's head is then written over
     * whatever the bucket holds).
     *
     * @throws VolumeInUseException when another live gateway owns it and {@code takeOver} is false
     */
    public void claim(String volumeId, boolean takeOver) throws VolumeInUseException {
        State st = state(volumeId);
        synchronized (st) {
            st.ownerWanted = true;
            if (st.ownerEtag != null && !takeOver) {
                return;
            }
            try {
                tryClaim(volumeId, st, takeOver, true);
            } catch (ObjectStoreException e) {
                log.warn("cannot check the owner record of volume {} (will retry every {} s): {}", volumeId,
                        OWNER_REFRESH.toSeconds(), e.getMessage());
                return;
            }
            if (takeOver && st.conflict != null) {
                String key = VolumeHead.objectKey(volumeId);
                Current cur = readHead(key);
                st.conflict = null;
                st.expectAbsent = cur == null;
                st.headEtag = cur == null ? null : cur.etag;
                save(volumeId, st);
                log.warn("volume {} taken over: this gateway's recovery point will replace the bucket's head", volumeId);
            }
        }
    }

    /** Caller holds the state's monitor. {@code strict}: throw when refused, else put the volume in conflict. */
    private void tryClaim(String volumeId, State st, boolean takeOver, boolean strict) throws VolumeInUseException {
        String key = VolumeOwner.objectKey(volumeId);
        for (int attempt = 0; attempt < 5; attempt++) {
            Instant now = clock.instant();
            PutOptions options;
            OwnerNow cur = readOwner(key);
            if (cur == null) {
                options = PutOptions.builder().ifNoneMatch().build();
            } else {
                VolumeOwner o = cur.owner;
                boolean mine = o != null && o.gatewayId().equals(me.id());
                if (!mine) {
                    boolean live = o == null || (!o.released()
                            && now.toEpochMilli() - o.time().toEpochMilli() < OWNER_LEASE.toMillis());
                    String who = o == null ? "an unreadable owner record" : o.describe(now);
                    if (live && !takeOver) {
                        String msg = "volume " + volumeId + " is in use by " + who + "; stop that gateway first, or "
                                + "open the volume with take-over (the other gateway then stops writing it)";
                        if (strict) {
                            throw new VolumeInUseException(msg);
                        }
                        lostOwner(volumeId, st, who);
                        return;
                    }
                    if (live || (o != null && !o.released())) {
                        log.warn("volume {}: taking over from {}", volumeId, who);
                    }
                }
                options = PutOptions.builder().ifMatch(cur.etag).build();
            }
            try {
                st.ownerEtag = bucket.put(key, new VolumeOwner(me.id(), me.host(), now, false).encode(), options)
                        .etag();
                return;
            } catch (PreconditionFailedException | NotFoundException e) {
                // another gateway wrote it meanwhile: look again
            }
        }
        throw new VolumeInUseException("volume " + volumeId + ": its owner record keeps changing (another gateway "
                + "is claiming it); stop the other gateway and try again");
    }

    private record OwnerNow(VolumeOwner owner, String etag) {
    }

    private OwnerNow readOwner(String key) {
        String etag;
        byte[] data;
        try {
            etag = bucket.head(key).etag();
            data = bucket.get(key);
        } catch (NotFoundException e) {
            return null;
        }
        try {
            return new OwnerNow(VolumeOwner.decode(data, key), etag);
        } catch (IllegalArgumentException e) {
            return new OwnerNow(null, etag);
        }
    }

    /**
     * Refreshes every owner record this gateway holds (and retries claims that could not be
     * checked); a record taken by another gateway puts its volume in conflict.
     */
    void refreshOwners() {
        for (Map.Entry<String, State> me2 : states.entrySet()) {
            String volumeId = me2.getKey();
            State st = me2.getValue();
            synchronized (st) {
                if (!st.ownerWanted || st.conflict != null || closed) {
                    continue;
                }
                String key = VolumeOwner.objectKey(volumeId);
                try {
                    if (st.ownerEtag == null) {
                        tryClaim(volumeId, st, false, false);
                        continue;
                    }
                    st.ownerEtag = bucket.put(key, new VolumeOwner(me.id(), me.host(), clock.instant(), false)
                            .encode(), PutOptions.builder().ifMatch(st.ownerEtag).build()).etag();
                } catch (PreconditionFailedException | NotFoundException e) {
                    OwnerNow cur;
                    try {
                        cur = readOwner(key);
                    } catch (ObjectStoreException again) {
                        continue;
                    }
                    if (cur != null && cur.owner != null && cur.owner.gatewayId().equals(me.id())) {
                        st.ownerEtag = cur.etag; // our own write (a copy of this cache directory may run too)
                        continue;
                    }
                    lostOwner(volumeId, st, cur == null ? "nobody (the record was deleted)"
                            : cur.owner == null ? "an unreadable owner record" : cur.owner.describe(clock.instant()));
                } catch (ObjectStoreException | VolumeInUseException e) {
                    log.warn("cannot refresh the owner record of volume {} (will retry): {}", volumeId,
                            e.getMessage());
                }
            }
        }
    }

    /** Starts refreshing owner records every {@link #OWNER_REFRESH}. */
    public void start() {
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(OWNER_REFRESH.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                if (!closed) {
                    try {
                        refreshOwners();
                    } catch (RuntimeException e) {
                        log.warn("refreshing volume owner records failed (will retry): {}", e.toString());
                    }
                }
            }
        }, "volume-owner");
        t.setDaemon(true);
        refresher = t;
        t.start();
    }

    /** Stops refreshing and releases the owner records this gateway holds (a clean stop frees the volumes). */
    public void close() {
        closed = true;
        Thread t = refresher;
        if (t != null) {
            t.interrupt();
        }
        for (String volumeId : states.keySet()) {
            release(volumeId);
        }
    }

    /**
     * Releases the owner record of one volume (a clean close frees it for other gateways) and
     * stops refreshing or retrying its claim. Bucket failures are logged; the record then expires.
     */
    public void release(String volumeId) {
        State st = states.get(volumeId);
        if (st == null) {
            return;
        }
        synchronized (st) {
            st.ownerWanted = false;
            if (st.ownerEtag == null) {
                return;
            }
            try {
                bucket.put(VolumeOwner.objectKey(volumeId), new VolumeOwner(me.id(), me.host(), clock.instant(),
                        true).encode(), PutOptions.builder().ifMatch(st.ownerEtag).build());
            } catch (ObjectStoreException ex) {
                log.debug("owner record of volume {} not released: {}", volumeId, ex.getMessage());
            }
            st.ownerEtag = null;
        }
    }

    // ---- the file -----------------------------------------------------------------------------

    /** Reads {@code volume-heads}: one line per volume, tab-separated: id, head ETag ("-": none), conflict ("-": none). */
    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.getFirst().equals(FIRST_LINE)) {
            throw new IOException("cache file " + file + " is not a version-1 volume-heads file");
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            if (f.length != 3) {
                throw new IOException("cache file " + file + " has a malformed line: " + line);
            }
            State st = state(f[0]);
            st.headEtag = f[1].equals("-") ? null : URLDecoder.decode(f[1], StandardCharsets.UTF_8);
            st.conflict = f[2].equals("-") ? null : URLDecoder.decode(f[2], StandardCharsets.UTF_8);
            fileLines.put(f[0], line);
        }
    }

    /**
     * Records the state of {@code volumeId} (caller holds its monitor) and replaces
     * {@code volume-heads} atomically (forced); a failure is logged, the next change retries.
     */
    private void save(String volumeId, State st) {
        if (st.headEtag == null && st.conflict == null) {
            fileLines.remove(volumeId);
        } else {
            fileLines.put(volumeId, volumeId + "\t" + (st.headEtag == null ? "-"
                    : URLEncoder.encode(st.headEtag, StandardCharsets.UTF_8)) + "\t" + (st.conflict == null ? "-"
                    : URLEncoder.encode(st.conflict, StandardCharsets.UTF_8)));
        }
        synchronized (fileLock) {
            writeFile();
        }
    }

    private void writeFile() {
        List<String> out = new ArrayList<>();
        out.add(FIRST_LINE);
        out.addAll(new TreeMap<>(fileLines).values());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.write(tmp, out, StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot save {} (head ETags are re-read from the bucket after a restart): {}", file,
                    e.getMessage());
        }
    }
}
