package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirsTest {

    @TempDir
    Path dir;

    @Test
    void variableWins() {
        assertThat(DataDirs.defaultDir(Map.of("STOWAGE_DATA_DIR", dir.resolve("x").toString()), dir.toString()))
                .isEqualTo(dir.resolve("x"));
    }

    @Test
    void homeShareDirectory() {
        assertThat(DataDirs.defaultDir(Map.of(), dir.toString())).isEqualTo(dir.resolve(".local/share/stowage"));
        assertThat(dir.resolve(".local/share")).isDirectory();
    }

    @Test
    void unusableHomeFallsBackToWorkingDirectory() throws Exception {
        Path notADir = Files.writeString(dir.resolve("home-is-a-file"), "");
        Path fallback = Path.of("stowage-data").toAbsolutePath();
        assertThat(DataDirs.defaultDir(Map.of(), notADir.toString())).isEqualTo(fallback);
        assertThat(DataDirs.defaultDir(Map.of(), null)).isEqualTo(fallback);
    }
}
