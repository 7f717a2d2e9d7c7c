package dev.stowage.core.store.s3;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.StorageClass;

/**
 * Derives {@link ArchiveState} from what S3 returns on HEAD: the storage class, the
 * {@code x-amz-restore} header ({@code ongoing-request="true"} while a restore runs;
 * {@code ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"} once the restored copy
 * is readable) and {@code x-amz-archive-status} (Intelligent-Tiering archive tiers). Also parses the
 * storage class names other S3-compatible services send. Stateless; thread-safe.
 */
final class ArchiveStates {

    private static final Pattern ONGOING = Pattern.compile("ongoing-request\\s*=\\s*\"(true|false)\"",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern EXPIRY = Pattern.compile("expiry-date\\s*=\\s*\"([^\"]+)\"",
            Pattern.CASE_INSENSITIVE);

    private ArchiveStates() {
    }

    /**
     * @param storageClass  the object's class
     * @param restoreHeader x-amz-restore, or null
     * @param archiveStatus x-amz-archive-status, or null
     * @param now           the current time, to tell whether a restored copy has expired
     */
    static ArchiveState of(StorageClass storageClass, String restoreHeader, String archiveStatus, Instant now) {
        if (restoreHeader != null && !restoreHeader.isBlank()) {
            Matcher ongoing = ONGOING.matcher(restoreHeader);
            if (ongoing.find() && ongoing.group(1).equalsIgnoreCase("true")) {
                return ArchiveState.RESTORING;
            }
            Instant expiry = expiry(restoreHeader);
            if (expiry == null) {
                // Intelligent-Tiering moves a restored object back to an online tier for good.
                return storageClass.isArchive() ? ArchiveState.RESTORED : ArchiveState.ONLINE;
            }
            if (expiry.isAfter(now)) {
                return ArchiveState.RESTORED;
            }
            return storageClass.isArchive() ? ArchiveState.ARCHIVED : ArchiveState.ONLINE;
        }
        if (archiveStatus != null && archiveStatus.toUpperCase(Locale.ROOT).contains("ARCHIVE_ACCESS")) {
            return ArchiveState.ARCHIVED;
        }
        return storageClass.isArchive() ? ArchiveState.ARCHIVED : ArchiveState.ONLINE;
    }

    /** The state a listing entry gets: listings carry no restore information. */
    static ArchiveState ofListing(StorageClass storageClass) {
        return storageClass.isArchive() ? ArchiveState.ARCHIVED : ArchiveState.ONLINE;
    }

    /** The expiry date of a restored copy, or null when the header has none (or an unreadable one). */
    static Instant expiry(String restoreHeader) {
        Matcher m = EXPIRY.matcher(restoreHeader);
        if (!m.find()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(m.group(1).trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Storage class from its wire name; names this gateway does not know (vendor classes) count as
     * STANDARD unless they say GLACIER or DEEP_ARCHIVE, which are treated as cold.
     */
    static StorageClass storageClass(String name) {
        try {
            return StorageClass.fromS3(name);
        } catch (IllegalArgumentException unknown) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.contains("DEEP_ARCHIVE")) {
                return StorageClass.DEEP_ARCHIVE;
            }
            if (upper.contains("GLACIER") && !upper.contains("_IR")) {
                return StorageClass.GLACIER;
            }
            return StorageClass.STANDARD;
        }
    }
}
