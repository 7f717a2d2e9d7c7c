package dev.stowage.iscsi.scsi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reservation state of one logical unit: the SPC-2 RESERVE(6) holder, and SPC-4 persistent
 * reservation registrations and the persistent reservation. Registrations and persistent
 * reservations survive resets and logouts (APTPL is not supported, so not a restart); a RESERVE(6)
 * is released by a reset or the holder's logout.
 *
 * <p><b>Threading:</b> every method synchronizes on this object; command handlers that need a
 * consistent multi-step view synchronize on it too.
 */
public final class Reservations {
    /** Persistent reservation types (SPC-4 table 185). */
    public static final int WRITE_EXCLUSIVE = 1;
    public static final int EXCLUSIVE_ACCESS = 3;
    public static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
    public static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
    public static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
    public static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

    private ItNexus legacyHolder;
    private final Map<ItNexus, Long> registrations = new LinkedHashMap<>();
    private ItNexus holder;
    private int type;
    private int generation;

    public static boolean validType(int type) {
        return type == 1 || type == 3 || (type >= 5 && type <= 8);
    }

    public static boolean allRegistrants(int type) {
        return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** True when {@code nexus} may not run a command of class {@code access} now. */
    public synchronized boolean conflicts(ItNexus nexus, Access access) {
        if (access == Access.ALLOWED) {
            return false;
        }
        if (legacyHolder != null) {
            return !legacyHolder.equals(nexus);
        }
        if (type == 0 || access == Access.STATUS || isHolder(nexus)) {
            return false;
        }
        boolean registered = registrations.containsKey(nexus);
        return switch (type) {
            case WRITE_EXCLUSIVE -> access == Access.WRITE;
            case EXCLUSIVE_ACCESS -> true;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY, WRITE_EXCLUSIVE_ALL_REGISTRANTS -> !registered && access == Access.WRITE;
            case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> !registered;
            default -> false;
        };
    }

    // ---- SPC-2 RESERVE(6) / RELEASE(6)

    /** RESERVE(6): false when another nexus holds a reservation of either kind (RESERVATION CONFLICT). */
    public synchronized boolean reserveLegacy(ItNexus nexus) {
        if (legacyHolder != null && !legacyHolder.equals(nexus)) {
            return false;
        }
        if (type != 0 || !registrations.isEmpty()) {
            return false;
        }
        legacyHolder = nexus;
        return true;
    }

    /** RELEASE(6): releases the reservation if {@code nexus} holds it; otherwise does nothing. */
    public synchronized boolean releaseLegacy(ItNexus nexus) {
        if (type != 0) {
            return false;
        }
        if (nexus.equals(legacyHolder)) {
            legacyHolder = null;
        }
        return true;
    }

    /** Drops the RESERVE(6) reservation (reset). */
    public synchronized void clearLegacy() {
        legacyHolder = null;
    }

    /** Drops the RESERVE(6) reservation if {@code nexus} holds it (logout, nexus loss). */
    public synchronized void nexusLost(ItNexus nexus) {
        if (nexus.equals(legacyHolder)) {
            legacyHolder = null;
        }
    }

    public synchronized ItNexus legacyHolder() {
        return legacyHolder;
    }

    // ---- persistent reservations

    public synchronized int generation() {
        return generation;
    }

    /** The key registered through {@code nexus}, or null. */
    public synchronized Long key(ItNexus nexus) {
        return registrations.get(nexus);
    }

    public synchronized Map<ItNexus, Long> registrations() {
        return new LinkedHashMap<>(registrations);
    }

    /** Current persistent reservation type, 0 when none. */
    public synchronized int type() {
        return type;
    }

    /** The nexus holding a non-all-registrants reservation, null for none or all-registrants. */
    public synchronized ItNexus holder() {
        return holder;
    }

    public synchronized boolean isHolder(ItNexus nexus) {
        if (type == 0) {
            return false;
        }
        return allRegistrants(type) ? registrations.containsKey(nexus) : nexus.equals(holder);
    }

    /** The reservation key reported by READ RESERVATION (0 for all-registrants types). */
    public synchronized long reservationKey() {
        if (type == 0 || allRegistrants(type)) {
            return 0;
        }
        Long k = registrations.get(holder);
        return k == null ? 0 : k;
    }

    /** Registers, re-keys or (key 0) unregisters {@code nexus}. Unregistering the holder releases the reservation. */
    public synchronized void register(ItNexus nexus, long newKey) {
        if (newKey == 0) {
            if (registrations.remove(nexus) != null) {
                if (type != 0 && (allRegistrants(type) ? registrations.isEmpty() : nexus.equals(holder))) {
                    holder = null;
                    type = 0;
                }
            }
        } else {
            registrations.put(nexus, newKey);
        }
        generation++;
    }

    /** Creates the reservation for {@code nexus}. */
    public synchronized void reserve(ItNexus nexus, int newType) {
        type = newType;
        holder = allRegistrants(newType) ? null : nexus;
    }

    /** Releases the persistent reservation. */
    public synchronized void release() {
        type = 0;
        holder = null;
    }

    /** CLEAR: removes every registration and the reservation; returns the nexuses that were registered. */
    public synchronized List<ItNexus> clear() {
        List<ItNexus> was = new ArrayList<>(registrations.keySet());
        registrations.clear();
        release();
        generation++;
        return was;
    }

    /** Removes the registrations with {@code key} except {@code keep}; returns the nexuses removed. */
    public synchronized List<ItNexus> removeKey(long key, ItNexus keep) {
        List<ItNexus> removed = new ArrayList<>();
        registrations.entrySet().removeIf(e -> {
            if (e.getValue() == key && !e.getKey().equals(keep)) {
                removed.add(e.getKey());
                return true;
            }
            return false;
        });
        return removed;
    }

    /** Removes every registration except {@code keep}'s; returns the nexuses removed. */
    public synchronized List<ItNexus> removeAllBut(ItNexus keep) {
        List<ItNexus> removed = new ArrayList<>();
        registrations.keySet().removeIf(n -> {
            if (!n.equals(keep)) {
                removed.add(n);
                return true;
            }
            return false;
        });
        return removed;
    }

    public synchronized void bumpGeneration() {
        generation++;
    }
}
