package dev.stowage.core.store;

/** How fast (and how expensively) an archived object is brought back. */
public enum RestoreTier {
    EXPEDITED, STANDARD, BULK
}
