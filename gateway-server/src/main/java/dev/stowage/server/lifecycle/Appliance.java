package dev.stowage.server.lifecycle;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a list of {@link Service}s in order and stops them in reverse order. If one fails to
 * start, those already started are stopped (in reverse) and the failure is rethrown (not logged
 * here: the caller reports it once).
 *
 * <p>Thread-safe: {@link #start()} and {@link #stop()} are synchronized; {@link #stop()} is
 * idempotent, so a shutdown hook and a normal exit path can both call it.
 */
public final class Appliance {

    private static final Logger log = LoggerFactory.getLogger(Appliance.class);

    private final List<Service> services;
    private final List<Service> started = new ArrayList<>();
    private boolean stopped;

    public Appliance(List<Service> services) {
        this.services = List.copyOf(services);
    }

    public List<Service> services() {
        return services;
    }

    /** Starts every service in order. */
    public synchronized void start() throws Exception {
        if (stopped || !started.isEmpty()) {
            throw new IllegalStateException("an appliance starts once");
        }
        for (Service s : services) {
            try {
                s.start();
            } catch (Exception | Error e) {
                // Reported once, by whoever called start() (the daemon prints one line); here only for debugging.
                log.atDebug().addKeyValue("service", s.name()).log("service failed to start: {}", e.toString());
                stop();
                throw e;
            }
            started.add(s);
            log.atInfo().addKeyValue("service", s.name()).log("service started");
        }
    }

    /** Stops the started services in reverse order; later calls do nothing. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (int i = started.size() - 1; i >= 0; i--) {
            Service s = started.get(i);
            try {
                s.stop();
                log.atInfo().addKeyValue("service", s.name()).log("service stopped");
            } catch (RuntimeException e) {
                log.atWarn().addKeyValue("service", s.name()).setCause(e).log("service did not stop cleanly");
            }
        }
        started.clear();
    }
}
