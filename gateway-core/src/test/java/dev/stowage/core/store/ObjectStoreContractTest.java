package dev.stowage.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link ObjectStore} must have, run against each implementation by a subclass.
 * A subclass returns a fresh, empty store from {@link #newStore()} (configured with a multipart
 * threshold of at most {@link #MULTIPART_THRESHOLD} and part size {@link #PART_SIZE}) and says which
 * optional features its server has.
 */
public abstract class ObjectStoreContractTest {

    protected static final int MIB = 1024 * 1024;
    /** Stores under test take the multipart path for files of this size and more. */
    protected static final long MULTIPART_THRESHOLD = 5L * MIB;
    protected static final long PART_SIZE = 5L * MIB;

    protected ObjectStore store;

    @TempDir
    protected Path tmp;

    /** A fresh store with no objects (a new bucket or a new prefix). */
    protected abstract ObjectStore newStore() throws Exception;

    /** Whether the server honours If-None-Match / If-Match on writes. */
    protected boolean supportsConditionalWrites() {
        return true;
    }

    /** Whether the server keeps the storage class given on write. */
    protected boolean supportsStorageClasses() {
        return true;
    }

    /** Whether the server returns user metadata on HEAD exactly as written. */
    protected boolean supportsMetadata() {
        return true;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ---- put / get / head ---------------------------------------------------------------------

    @Test
    void putThenGetReturnsTheSameBytesAndHeadTheSameEtag() {
        PutResult put = store.put("a/one", bytes("hello object store"), PutOptions.DEFAULT);

        assertThat(store.get("a/one")).isEqualTo(bytes("hello object store"));
        ObjectInfo info = store.head("a/one");
        assertThat(info.key()).isEqualTo("a/one");
        assertThat(info.size()).isEqualTo(18);
        assertThat(info.etag()).isEqualTo(put.etag()).doesNotContain("\"");
        assertThat(info.archiveState()).isEqualTo(ArchiveState.ONLINE);
        assertThat(info.lastModified()).isNotNull();
        assertThat(put.size()).isEqualTo(18);
    }

    @Test
    void emptyAndBinaryObjectsRoundTrip() {
        byte[] binary = random(70_000, 1);
        store.put("empty", new byte[0], PutOptions.DEFAULT);
        store.put("binary", binary, PutOptions.DEFAULT);

        assertThat(store.get("empty")).isEmpty();
        assertThat(store.head("empty").size()).isZero();
        assertThat(store.get("binary")).isEqualTo(binary);
    }

    @Test
    void putReplacesTheObjectAndChangesItsEtag() {
        PutResult first = store.put("k", bytes("first"), PutOptions.DEFAULT);
        PutResult second = store.put("k", bytes("second version"), PutOptions.DEFAULT);

        assertThat(store.get("k")).isEqualTo(bytes("second version"));
        assertThat(second.etag()).isNotEqualTo(first.etag());
        assertThat(store.head("k").etag()).isEqualTo(second.etag());
    }

    @Test
    void keysWithSpacesAndUnicodeWork() {
        String key = "dir with space/ünïcødé+plus=eq&amp;%25.bin";
        store.put(key, bytes("x"), PutOptions.DEFAULT);

        assertThat(store.get(key)).isEqualTo(bytes("x"));
        assertThat(store.list("dir with space/", null, 10).objects()).extracting(ObjectInfo::key).containsExactly(key);
    }

    @Test
    void missingObjectIsNotFoundOnGetAndHeadAndEmptyOnFind() {
        assertThatThrownBy(() -> store.get("nope")).isInstanceOf(NotFoundException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> store.head("nope")).isInstanceOf(NotFoundException.class);
        assertThat(store.find("nope")).isEmpty();
        assertThat(((ObjectStoreException) catchThrowable(() -> store.get("nope"))).retryable()).isFalse();
    }

    @Test
    void metadataRoundTripsWithLowerCaseKeys() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsMetadata());
        store.put("m", bytes("x"), PutOptions.builder().metadata("Mode", "0644").metadata("uid", "1000").build());

        assertThat(store.head("m").metadata()).containsEntry("mode", "0644").containsEntry("uid", "1000");
    }

    @Test
    void badArgumentsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> store.put("", bytes("x"), PutOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> store.put("x".repeat(1100), bytes("x"), PutOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
        assertThatThrownBy(() -> store.put("k", bytes("x"), PutOptions.builder().metadata("bad key", "v").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad key");
        assertThatThrownBy(() -> store.put("k", bytes("x"), PutOptions.builder().metadata("k", "é").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ASCII");
        assertThatThrownBy(() -> store.list("", null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list("", null, 1001)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- ranges -------------------------------------------------------------------------------

    @Test
    void rangedGetReturnsTheRequestedBytesClippedToTheObject() {
        byte[] data = random(10_000, 2);
        store.put("r", data, PutOptions.DEFAULT);

        assertThat(store.get("r", ByteRange.of(100, 50))).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 150));
        assertThat(store.get("r", ByteRange.from(9_990))).isEqualTo(java.util.Arrays.copyOfRange(data, 9_990, 10_000));
        assertThat(store.get("r", ByteRange.of(9_000, 5_000))).isEqualTo(java.util.Arrays.copyOfRange(data, 9_000, 10_000));
        assertThat(store.get("r", ByteRange.of(0, 1))).containsExactly(data[0]);
        assertThat(store.get("r", ByteRange.of(10_000, 10))).isEmpty();
        assertThat(store.get("r", ByteRange.ALL)).isEqualTo(data);
    }

    @Test
    void rangedGetOfMissingObjectIsNotFound() {
        assertThatThrownBy(() -> store.get("nope", ByteRange.of(0, 10))).isInstanceOf(NotFoundException.class);
    }

    // ---- list ---------------------------------------------------------------------------------

    @Test
    void listPagesThroughKeysInOrderWithinThePrefix() {
        for (String k : List.of("p/c", "p/a", "p/e", "p/b", "p/d", "q/a", "o/z")) {
            store.put(k, bytes(k), PutOptions.DEFAULT);
        }

        ListPage first = store.list("p/", null, 2);
        assertThat(first.objects()).extracting(ObjectInfo::key).containsExactly("p/a", "p/b");
        assertThat(first.isLast()).isFalse();
        ListPage second = store.list("p/", first.continuation(), 2);
        assertThat(second.objects()).extracting(ObjectInfo::key).containsExactly("p/c", "p/d");
        ListPage third = store.list("p/", second.continuation(), 2);
        assertThat(third.objects()).extracting(ObjectInfo::key).containsExactly("p/e");
        assertThat(third.isLast()).isTrue();

        assertThat(first.objects().getFirst().size()).isEqualTo(3);
        assertThat(first.objects().getFirst().etag()).isEqualTo(store.head("p/a").etag());
        assertThat(store.listAll("")).extracting(ObjectInfo::key)
                .containsExactly("o/z", "p/a", "p/b", "p/c", "p/d", "p/e", "q/a");
        assertThat(store.list("none/", null, 10).objects()).isEmpty();
        assertThat(store.list("none/", null, 10).isLast()).isTrue();
    }

    // ---- delete -------------------------------------------------------------------------------

    @Test
    void deleteRemovesKeysAndIgnoresMissingOnes() {
        store.put("d/1", bytes("1"), PutOptions.DEFAULT);
        store.put("d/2", bytes("2"), PutOptions.DEFAULT);
        store.put("d/3", bytes("3"), PutOptions.DEFAULT);

        DeleteResult r = store.delete(List.of("d/1", "d/3", "d/never-existed"));

        assertThat(r.allDeleted()).isTrue();
        assertThat(store.listAll("d/")).extracting(ObjectInfo::key).containsExactly("d/2");
        assertThat(store.delete(List.of()).allDeleted()).isTrue();
    }

    @Test
    void deleteOfMoreThanOneBatchRemovesEverything() {
        List<String> keys = IntStream.range(0, 1_005).mapToObj(i -> String.format("many/%05d", i)).toList();
        parallel(keys, k -> store.put(k, new byte[0], PutOptions.DEFAULT));
        assertThat(store.listAll("many/")).hasSize(1_005);

        DeleteResult r = store.delete(keys);

        assertThat(r.allDeleted()).isTrue();
        assertThat(r.deleted()).isEqualTo(1_005);
        assertThat(store.listAll("many/")).isEmpty();
    }

    // ---- copy ---------------------------------------------------------------------------------

    @Test
    void copyDuplicatesContentWithTheNewMetadata() {
        store.put("src", bytes("copy me"), PutOptions.builder().metadata("a", "1").build());

        PutResult r = store.copy("src", "dst", PutOptions.builder().metadata("b", "2").build());

        assertThat(store.get("dst")).isEqualTo(bytes("copy me"));
        assertThat(store.get("src")).isEqualTo(bytes("copy me"));
        assertThat(r.size()).isEqualTo(7);
        assertThat(r.etag()).isEqualTo(store.head("dst").etag());
        if (supportsMetadata()) {
            assertThat(store.head("dst").metadata()).containsEntry("b", "2").doesNotContainKey("a");
        }
    }

    @Test
    void copyOfMissingSourceIsNotFound() {
        assertThatThrownBy(() -> store.copy("no-source", "dst", PutOptions.DEFAULT))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no-source");
        assertThat(store.find("dst")).isEmpty();
    }

    @Test
    void copyRefusesWriteConditions() {
        store.put("src", bytes("x"), PutOptions.DEFAULT);
        assertThatThrownBy(() -> store.copy("src", "dst", PutOptions.builder().ifNoneMatch().build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- storage classes ----------------------------------------------------------------------

    @Test
    void storageClassIsKept() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsStorageClasses());
        store.put("ia", bytes("x"), PutOptions.DEFAULT.withStorageClass(StorageClass.STANDARD_IA));

        assertThat(store.head("ia").storageClass()).isEqualTo(StorageClass.STANDARD_IA);
        assertThat(store.head("ia").archiveState()).isEqualTo(ArchiveState.ONLINE);
        assertThat(store.list("ia", null, 1).objects().getFirst().storageClass()).isEqualTo(StorageClass.STANDARD_IA);
    }

    // ---- conditional writes -------------------------------------------------------------------

    @Test
    void ifNoneMatchCreatesOnlyWhenAbsent() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsConditionalWrites());
        PutOptions createOnly = PutOptions.builder().ifNoneMatch().build();

        store.put("once", bytes("first"), createOnly);
        assertThatThrownBy(() -> store.put("once", bytes("second"), createOnly))
                .isInstanceOf(PreconditionFailedException.class);

        assertThat(store.get("once")).isEqualTo(bytes("first"));
    }

    @Test
    void ifMatchReplacesOnlyTheExpectedVersion() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsConditionalWrites());
        PutResult v1 = store.put("cas", bytes("v1"), PutOptions.DEFAULT);
        PutResult v2 = store.put("cas", bytes("v2"), PutOptions.builder().ifMatch(v1.etag()).build());

        assertThatThrownBy(() -> store.put("cas", bytes("v3"), PutOptions.builder().ifMatch(v1.etag()).build()))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(store.get("cas")).isEqualTo(bytes("v2"));
        assertThat(store.head("cas").etag()).isEqualTo(v2.etag());
    }

    @Test
    void ifMatchOnAbsentObjectFails() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsConditionalWrites());
        assertThatThrownBy(() -> store.put("absent", bytes("x"),
                PutOptions.builder().ifMatch("0123456789abcdef0123456789abcdef").build()))
                .isInstanceOf(ObjectStoreException.class)
                .isInstanceOfAny(PreconditionFailedException.class, NotFoundException.class);
        assertThat(store.find("absent")).isEmpty();
    }

    @Test
    void concurrentCreateOnlyWritesHaveExactlyOneWinner() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsConditionalWrites());
        PutOptions createOnly = PutOptions.builder().ifNoneMatch().build();
        int writers = 8;
        List<Integer> winners = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try {
                        store.put("race", bytes("writer " + id), createOnly);
                        return true;
                    } catch (PreconditionFailedException lost) {
                        return false;
                    }
                }));
            }
            for (int i = 0; i < writers; i++) {
                if (results.get(i).get()) {
                    winners.add(i);
                }
            }
        }
        assertThat(winners).hasSize(1);
        assertThat(store.get("race")).isEqualTo(bytes("writer " + winners.getFirst()));
    }

    // ---- large files --------------------------------------------------------------------------

    @Test
    void putLargeOfASmallFileStoresItWhole() throws Exception {
        Path f = tmp.resolve("small.bin");
        byte[] data = random(100_000, 3);
        Files.write(f, data);

        PutResult r = store.putLarge("large/small", f, PutOptions.DEFAULT);

        assertThat(r.size()).isEqualTo(100_000);
        assertThat(store.get("large/small")).isEqualTo(data);
    }

    @Test
    void putLargeUploadsInPartsAndTheObjectReadsBackIdentically() throws Exception {
        Path f = tmp.resolve("big.bin");
        byte[] data = random((int) (2 * PART_SIZE + 123_457), 4);
        Files.write(f, data);

        PutResult r = store.putLarge("large/big", f,
                PutOptions.builder().metadata("kind", "big").build());

        assertThat(r.size()).isEqualTo(data.length);
        assertThat(r.etag()).endsWith("-3");
        assertThat(store.head("large/big").size()).isEqualTo(data.length);
        assertThat(store.head("large/big").etag()).isEqualTo(r.etag());
        assertThat(store.get("large/big")).isEqualTo(data);
        assertThat(store.get("large/big", ByteRange.of(PART_SIZE - 10, 20)))
                .isEqualTo(java.util.Arrays.copyOfRange(data, (int) PART_SIZE - 10, (int) PART_SIZE + 10));
        if (supportsMetadata()) {
            assertThat(store.head("large/big").metadata()).containsEntry("kind", "big");
        }
    }

    @Test
    void putLargeWithIfNoneMatchOnAnExistingKeyFailsAndKeepsTheOldObject() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsConditionalWrites());
        store.put("large/exists", bytes("old"), PutOptions.DEFAULT);
        Path f = tmp.resolve("big2.bin");
        Files.write(f, random((int) (PART_SIZE + 1000), 5));

        assertThatThrownBy(() -> store.putLarge("large/exists", f, PutOptions.builder().ifNoneMatch().build()))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(store.get("large/exists")).isEqualTo(bytes("old"));
    }

    @Test
    void putLargeAsksThePacerBeforeEachPart() throws Exception {
        Path f = tmp.resolve("paced.bin");
        byte[] data = random((int) (2 * PART_SIZE + 123_457), 6);
        Files.write(f, data);
        List<Long> asked = java.util.Collections.synchronizedList(new ArrayList<>());

        store.putLarge("large/paced", f, PutOptions.DEFAULT, asked::add);

        assertThat(asked).containsExactlyInAnyOrder(PART_SIZE, PART_SIZE, 123_457L);
        assertThat(store.get("large/paced")).isEqualTo(data);
        Path small = Files.write(tmp.resolve("paced-small.bin"), random(100_000, 7));
        asked.clear();
        store.putLarge("large/paced-small", small, PutOptions.DEFAULT, asked::add);
        assertThat(asked).containsExactly(100_000L);
    }

    @Test
    void putLargeInterruptedInThePacerStoresNothing() throws Exception {
        Path f = tmp.resolve("interrupted.bin");
        Files.write(f, random((int) (2 * PART_SIZE + 10), 8));
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        UploadPacer interrupting = bytes -> {
            if (calls.incrementAndGet() == 2) {
                throw new InterruptedException("interrupted while waiting for bandwidth");
            }
        };

        assertThatThrownBy(() -> store.putLarge("large/interrupted", f, PutOptions.DEFAULT, interrupting))
                .isInstanceOf(StoreFailureException.class).hasMessageContaining("interrupted");
        assertThat(Thread.interrupted()).as("the interrupt flag is set again").isTrue();
        assertThat(store.find("large/interrupted")).isEmpty();
    }

    @Test
    void putLargeOfAMissingFileFailsWithTheFileName() {
        Path missing = tmp.resolve("does-not-exist.bin");
        assertThatThrownBy(() -> store.putLarge("large/missing", missing, PutOptions.DEFAULT))
                .isInstanceOf(StoreFailureException.class).hasMessageContaining("does-not-exist.bin");
    }

    // ---- concurrency --------------------------------------------------------------------------

    @Test
    void concurrentWritersAndReadersOfDistinctKeysSeeTheirOwnData() {
        List<String> keys = IntStream.range(0, 64).mapToObj(i -> "conc/" + i).toList();
        parallel(keys, k -> {
            byte[] mine = random(4096, k.hashCode());
            store.put(k, mine, PutOptions.DEFAULT);
            assertThat(store.get(k)).isEqualTo(mine);
        });
        assertThat(store.listAll("conc/")).hasSize(64);
    }

    @Test
    void describeNamesTheStore() {
        assertThat(store.describe()).isNotBlank();
    }

    // ---- helpers ------------------------------------------------------------------------------

    protected static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    protected static void parallel(List<String> keys, java.util.function.Consumer<String> action) {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> fs = keys.stream().map(k -> pool.submit(() -> action.accept(k))).<Future<?>>map(f -> f).toList();
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    protected static Map<String, String> meta(String k, String v) {
        return Map.of(k, v);
    }
}
