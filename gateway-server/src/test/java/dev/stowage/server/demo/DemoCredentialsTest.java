package dev.stowage.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void generatedOnceKeptPrivateAndReadBack() throws Exception {
        Path file = dir.resolve("demo-s3/credentials");
        DemoCredentials first = DemoCredentials.loadOrCreate(file);
        assertThat(first.generated()).isTrue();
        assertThat(first.accessKeyId()).startsWith("STOWAGE").hasSize(20);
        assertThat(first.secretAccessKey()).hasSize(40).matches("[A-Za-z0-9]+");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        DemoCredentials again = DemoCredentials.loadOrCreate(file);
        assertThat(again.generated()).isFalse();
        assertThat(again.accessKeyId()).isEqualTo(first.accessKeyId());
        assertThat(again.secretAccessKey()).isEqualTo(first.secretAccessKey());

        DemoCredentials other = DemoCredentials.loadOrCreate(dir.resolve("other/credentials"));
        assertThat(other.secretAccessKey()).isNotEqualTo(first.secretAccessKey());
    }

    @Test
    void looseningPermissionsIsRepaired() throws Exception {
        Path file = dir.resolve("credentials");
        DemoCredentials.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        DemoCredentials.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void damagedFileIsAClearError() throws Exception {
        Path file = Files.writeString(dir.resolve("credentials"), "access_key_id=ONLYKEY\n");
        assertThatThrownBy(() -> DemoCredentials.loadOrCreate(file)).isInstanceOf(IOException.class)
                .hasMessage("the demo credentials file " + file
                        + " is damaged; delete it to generate new credentials (the demo data stays)");
    }
}
