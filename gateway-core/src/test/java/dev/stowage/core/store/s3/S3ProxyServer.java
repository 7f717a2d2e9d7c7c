package dev.stowage.core.store.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;

/**
 * An in-process S3Proxy on 127.0.0.1 with a random port, the filesystem-nio2 backend under a
 * directory the test owns, and AWS v2/v4 signature checking with a fixed test key pair.
 * Start once per test class; {@link #close()} stops it. Shipped in gateway-core's test jar for the
 * other modules' tests over HTTP.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "stowage-test-access";
    public static final String SECRET_KEY = "stowage-test-secret-not-a-real-one";

    private final S3Proxy proxy;
    private final URI endpoint;

    /** @param baseDir the filesystem backend's directory; each bucket is a sub-directory the caller creates */
    public S3ProxyServer(Path baseDir) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem-nio2", props))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .jettyMaxThreads(24)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public URI endpoint() {
        return endpoint;
    }

    public S3Settings settings(String bucket) {
        return S3Settings.of(endpoint, "us-east-1", bucket,
                new S3Settings.Credentials.Static(ACCESS_KEY, SECRET_KEY, null));
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop", e);
        }
    }
}
