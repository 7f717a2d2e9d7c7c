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
        assertThat(blocks).hasSize(2);
        Map<String, String> env = Map.of("STOWAGE_S3_SECRET_ACCESS_KEY", "docs-example-secret");
        GatewayConfig aws = ConfigLoader.fromFile(Files.writeString(dir.resolve("aws.yaml"), blocks.get(0)), Map.of());
        assertThat(aws.s3().endpoint()).isNull();
        assertThat(aws.s3().encryption()).isInstanceOf(S3Settings.Encryption.Kms.class);
        GatewayConfig minio = ConfigLoader.fromFile(Files.writeString(dir.resolve("minio.yaml"), blocks.get(1)), env);
        assertThat(minio.s3().pathStyle()).isTrue();
        assertThat(minio.s3().credentials())
                .isEqualTo(new S3Settings.Credentials.Static("stowage-gateway", "docs-example-secret", null));
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
