package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.reclaim.ReclaimReport;
import dev.stowage.cache.reclaim.ReclaimSettings;
import dev.stowage.cache.reclaim.Reclaimer;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Space reclaim against a real S3 protocol stack: the cache pool and the reclaimer talk to an
 * in-process S3Proxy (filesystem backend, signed requests) on 127.0.0.1 through {@link S3ObjectStore}:
 * real listings, LastModified from the server, multi-object deletes.
 */
@Timeout(180)
class ReclaimOverS3Test {
    private static final String BUCKET = "reclaim";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int SLOT = TestBucket.SLOT;

    @TempDir
    static Path scratch;

    private static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path data = scratch.resolve("s3");
        Files.createDirectories(data.resolve(BUCKET));
        server = new S3ProxyServer(data);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private S3ObjectStore store() {
        return new S3ObjectStore(server.settings(BUCKET).withPrefix("gw/"));
    }

    @Test
    void deletedSnapshotsAreReclaimedOverHttpAndEverythingLiveReadsBack() throws Exception {
        List<byte[]> current = new ArrayList<>();
        Snapshot kept;
        try (S3ObjectStore s3 = store()) {
            TestBucket bucket = TestBucket.over(s3);
            try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 32).withSettleDelay(Duration.ofHours(1)));
                 Reclaimer reclaimer = new Reclaimer(s3, bucket.chunks(),
                         ReclaimSettings.DEFAULT.withGracePeriod(Duration.ZERO).withDeleteBatch(7))) {
                reclaimer.register(pool.liveChunkSource());
                pool.createVolume("vol", 12L * SLOT, 512);
                Snapshot s = null;
                for (int round = 0; round < 4; round++) {
                    current.clear();
                    for (int chunk = 0; chunk < 12; chunk++) {
                        byte[] data = ReclaimTest.random(SLOT, 500 + round * 12 + chunk);
                        ReclaimTest.write(pool, "vol", chunk, data);
                        current.add(data);
                    }
                    if (s != null) {
                        pool.snapshots().deleteSnapshot(s.id());
                    }
                    s = pool.snapshots().snapshot("vol", "round " + round, WAIT);
                }
                kept = s;
                assertThat(pool.drain(WAIT)).isTrue();
                TreeSet<String> before = BucketOracle.chunkKeys(s3);
                TreeSet<String> referenced = BucketOracle.referencedKeys(s3, bucket.manifests());

                ReclaimReport report = reclaimer.reclaim();

                assertThat(report.complete()).isTrue();
                assertThat(report.chunksListed()).isEqualTo(before.size());
                assertThat(report.chunksDeleted()).isEqualTo(before.size() - referenced.size()).isGreaterThan(36);
                assertThat(BucketOracle.chunkKeys(s3)).isEqualTo(referenced);
            }
        }
        try (S3ObjectStore s3 = store(); CachePool pool = TestBucket.over(s3).open(TestBucket.settings(dir.resolve("fresh"), 32))) {
            pool.snapshots().createVolumeFromSnapshot("restored", kept.id());
            for (int chunk = 0; chunk < current.size(); chunk++) {
                assertThat(ReclaimTest.read(pool, "vol", chunk)).isEqualTo(current.get(chunk));
                assertThat(ReclaimTest.read(pool, "restored", chunk)).isEqualTo(current.get(chunk));
            }
        }
    }
}
