package dev.stowage.server.check;

import dev.stowage.server.lifecycle.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the full {@link BucketCheck} as a step of the appliance's start, after the store it needs
 * (e.g. the embedded demo store) is up and before anything that serves clients. Start throws
 * {@link BucketCheckException}; stop does nothing.
 */
public final class StartupCheckService implements Service {

    private static final Logger log = LoggerFactory.getLogger(StartupCheckService.class);

    private final BucketCheck check;
    private final String bucket;
    private final String endpoint;

    public StartupCheckService(BucketCheck check, String bucket, String endpoint) {
        this.check = check;
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    @Override
    public String name() {
        return "s3-check";
    }

    @Override
    public void start() throws BucketCheckException {
        check.check();
        log.atInfo().addKeyValue("bucket", bucket).addKeyValue("endpoint", endpoint)
                .log("S3 check passed (list, write, read, delete)");
    }

    @Override
    public void stop() {
        // nothing held
    }
}
