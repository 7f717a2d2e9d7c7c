package dev.stowage.core.chunk.manifest;

/**
 * A manifest page or root record passed chunk verification (it is exactly what was stored) but is
 * not a valid manifest of this format version: written by a newer gateway, by a bug, or a chunk id
 * that does not name a manifest at all. The message names the chunk id and what is wrong; the
 * manifest is never interpreted partially.
 */
public final class CorruptManifestException extends RuntimeException {

    private final String chunk;

    public CorruptManifestException(String chunk, String problem) {
        super("invalid manifest chunk " + chunk + ": " + problem);
        this.chunk = chunk;
    }

    /** Hex id of the chunk that holds the bad page or root. */
    public String chunk() {
        return chunk;
    }
}
