package dev.stowage.core.store.s3;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreContractTest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The contract against MinIO in a container. Runs only where a Docker engine is reachable; elsewhere
 * JUnit reports the class as skipped (S3Proxy and the stub cover the same ground in-process).
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioObjectStoreTest extends ObjectStoreContractTest {
    private static final String BUCKET = "contract";
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z");

    static S3Settings settings() {
        return S3Settings.of(URI.create(MINIO.getS3URL()), "us-east-1", BUCKET,
                        new S3Settings.Credentials.Static(MINIO.getUserName(), MINIO.getPassword(), null))
                .withPrefix("t" + PREFIXES.incrementAndGet() + "/")
                .withMultipart(MULTIPART_THRESHOLD, PART_SIZE, 3)
                .withRetries(1, Duration.ofSeconds(20));
    }

    @BeforeAll
    static void createBucket() {
        S3Settings s = settings();
        try (S3Client admin = S3ClientFactory.build(s, S3ClientFactory.credentials(s.credentials()))) {
            admin.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @Override
    protected ObjectStore newStore() {
        return new S3ObjectStore(settings());
    }

    /** MinIO accepts only its own storage classes (STANDARD, REDUCED_REDUNDANCY) unless tiers are configured. */
    @Override
    protected boolean supportsStorageClasses() {
        return false;
    }
}
