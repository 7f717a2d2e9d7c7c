package dev.stowage.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplianceTest {

    private final List<String> events = new ArrayList<>();

    private Service service(String name, boolean failStart) {
        return new Service() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() throws IOException {
                if (failStart) {
                    throw new IOException(name + " cannot start");
                }
                events.add("start " + name);
            }

            @Override
            public void stop() {
                events.add("stop " + name);
            }
        };
    }

    @Test
    void startsInOrderAndStopsInReverseOnce() throws Exception {
        Appliance a = new Appliance(List.of(service("s3", false), service("health", false), service("iscsi", false)));
        a.start();
        a.stop();
        a.stop();
        assertThat(events).containsExactly("start s3", "start health", "start iscsi", "stop iscsi", "stop health", "stop s3");
    }

    @Test
    void failedStartStopsWhatAlreadyRuns() {
        Appliance a = new Appliance(List.of(service("s3", false), service("health", false), service("iscsi", true)));
        assertThatThrownBy(a::start).hasMessage("iscsi cannot start");
        assertThat(events).containsExactly("start s3", "start health", "stop health", "stop s3");
    }

    @Test
    void dataDirLockRefusesASecondHolder(@TempDir Path dir) throws Exception {
        try (DataDirLock first = DataDirLock.acquire(dir)) {
            assertThat(first).isNotNull();
            assertThatThrownBy(() -> DataDirLock.acquire(dir))
                    .isInstanceOf(DataDirLock.LockedException.class)
                    .hasMessageStartingWith("data directory " + dir + " is in use by another Stowage process")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        DataDirLock.acquire(dir).close();
    }
}
