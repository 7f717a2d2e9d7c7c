package dev.stowage.server.demo;

import dev.stowage.server.lifecycle.Service;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * The demo appliance's S3-compatible store: S3Proxy in-process over a directory on local disk
 * ({@code filesystem-nio2} backend), listening on 127.0.0.1 only, with AWS v2/v4 signatures checked
 * against the demo credentials. Objects are plain files under {@code <dir>/<bucket>/}, so they
 * survive restarts. Creates the bucket when it is missing.
 *
 * <p>Threading: start/stop from one thread (the {@link dev.stowage.server.lifecycle.Appliance});
 * S3Proxy serves requests on its own Jetty threads.
 */
public final class EmbeddedS3 implements Service {

    private final Path dir;
    private final int requestedPort;
    private int port;
    private final String bucket;
    private final DemoCredentials credentials;
    private final String portSetting;
    private S3Proxy proxy;

    /**
     * @param dir         directory holding one sub-directory per bucket
     * @param port        TCP port on 127.0.0.1, or 0 for any free port (see {@link #endpoint()} after start)
     * @param bucket      bucket to create at start when missing
     * @param credentials the only key pair the store accepts
     */
    public EmbeddedS3(Path dir, int port, String bucket, DemoCredentials credentials) {
        this(dir, port, bucket, credentials, "STOWAGE_DEMO_S3_PORT");
    }

    /**
     * @param portSetting the setting an operator changes when the port is taken, for the error message
     */
    public EmbeddedS3(Path dir, int port, String bucket, DemoCredentials credentials, String portSetting) {
        this.portSetting = portSetting;
        this.dir = dir;
        this.requestedPort = port;
        this.port = port;
        this.bucket = bucket;
        this.credentials = credentials;
    }

    @Override
    public String name() {
        return "embedded-s3";
    }

    /** http://127.0.0.1:port (the port actually bound, once started). */
    public synchronized URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Starts the store; does nothing when it already runs (the daemon starts it early to learn its port). */
    @Override
    public synchronized void start() throws Exception {
        if (proxy != null) {
            return;
        }
        Files.createDirectories(dir);
        BlobStore store = new FilesystemNio2BlobStore(dir.toAbsolutePath().toString());
        if (!store.containerExists(bucket)) {
            store.createContainer(bucket, CreateContainerOptions.NONE);
        }
        proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, credentials.accessKeyId(), credentials.secretAccessKey())
                .build();
        try {
            proxy.start();
        } catch (IOException e) {
            proxy = null;
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new IOException("cannot listen on 127.0.0.1:" + port + " for the demo S3 store (" + e.getMessage()
                        + "); free the port or set " + portSetting + " to another port (0 picks a free one)", e);
            }
            throw e;
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("the demo S3 store did not start within 30 s");
            }
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    @Override
    public synchronized void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("embedded S3 store did not stop: " + e, e);
            } finally {
                proxy = null;
            }
        }
    }

    @Override
    public String describe() {
        return "S3 endpoint (embedded, local disk): " + endpoint() + "  bucket: " + bucket;
    }
}
