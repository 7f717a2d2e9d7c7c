package dev.stowage.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stowage.core.store.memory.InMemoryObjectStore;

/** The paced {@code putLarge} reaches the wrapped store part by part, yet never skips a layer that changed putLarge. */
class ForwardingObjectStoreTest {

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore("mem", Clock.systemUTC(), 1000, 1000);

    @Test
    void aLayerThatChangesNothingPassesThePacerOnPartByPart() throws Exception {
        ObjectStore plain = new ForwardingObjectStore(memory) { };
        List<Long> asked = new ArrayList<>();
        plain.putLarge("k", Files.write(dir.resolve("f"), new byte[2500]), PutOptions.DEFAULT, asked::add);
        assertThat(asked).containsExactly(1000L, 1000L, 500L);
    }

    @Test
    void aLayerThatOverridesOnlyTheOldPutLargeStillSeesPacedCalls() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        ObjectStore counting = new ForwardingObjectStore(memory) {
            @Override
            public PutResult putLarge(String key, Path file, PutOptions options) {
                seen.incrementAndGet();
                return delegate().putLarge(key, file, options);
            }
        };
        List<Long> asked = new ArrayList<>();
        counting.putLarge("k", Files.write(dir.resolve("f"), new byte[2500]), PutOptions.DEFAULT, asked::add);
        assertThat(seen).hasValue(1);
        assertThat(asked).as("paced as a whole before the call").containsExactly(2500L);
        assertThat(memory.get("k")).hasSize(2500);
    }
}
