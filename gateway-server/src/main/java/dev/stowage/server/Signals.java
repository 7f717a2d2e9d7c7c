package dev.stowage.server;

import sun.misc.Signal;

/**
 * Makes SIGTERM and SIGINT end the process with exit code 0 (a requested stop is a clean stop),
 * instead of the JVM's default 143/130. The shutdown hooks still run: {@code System.exit} runs them.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, kept for exactly this use); javac warns
 * about it and the warning cannot be suppressed. Without it a shutdown hook cannot choose the exit
 * status short of {@code Runtime.halt}, which would skip other hooks.
 */
final class Signals {

    private Signals() {
    }

    @SuppressWarnings("removal")
    static void exitZeroOnTerm() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> System.exit(0));
            } catch (IllegalArgumentException e) {
                // signal not available on this platform: the JVM's default handling applies
            }
        }
    }
}
