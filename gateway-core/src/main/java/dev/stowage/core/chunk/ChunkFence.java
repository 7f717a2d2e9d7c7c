package dev.stowage.core.chunk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Orders the deletes of space reclaim against the operations of one {@link BucketChunkStore}, so
 * that a chunk reclaim deletes is never handed out as "already in the bucket" to a caller that
 * will then reference it, and never stays in the store's memory of known chunks.
 *
 * <p><b>The hazard.</b> A put deduplicates: it returns the id of a chunk it found present (in the
 * known-chunks memory, through a HEAD, or a failed conditional put) without uploading. If reclaim
 * deletes that chunk between the dedup decision and the moment the caller's new root is stored,
 * the root names a missing chunk: data loss.
 *
 * <p><b>The fence.</b> While a reclaim {@link Session} is open, every put records the id it
 * returns ("touched"), and reclaim may only delete ids it has {@linkplain Session claimed}.
 * Recording (in {@link #admit}) and claiming (in {@link #claim}) take the same monitor, so for
 * every id X one of them happens first:
 * <ul>
 *   <li>the put recorded X first: the claim sees X touched and does not delete it;</li>
 *   <li>the claim came first: X is <em>doomed</em>; the put waits until the delete of X has been
 *       answered, then uploads X again unconditionally (its dedup decision may predate the delete)
 *       and returns only after that upload. The same holds for a put whose whole dedup decision
 *       came after the delete: it saw the chunk missing and uploaded it, but it cannot tell
 *       whether its upload reached the bucket before the delete, so it uploads again.</li>
 * </ul>
 * A put that started before a session began records into that session when it ends, and
 * {@link #begin} waits until every operation started before it has ended, so no put can take
 * its dedup decision before a session and return after the session ended. Deleted ids stay known
 * to the fence until every operation that started before the session closed has ended.
 *
 * <p><b>Known chunks.</b> Reclaim removes a claimed id from the store's known-chunks memory after
 * claiming it; a read or existence check that finds a chunk adds it back only through
 * {@link #remember}, which refuses doomed and deleted ids under the monitor. A put that re-learns a
 * deleted id is corrected by its own re-upload (and the id is forgotten before that upload, so a
 * failed re-upload leaves nothing behind).
 *
 * <p>The fence orders operations of one process. Another process writing to the same bucket is
 * not fenced; reclaim's grace period (chunks modified recently are never deleted) is the defence
 * there.
 *
 * <p><b>Threading:</b> thread-safe; one monitor. {@link #admit} waits (uninterruptibly, for as
 * long as one batch delete takes) when its id is being deleted. At most one session at a time.
 * Memory: a few dozen bytes per id put, and per id deleted, during a session.
 */
public final class ChunkFence {

    /** An operation of the chunk store in progress; see {@link #enter}. */
    static final class Ticket {
        final long epoch;
        final Session session;

        private Ticket(long epoch, Session session) {
            this.epoch = epoch;
            this.session = session;
        }
    }

    /** What a put must do with the id it is about to return. */
    enum Admission {
        /** Return it. */
        OK,
        /** The chunk may have been deleted after the dedup decision: upload it again, then {@link #reuploaded}. */
        REUPLOAD
    }

    private final TreeMap<Long, Integer> open = new TreeMap<>(); // epoch -> operations in progress
    private final Set<ChunkId> doomed = new HashSet<>();
    private final Set<ChunkId> deleted = new HashSet<>();
    private long epoch;
    private Session current;
    private long retireDeletedBefore = -1; // deleted is forgotten once no operation older than this remains

    /** One reclaim run's view of the fence. Closing it ends the recording. Thread-safe (the fence's monitor). */
    public final class Session implements AutoCloseable {
        private final Set<ChunkId> touched = new HashSet<>();
        private long claimed;
        private long skipped;
        private boolean closed;

        private Session() {
        }

        /** Ids put (uploaded or deduplicated) since the session began. */
        public int touchedCount() {
            synchronized (ChunkFence.this) {
                return touched.size();
            }
        }

        /** Ids offered for deletion that were not claimed because a put had touched them. */
        public long skippedByFence() {
            synchronized (ChunkFence.this) {
                return skipped;
            }
        }

        /** Ids claimed for deletion so far. */
        public long claimed() {
            synchronized (ChunkFence.this) {
                return claimed;
            }
        }

        /**
         * Ends the session. Ids being deleted must have been reported with {@link #deleted} first
         * (the reclaim does so in a finally block); any still doomed are treated as deleted.
         */
        @Override
        public void close() {
            synchronized (ChunkFence.this) {
                if (closed) {
                    return;
                }
                closed = true;
                deleted.addAll(doomed);
                doomed.clear();
                if (current == this) {
                    current = null;
                }
                epoch++;
                retireDeletedBefore = epoch;
                retireIfPossible();
                ChunkFence.this.notifyAll();
            }
        }
    }

    /**
     * Starts a session: from now on puts record what they return. Returns once every chunk-store
     * operation that started before this call has ended (those ended recording into this session).
     *
     * @throws IllegalStateException when a session is already open
     * @throws InterruptedException  when interrupted while waiting (no session is left open)
     */
    public Session begin() throws InterruptedException {
        synchronized (this) {
            if (current != null) {
                throw new IllegalStateException("a space reclaim is already running on this chunk store");
            }
            Session s = new Session();
            current = s;
            epoch++;
            long limit = epoch;
            try {
                while (!open.isEmpty() && open.firstKey() < limit) {
                    wait();
                }
            } catch (InterruptedException e) {
                s.close();
                throw e;
            }
            if (retireDeletedBefore >= 0) {
                deleted.clear(); // every operation that could have decided before those deletes has ended
                retireDeletedBefore = -1;
            }
            return s;
        }
    }

    /** True while a session is open. */
    public synchronized boolean active() {
        return current != null;
    }

    /** Registers an operation; every {@link #enter} must be followed by one {@link #exit}. */
    synchronized Ticket enter() {
        Ticket t = new Ticket(epoch, current);
        open.merge(t.epoch, 1, Integer::sum);
        return t;
    }

    synchronized void exit(Ticket t) {
        int left = open.get(t.epoch) - 1;
        if (left == 0) {
            open.remove(t.epoch);
            retireIfPossible();
            notifyAll();
        } else {
            open.put(t.epoch, left);
        }
    }

    /**
     * Put side: records {@code id} as touched in the sessions this operation overlaps, waits while
     * it is being deleted, and says whether it must be uploaded again.
     */
    synchronized Admission admit(Ticket t, ChunkId id) {
        boolean interrupted = false;
        try {
            while (true) {
                record(t.session, id);
                record(current, id);
                if (!doomed.contains(id)) {
                    return deleted.contains(id) ? Admission.REUPLOAD : Admission.OK;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the delete is answered soon; returning early could lose the chunk
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void record(Session s, ChunkId id) {
        if (s != null && !s.closed) {
            s.touched.add(id);
        }
    }

    /** Put side: {@code id} was uploaded again after its delete was answered; it is present now. */
    synchronized void reuploaded(ChunkId id) {
        deleted.remove(id);
    }

    /** Read side: runs {@code add} (which adds {@code id} to the known chunks) unless the id is being or was deleted. */
    synchronized void remember(ChunkId id, Runnable add) {
        if (!doomed.contains(id) && !deleted.contains(id)) {
            add.run();
        }
    }

    /**
     * Reclaim side: the ids of {@code ids} that no put has touched in {@code s}; they are doomed
     * until {@link #deleted} reports them. The caller must then delete them and report them.
     */
    synchronized List<ChunkId> claim(Session s, Collection<ChunkId> ids) {
        if (s.closed || current != s) {
            throw new IllegalStateException("the reclaim session is closed");
        }
        List<ChunkId> out = new ArrayList<>(ids.size());
        for (ChunkId id : ids) {
            if (s.touched.contains(id)) {
                s.skipped++;
            } else if (doomed.add(id)) {
                out.add(id);
            }
        }
        s.claimed += out.size();
        return out;
    }

    /** Reclaim side: the delete of these claimed ids was answered (successfully or not). */
    synchronized void deleted(Collection<ChunkId> ids) {
        for (ChunkId id : ids) {
            if (doomed.remove(id)) {
                deleted.add(id);
            }
        }
        notifyAll();
    }

    /** How many deleted ids the fence still remembers (for tests and metrics). */
    synchronized int rememberedDeletes() {
        return deleted.size();
    }

    private void retireIfPossible() {
        if (retireDeletedBefore >= 0 && (open.isEmpty() || open.firstKey() >= retireDeletedBefore)) {
            deleted.clear();
            retireDeletedBefore = -1;
        }
    }
}
