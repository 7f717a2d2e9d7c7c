package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ItNexus;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.Reservations;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * PERSISTENT RESERVE OUT (SPC-4 6.16, 5.13): REGISTER, REGISTER AND IGNORE EXISTING KEY, RESERVE,
 * RELEASE, CLEAR, PREEMPT and PREEMPT AND ABORT, for the types WE, EA, WE-RO, EA-RO, WE-AR and
 * EA-AR with logical-unit scope. SPEC_I_PT, ALL_TG_PT and APTPL are not supported (REPORT
 * CAPABILITIES says so) and are refused as invalid fields. Each service action runs under the
 * unit's reservation lock. Since commands run synchronously, PREEMPT AND ABORT has no queued tasks
 * of the preempted nexuses to abort beyond what PREEMPT does.
 */
public final class PersistentReserveOut {
    private static final int PARAMETER_LIST_LENGTH = 24;

    private PersistentReserveOut() {
    }

    private record Params(long key, long serviceActionKey) {
    }

    private static Params params(Task t) throws SenseException {
        long length = t.u32(5);
        if (length != PARAMETER_LIST_LENGTH) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        ByteBuffer p = t.parameterList(PARAMETER_LIST_LENGTH);
        int flags = p.get(20) & 0xff;
        if ((flags & 0x08) != 0) {
            throw SenseException.invalidParameterField(20, 3);   // SPEC_I_PT
        }
        if ((flags & 0x04) != 0) {
            throw SenseException.invalidParameterField(20, 2);   // ALL_TG_PT
        }
        if ((flags & 0x01) != 0) {
            throw SenseException.invalidParameterField(20, 0);   // APTPL
        }
        return new Params(p.getLong(0), p.getLong(8));
    }

    private static ScsiResponse conflict() {
        return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
    }

    public static ScsiResponse register(Task t) throws SenseException {
        return doRegister(t, false);
    }

    public static ScsiResponse registerAndIgnore(Task t) throws SenseException {
        return doRegister(t, true);
    }

    private static ScsiResponse doRegister(Task t, boolean ignoreExisting) throws SenseException {
        Params p = params(t);
        LogicalUnit lu = t.lu();
        Reservations r = lu.reservations();
        ItNexus me = t.nexus();
        synchronized (r) {
            if (r.legacyHolder() != null && !r.legacyHolder().equals(me)) {
                return conflict();
            }
            Long current = r.key(me);
            if (!ignoreExisting) {
                long expected = current == null ? 0 : current;
                if (p.key() != expected) {
                    return conflict();
                }
            }
            if (current == null && p.serviceActionKey() == 0) {
                return ScsiResponse.good();
            }
            int typeBefore = r.type();
            boolean wasHolder = r.isHolder(me);
            r.register(me, p.serviceActionKey());
            if (wasHolder && r.type() == 0 && releasesNotify(typeBefore)) {
                notifyRegistrants(lu, SenseReason.RESERVATIONS_RELEASED, me);
            }
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse reserve(Task t) throws SenseException {
        Params p = params(t);
        int type = typeOf(t);
        Reservations r = t.lu().reservations();
        ItNexus me = t.nexus();
        synchronized (r) {
            Long key = r.key(me);
            if (key == null || key != p.key()) {
                return conflict();
            }
            if (r.type() != 0) {
                if (r.isHolder(me) && r.type() == type) {
                    return ScsiResponse.good();
                }
                return conflict();
            }
            r.reserve(me, type);
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse release(Task t) throws SenseException {
        Params p = params(t);
        int type = t.u8(2) & 0x0f;
        int scope = t.u8(2) >>> 4;
        LogicalUnit lu = t.lu();
        Reservations r = lu.reservations();
        ItNexus me = t.nexus();
        synchronized (r) {
            Long key = r.key(me);
            if (key == null || key != p.key()) {
                return conflict();
            }
            if (r.type() == 0 || !r.isHolder(me)) {
                return ScsiResponse.good();
            }
            if (scope != 0 || type != r.type()) {
                throw SenseException.of(SenseReason.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
            }
            int was = r.type();
            r.release();
            if (releasesNotify(was)) {
                notifyRegistrants(lu, SenseReason.RESERVATIONS_RELEASED, me);
            }
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse clear(Task t) throws SenseException {
        Params p = params(t);
        LogicalUnit lu = t.lu();
        Reservations r = lu.reservations();
        ItNexus me = t.nexus();
        synchronized (r) {
            Long key = r.key(me);
            if (key == null || key != p.key()) {
                return conflict();
            }
            for (ItNexus n : r.clear()) {
                if (!n.equals(me)) {
                    lu.unitAttentions().raiseFor(n, SenseReason.RESERVATIONS_PREEMPTED);
                }
            }
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse preempt(Task t) throws SenseException {
        Params p = params(t);
        LogicalUnit lu = t.lu();
        Reservations r = lu.reservations();
        ItNexus me = t.nexus();
        synchronized (r) {
            Long key = r.key(me);
            if (key == null || key != p.key()) {
                return conflict();
            }
            long victim = p.serviceActionKey();
            int type = r.type();
            List<ItNexus> removed;
            if (type == 0) {
                if (victim == 0) {
                    throw SenseException.invalidParameterField(8, -1);
                }
                removed = r.removeKey(victim, me);
                if (removed.isEmpty()) {
                    return conflict();
                }
            } else if (Reservations.allRegistrants(type)) {
                if (victim == 0) {
                    removed = r.removeAllBut(me);
                    r.reserve(me, typeOf(t));
                } else {
                    removed = r.removeKey(victim, me);
                    if (removed.isEmpty()) {
                        return conflict();
                    }
                }
            } else if (victim == r.reservationKey()) {
                int newType = typeOf(t);
                removed = r.removeKey(victim, me);
                r.reserve(me, newType);
            } else {
                if (victim == 0) {
                    throw SenseException.invalidParameterField(8, -1);
                }
                removed = r.removeKey(victim, me);
                if (removed.isEmpty()) {
                    return conflict();
                }
            }
            r.bumpGeneration();
            for (ItNexus n : removed) {
                lu.unitAttentions().raiseFor(n, SenseReason.REGISTRATIONS_PREEMPTED);
            }
        }
        return ScsiResponse.good();
    }

    private static int typeOf(Task t) throws SenseException {
        int scope = t.u8(2) >>> 4;
        int type = t.u8(2) & 0x0f;
        if (scope != 0) {
            throw SenseException.invalidCdbField(2, 7);
        }
        if (!Reservations.validType(type)) {
            throw SenseException.invalidCdbField(2, 3);
        }
        return type;
    }

    /** Releasing a registrants-only or all-registrants reservation tells the other registrants. */
    private static boolean releasesNotify(int type) {
        return type >= Reservations.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
    }

    private static void notifyRegistrants(LogicalUnit lu, SenseReason reason, ItNexus except) {
        for (ItNexus n : lu.reservations().registrations().keySet()) {
            if (!n.equals(except)) {
                lu.unitAttentions().raiseFor(n, reason);
            }
        }
    }
}
