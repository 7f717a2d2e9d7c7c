package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code iscsi} section and {@code s3.embedded}: what loads, and the one-line errors operators see. */
class IscsiConfigTest {

    @TempDir
    Path dir;

    private static final String S3 = """
            s3:
              endpoint: https://s3.example.com:9000
              bucket: backups
              credentials: {access_key_id: AKIAEXAMPLE, secret_access_key: wJalrXUtnFEMIexampleSECRETkey}
            """;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("stowage.yaml"), yaml, StandardCharsets.UTF_8);
    }

    private GatewayConfig load(String yaml, Map<String, String> env) throws IOException {
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("STOWAGE_DATA_DIR", dir.resolve("data").toString());
        return ConfigLoader.fromFile(write(yaml), e);
    }

    private GatewayConfig load(String yaml) throws IOException {
        return load(yaml, Map.of());
    }

    private AbstractThrowableAssert<?, ? extends Throwable> error(String yaml) throws IOException {
        Path f = write(yaml);
        return assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString())))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("config error: ").doesNotContain("\n"));
    }

    /** One target with one LUN 0; {@code chap} lines go inside the target, {@code lun} lines (indented by 6) inside the LUN. */
    private static String target(String chap, String lun) {
        return S3 + """
                iscsi:
                  listen: 127.0.0.1:3260
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:disk1
                """ + chap + """
                      luns:
                        - lun: 0
                """ + lun.lines().map(l -> "    " + l + "\n").collect(java.util.stream.Collectors.joining());
    }

    @Test
    void fullSectionLoads() throws IOException {
        Path existing = dir.resolve("existing.img");
        try (RandomAccessFile f = new RandomAccessFile(existing.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        GatewayConfig c = load(S3 + """
                data_dir: %s
                iscsi:
                  listen: "[::1]:3261"
                  discovery_chap: {user: disco, secret: disco-secret-01}
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:disk1
                      alias: disk1
                      chap: {user: u, secret: initiator-sec1, mutual_user: mu, mutual_secret: target-secret1}
                      allowed_initiators: [iqn.1993-08.org.debian:01:abcdef]
                      luns:
                        - lun: 0
                          type: file
                          path: disks/disk1.img
                          size: 10GiB
                          block_size: 4096
                        - lun: 1
                          path: %s
                          read_only: true
                        - lun: 2
                          type: memory
                          size: 64MiB
                    - iqn: iqn.2026-11.dev.stowage:disk2
                      luns: [{lun: 0, type: memory, size: 2TiB}]
                """.formatted(dir.resolve("data"), existing));
        IscsiSettings i = c.iscsi();
        assertThat(i.listen().getPort()).isEqualTo(3261);
        assertThat(i.listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(i.discoveryChap().user()).isEqualTo("disco");
        IscsiSettings.Target t = i.targets().get(0);
        assertThat(t.alias()).isEqualTo("disk1");
        assertThat(t.chap().mutual()).isTrue();
        assertThat(t.allowedInitiators()).containsExactly("iqn.1993-08.org.debian:01:abcdef");
        IscsiSettings.Lun l0 = t.luns().get(0);
        assertThat(l0.path()).as("relative paths are inside data_dir").isEqualTo(dir.resolve("data/disks/disk1.img"));
        assertThat(l0.sizeBytes()).isEqualTo(10L << 30);
        assertThat(l0.blockSize()).isEqualTo(4096);
        assertThat(l0.create()).isTrue();
        IscsiSettings.Lun l1 = t.luns().get(1);
        assertThat(l1.sizeBytes()).as("size of the existing file").isEqualTo(8L << 20);
        assertThat(l1.readOnly()).isTrue();
        assertThat(l1.create()).isFalse();
        assertThat(t.luns().get(2).type()).isEqualTo(IscsiSettings.LunType.MEMORY);
        assertThat(i.targets().get(1).luns().get(0).sizeBytes()).isEqualTo(2L << 40);
        assertThat(c.warnings()).isEmpty();
        // Secrets never show in toString().
        assertThat(c.toString()).doesNotContain("initiator-sec1", "target-secret1", "disco-secret-01")
                .contains("mutualUser=mu");
    }

    @Test
    void noSectionMeansNoIscsiAndDefaultListenIsLoopback() throws IOException {
        assertThat(load(S3).iscsi()).isNull();
        GatewayConfig c = load(target("", "      type: memory\n      size: 1MiB\n").replace("  listen: 127.0.0.1:3260\n", ""));
        assertThat(c.iscsi().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.iscsi().listen().getPort()).isEqualTo(3260);
    }

    @Test
    void listenAndDiscoverySecretFromEnvironment() throws IOException {
        GatewayConfig c = load(target("", "      type: memory\n      size: 1MiB\n"),
                Map.of("STOWAGE_ISCSI_LISTEN", "127.0.0.1:0", "STOWAGE_ISCSI_DISCOVERY_CHAP_USER", "d",
                        "STOWAGE_ISCSI_DISCOVERY_CHAP_SECRET", "env-disco-secret"));
        assertThat(c.iscsi().listen().getPort()).isZero();
        assertThat(c.iscsi().discoveryChap().secret()).isEqualTo("env-disco-secret");
        assertThatThrownBy(() -> load(target("", "      type: memory\n      size: 1MiB\n"),
                Map.of("STOWAGE_ISCSI_LISTEN", "localhost")))
                .hasMessage("config error: iscsi.listen (from STOWAGE_ISCSI_LISTEN): 'localhost' is not a host:port address; "
                        + "write host:port, e.g. 127.0.0.1:3260 ([::1]:port for IPv6)");
    }

    @Test
    void openTargetOnANetworkAddressIsWarnedAbout() throws IOException {
        GatewayConfig c = load(target("", "      type: memory\n      size: 1MiB\n").replace("127.0.0.1:3260", "0.0.0.0:3260"));
        assertThat(c.warnings()).containsExactly("iSCSI target iqn.2026-11.dev.stowage:disk1 has no CHAP and the portal "
                + "listens on 0.0.0.0; every initiator that reaches it can log in");
    }

    @Test
    void badNames() throws IOException {
        String lun = "      type: memory\n      size: 1MiB\n";
        error(target("", lun).replace("iqn.2026-11.dev.stowage:disk1", "iqn.2026-13.dev.stowage:disk1"))
                .hasMessage("config error: iscsi.targets[0].iqn: 'iqn.2026-13.dev.stowage:disk1' is not a valid iSCSI name; "
                        + "write iqn.YYYY-MM.reversed.domain:name in lower case, e.g. iqn.2026-11.com.example:disk1 "
                        + "(or eui. plus 16 hex digits)");
        error(target("", lun).replace("iqn.2026-11.dev.stowage:disk1", "iqn.2026-11.dev.stowage:Disk1"))
                .hasMessage("config error: iscsi.targets[0].iqn: 'iqn.2026-11.dev.stowage:Disk1' has upper-case letters; "
                        + "iSCSI names are compared in lower case; write it as 'iqn.2026-11.dev.stowage:disk1'");
        error(target("", lun).replace("iqn.2026-11.dev.stowage:disk1", "disk1"))
                .hasMessageStartingWith("config error: iscsi.targets[0].iqn: 'disk1' is not a valid iSCSI name");
        error(target("      allowed_initiators: [iqn.1993-08.org.debian:01:ok, 'my host']\n", lun))
                .hasMessageStartingWith("config error: iscsi.targets[0].allowed_initiators[1]: 'my host' is not a valid iSCSI name");
    }

    @Test
    void duplicateIqnAndLun() throws IOException {
        error(S3 + """
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:disk1
                      luns: [{lun: 0, type: memory, size: 1MiB}]
                    - iqn: iqn.2026-11.dev.stowage:disk1
                      luns: [{lun: 0, type: memory, size: 1MiB}]
                """).hasMessage("config error: iscsi.targets[1].iqn: 'iqn.2026-11.dev.stowage:disk1' is already used by "
                + "iscsi.targets[0]; give each target its own IQN");
        error(S3 + """
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:disk1
                      luns: [{lun: 3, type: memory, size: 1MiB}, {lun: 3, type: memory, size: 1MiB}]
                """).hasMessage("config error: iscsi.targets[0].luns[1].lun: LUN 3 is already defined by "
                + "iscsi.targets[0].luns[0]; give each LUN of a target its own number");
        error(S3 + "iscsi:\n  listen: 127.0.0.1:3260\n")
                .hasMessageStartingWith("config error: iscsi.targets: no target is configured; add at least one target");
        assertThatThrownBy(() -> load(S3, Map.of("STOWAGE_ISCSI_LISTEN", "127.0.0.1:3260")))
                .hasMessageEndingWith("or remove the iscsi section (STOWAGE_ISCSI_* variables set only the portal, not targets)");
        error(S3 + "iscsi:\n  targets:\n    - iqn: iqn.2026-11.dev.stowage:disk1\n")
                .hasMessageStartingWith("config error: iscsi.targets[0].luns: the target has no LUN");
    }

    @Test
    void chapSecretsAreCheckedAndNeverQuoted() throws IOException {
        String lun = "      type: memory\n      size: 1MiB\n";
        error(target("      chap: {user: u, secret: short-pw}\n", lun))
                .hasMessage("config error: iscsi.targets[0].chap.secret: the secret is 8 bytes long; use 12 to 16 bytes "
                        + "(RFC 7143 asks for at least 96 bits of random secret; 12-16 is also the range AWS Storage Gateway "
                        + "and the Windows initiator accept)")
                .message().doesNotContain("short-pw");
        error(target("      chap: {user: u, secret: far-too-long-secret-1}\n", lun))
                .hasMessageStartingWith("config error: iscsi.targets[0].chap.secret: the secret is 21 bytes long; use 12 to 16 bytes");
        error(target("      chap: {user: u, secret: same-secret-12, mutual_user: t, mutual_secret: same-secret-12}\n", lun))
                .hasMessage("config error: iscsi.targets[0].chap.mutual_secret: is the same as iscsi.targets[0].chap.secret; "
                        + "use a different secret for each direction (RFC 7143 forbids reusing it)")
                .message().doesNotContain("same-secret-12");
        error(target("      chap: {user: u, secret: initiator-sec1, mutual_user: t}\n", lun))
                .hasMessageStartingWith("config error: iscsi.targets[0].chap.mutual_secret: is missing; mutual CHAP needs both");
        error(target("      chap: {secret: initiator-sec1}\n", lun))
                .hasMessageStartingWith("config error: iscsi.targets[0].chap.user: is missing");
        // A type error next to a secret does not echo it either.
        error(target("      chap:\n        user: u\n        secret: [initiator-sec1]\n", lun))
                .message().startsWith("config error: iscsi.targets[0].chap.secret").doesNotContain("initiator-sec1");
    }

    @Test
    void lunProblems() throws IOException {
        error(target("", "      type: file\n      size: 1GiB\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].path: is missing for type: file; write the disk image's path");
        error(target("", "      type: disk\n      size: 1GiB\n"))
                .hasMessage("config error: iscsi.targets[0].luns[0].type: 'disk' is not a LUN type; write file, memory, cached or stored");
        error(target("", "      type: memory\n      size: 10 gigs\n"))
                .hasMessage("config error: iscsi.targets[0].luns[0].size: '10 gigs' is not a size; write a number of bytes "
                        + "with an optional unit: 16MiB, 512KiB, 1GiB, 2TiB");
        error(target("", "      type: memory\n      size: 1000\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].size: '1000' is not a positive whole number of 512-byte blocks");
        error(target("", "      type: memory\n      size: 1MiB\n      block_size: 1024\n"))
                .hasMessage("config error: iscsi.targets[0].luns[0].block_size: 1024 is not a supported block size; write 512 or 4096");
        error(target("", "      type: file\n      path: new.img\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].size: is missing, and " + dir.resolve("data/new.img")
                        + " does not exist yet; write the size to create it with");
        error(target("", "      type: memory\n      size: 1MiB\n      path: x.img\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].path: is only used with type: file");
        error(target("", "      type: memory\n      size: 1MiB\n").replace("- lun: 0", "- lun: 20000"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].lun: 20000 is out of range");
    }

    @Test
    void existingFileMustMatchSize() throws IOException {
        Path img = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        error(target("", "      path: " + img + "\n      size: 2MiB\n"))
                .hasMessage("config error: iscsi.targets[0].luns[0].size: '2MiB' (2097152 bytes) does not match the existing file "
                        + img + ", which is smaller (1048576 bytes); remove size to use the file as it is, or resize the file "
                        + "first (Stowage never grows or cuts an existing disk)");
        assertThat(load(target("", "      path: " + img + "\n      size: 1MiB\n")).iscsi().targets().get(0).luns().get(0).sizeBytes())
                .isEqualTo(1 << 20);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength((1 << 20) + 100);
        }
        error(target("", "      path: " + img + "\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].path: " + img
                        + " is 1048676 bytes, not a positive whole number of 512-byte blocks");
        error(target("", "      path: " + dir + "\n      size: 1MiB\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].path: " + dir + " is a directory");
        error(target("", "      path: " + dir.resolve("missing.img") + "\n      size: 1MiB\n      read_only: true\n"))
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[0].path: " + dir.resolve("missing.img")
                        + " does not exist, and a read-only LUN cannot create it");
        error(S3 + """
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:a
                      luns: [{lun: 0, path: one.img, size: 1MiB}]
                    - iqn: iqn.2026-11.dev.stowage:b
                      luns: [{lun: 0, path: one.img, size: 1MiB}]
                """).hasMessage("config error: iscsi.targets[1].luns[0].path: " + dir.resolve("data/one.img")
                + " is already used by iscsi.targets[0].luns[0]; give each LUN its own file");
    }

    @Test
    void embeddedStore() throws IOException {
        GatewayConfig c = load("s3: {embedded: true, embedded_port: 0}\n");
        assertThat(c.embeddedS3Port()).isZero();
        assertThat(load("s3: {embedded: true}\n").embeddedS3Port()).isEqualTo(9555);
        assertThat(load(S3).embeddedS3Port()).isNull();
        error("s3: {embedded: true, bucket: mine}\n")
                .hasMessage("config error: s3.bucket: is not used with s3.embedded: true (the embedded store sets its own); "
                        + "remove it, or remove s3.embedded to use another S3 service");
        error(S3.replace("bucket: backups", "bucket: backups\n  embedded_port: 9000"))
                .hasMessage("config error: s3.embedded_port: is only used with s3.embedded: true; remove it, or set s3.embedded: true");
    }
}
