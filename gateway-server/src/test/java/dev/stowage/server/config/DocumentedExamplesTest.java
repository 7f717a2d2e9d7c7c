package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.store.s3.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The YAML examples in docs/configuration.md are valid, and every key in the code is documented. */
class DocumentedExamplesTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @TempDir
    Path dir;

    private static List<String> yamlBlocks(String doc) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void examplesLoad() throws Exception {
        List<String> blocks = yamlBlocks(Files.readString(DOC));
        assertThat(blocks).hasSize(5);
        Map<String, String> env = Map.of("STOWAGE_S3_SECRET_ACCESS_KEY", "docs-example-secret");
        GatewayConfig aws = ConfigLoader.fromFile(Files.writeString(dir.resolve("aws.yaml"), blocks.get(1)), Map.of());
        assertThat(aws.s3().endpoint()).isNull();
        assertThat(aws.s3().encryption()).isInstanceOf(S3Settings.Encryption.Kms.class);
        GatewayConfig minio = ConfigLoader.fromFile(Files.writeString(dir.resolve("minio.yaml"), blocks.get(2)), env);
        assertThat(minio.s3().pathStyle()).isTrue();
        assertThat(minio.s3().credentials())
                .isEqualTo(new S3Settings.Credentials.Static("stowage-gateway", "docs-example-secret", null));
        Map<String, String> data = Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString());
        GatewayConfig demo = ConfigLoader.fromFile(Files.writeString(dir.resolve("demo.yaml"), blocks.get(0)), data);
        assertThat(demo.embeddedS3Port()).isEqualTo(9555);
        assertThat(demo.iscsi().targets().get(0).luns().get(0).path()).isEqualTo(dir.resolve("data/iscsi/demo-disk.img"));
        assertThat(demo.iscsi().targets().get(1).luns().get(0).volume()).isEqualTo("demo-cached");
        assertThat(demo.iscsi().targets().get(2).luns().get(0).type()).isEqualTo(IscsiSettings.LunType.STORED);
        assertThat(demo.iscsi().targets().get(2).luns().get(0).path()).isEqualTo(dir.resolve("data/iscsi/demo-stored.img"));
        assertThat(demo.cache().sizeBytes()).isEqualTo(256L << 20);
        // The iSCSI example's data_dir is /var/lib/stowage; point it at a temporary directory.
        String iscsiYaml = blocks.get(3).replace("/var/lib/stowage", dir.resolve("var").toString());
        GatewayConfig iscsi = ConfigLoader.fromFile(Files.writeString(dir.resolve("iscsi.yaml"), iscsiYaml), env);
        assertThat(iscsi.iscsi().targets()).hasSize(2);
        assertThat(iscsi.iscsi().targets().get(0).chap().mutual()).isTrue();
        assertThat(iscsi.iscsi().targets().get(0).luns().get(1).blockSize()).isEqualTo(4096);
        assertThat(iscsi.iscsi().targets().get(1).luns().get(1).type()).isEqualTo(IscsiSettings.LunType.CACHED);
        assertThat(iscsi.iscsi().targets().get(1).luns().get(1).snapshotSchedule())
                .isEqualTo(new SnapshotScheduleConfig(12, 1, java.time.ZoneId.of("UTC"), 14, "scheduled snapshot of scratch-vol"));
        assertThat(iscsi.iscsi().targets().get(1).luns().get(2).volume()).isEqualTo("scratch-local");
        assertThat(iscsi.iscsi().targets().get(1).luns().get(2).snapshotSchedule().everyHours()).isEqualTo(6);
        assertThat(iscsi.cache().dir()).isEqualTo(dir.resolve("var/cache"));
        String bandwidthYaml = blocks.get(4).replace("/var/lib/stowage", dir.resolve("var").toString());
        GatewayConfig branch = ConfigLoader.fromFile(Files.writeString(dir.resolve("bw.yaml"), bandwidthYaml), Map.of());
        var bw = branch.bandwidth();
        assertThat(bw.zone()).isEqualTo(java.time.ZoneId.of("Europe/Berlin"));
        // Tuesday 2026-11-24, 10:00 in Berlin (09:00 UTC): office hours.
        assertThat(bw.limitsAt(java.time.Instant.parse("2026-11-24T09:00:00Z")))
                .isEqualTo(new dev.stowage.core.store.throttle.BandwidthSchedule.Limits(25_000_000, 75_000_000));
        // 23:00 in Berlin: uploads and downloads free.
        assertThat(bw.limitsAt(java.time.Instant.parse("2026-11-24T22:00:00Z")).unlimited()).isTrue();
    }

    @Test
    void everyKeyAndVariableIsDocumented() throws Exception {
        String doc = Files.readString(DOC);
        for (String key : ConfigKeys.LEAVES) {
            assertThat(doc).as("docs mention key %s", key).contains("`" + key + "`");
            assertThat(doc).as("docs mention variable for %s", key).contains(ConfigKeys.envName(key));
        }
    }
}
