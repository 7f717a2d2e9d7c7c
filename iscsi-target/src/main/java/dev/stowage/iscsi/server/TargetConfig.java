package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.scsi.ScsiTarget;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One target served by an {@link IscsiServer}.
 *
 * @param iqn               target name, {@code iqn.yyyy-mm.reversed.domain[:suffix]} (or eui./naa.)
 * @param alias             human-readable TargetAlias, or null
 * @param scsi              the SCSI side (logical units and command sets)
 * @param chap              CHAP credentials initiators must present, or null for none
 * @param allowedInitiators initiator names allowed to log in; empty allows all
 */
public record TargetConfig(String iqn, String alias, ScsiTarget scsi, ChapCredentials chap,
                           Set<String> allowedInitiators) {
    private static final Pattern NAME = Pattern.compile(
            "(iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*(:[^\\s]+)?|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})");

    public TargetConfig {
        if (iqn == null || !NAME.matcher(iqn).matches() || iqn.length() > 223) {
            throw new IllegalArgumentException("not a valid iSCSI name (want iqn.yyyy-mm.domain:name): " + iqn);
        }
        if (scsi == null) {
            throw new IllegalArgumentException("target " + iqn + " needs a SCSI target");
        }
        allowedInitiators = allowedInitiators == null ? Set.of() : Set.copyOf(allowedInitiators);
    }

    /** An open target: no CHAP, every initiator allowed. */
    public static TargetConfig open(String iqn, ScsiTarget scsi) {
        return new TargetConfig(iqn, null, scsi, null, Set.of());
    }
}
