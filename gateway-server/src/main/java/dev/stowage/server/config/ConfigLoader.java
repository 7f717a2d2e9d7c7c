package dev.stowage.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stowage.server.logging.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the YAML configuration file, applies the environment overrides described in
 * {@link ConfigKeys}, binds the result to {@link RawConfig} (unknown keys are errors) and checks it
 * with {@link ConfigValidator}.
 *
 * <p>Stateless and thread-safe. Every problem is reported as one {@link ConfigException} naming
 * the dotted key and the fix; secret values found in the file or the environment are registered
 * with {@link Redactor} before anything else happens, so no message can carry them.
 */
public final class ConfigLoader {

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Secret-looking lines, found by text before parsing so that even a YAML syntax error cannot echo them. */
    private static final Pattern SECRET_LINE =
            Pattern.compile("(?m)^\\s*(?:-\\s*)?(?:secret_access_key|session_token|secret|mutual_secret)\\s*:\\s*['\"]?([^'\"#\\s]+)");
    /** The same in flow style ({@code chap: {user: u, secret: s}}). */
    private static final Pattern SECRET_FLOW =
            Pattern.compile("[{,]\\s*(?:secret_access_key|session_token|secret|mutual_secret)\\s*:\\s*['\"]?([^'\"#\\s,}]+)");

    private ConfigLoader() {
    }

    /** Loads {@code file} with {@code env}'s overrides. */
    public static GatewayConfig fromFile(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "the configuration file does not exist",
                    "check the path given with --config or " + ConfigKeys.CONFIG_FILE_ENV);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read the configuration file (" + e + ")",
                    "check that the file is readable by this user");
        }
        for (Pattern p : List.of(SECRET_LINE, SECRET_FLOW)) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                Redactor.register(m.group(1));
            }
        }
        registerEnvSecrets(env);
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw translate(e, file.toString(), Map.of());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(file.toString(), "the file must be a YAML mapping of sections (s3:, health:, ...)",
                    "see docs/configuration.md for an example");
        }
        return fromTree((ObjectNode) tree, file.toString(), env);
    }

    /**
     * Builds the configuration from {@code base} (a file's content, or settings made by the demo
     * appliance) plus {@code env}'s overrides.
     */
    public static GatewayConfig fromTree(ObjectNode base, String source, Map<String, String> env) {
        registerEnvSecrets(env);
        registerTreeSecrets(base);
        ObjectNode tree = base.deepCopy();
        for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
            String section = it.next();
            if (ConfigKeys.NOT_YET_SECTIONS.contains(section)) {
                throw new ConfigException(section, "this section is not available yet in this version of Stowage",
                        "remove it (see docs/configuration.md for what can be configured)");
            }
        }
        Map<String, String> origins = applyEnv(tree, env);
        List<String> warnings = unknownEnvWarnings(env);
        RawConfig raw;
        try {
            raw = MAPPER.treeToValue(tree, RawConfig.class);
        } catch (JsonProcessingException e) {
            throw translate(e, source, origins);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, "the configuration could not be read (" + e.getMessage() + ")", null);
        }
        return new ConfigValidator(env, origins).validate(raw == null ? new RawConfig(null, null, null, null, null, null, null) : raw,
                source, warnings);
    }

    /** Sets each overridden key in the tree; returns key -> variable that set it. */
    private static Map<String, String> applyEnv(ObjectNode tree, Map<String, String> env) {
        Map<String, String> origins = new HashMap<>();
        for (Map.Entry<String, String> e : ConfigKeys.envToKey().entrySet()) {
            String value = env.get(e.getKey());
            if (value == null || value.isEmpty()) {
                continue;
            }
            String[] parts = e.getValue().split("\\.");
            ObjectNode node = tree;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = node.get(parts[i]);
                if (!(child instanceof ObjectNode)) {
                    child = node.putObject(parts[i]);
                }
                node = (ObjectNode) child;
            }
            node.put(parts[parts.length - 1], value);
            origins.put(e.getValue(), e.getKey());
        }
        return origins;
    }

    private static List<String> unknownEnvWarnings(Map<String, String> env) {
        Map<String, String> known = ConfigKeys.envToKey();
        List<String> warnings = new ArrayList<>();
        for (String name : env.keySet().stream().sorted().toList()) {
            if (name.startsWith("STOWAGE_") && !known.containsKey(name) && !name.equals(ConfigKeys.CONFIG_FILE_ENV)
                    && !name.startsWith("STOWAGE_DEMO_") && !name.startsWith("STOWAGE_JAVA")) {
                String guess = Values.closest(name, known.keySet());
                warnings.add("environment variable " + name + " is not a Stowage setting and is ignored"
                        + (guess == null ? "" : " (did you mean " + guess + "?)"));
            }
        }
        return warnings;
    }

    /** Registers the value of every secret key anywhere in the tree (lists included). */
    private static void registerTreeSecrets(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (ConfigKeys.SECRET_LEAVES.contains(e.getKey()) && e.getValue().isValueNode()) {
                    Redactor.register(e.getValue().asText());
                } else {
                    registerTreeSecrets(e.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(ConfigLoader::registerTreeSecrets);
        }
    }

    private static void registerEnvSecrets(Map<String, String> env) {
        for (Map.Entry<String, String> e : ConfigKeys.envToKey().entrySet()) {
            if (ConfigKeys.isSecret(e.getValue())) {
                Redactor.register(env.get(e.getKey()));
            }
        }
        Redactor.register(env.get("AWS_SECRET_ACCESS_KEY"));
        Redactor.register(env.get("AWS_SESSION_TOKEN"));
    }

    /** Turns a Jackson failure into one operator-readable line. */
    static ConfigException translate(JsonProcessingException e, String source, Map<String, String> origins) {
        if (e instanceof UnrecognizedPropertyException u) {
            String path = dotted(u.getPath());
            String name = u.getPropertyName();
            String guess = Values.closest(name, u.getKnownPropertyIds());
            String where = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "the top level";
            String problem = "unknown key '" + path + "'" + (guess == null ? "" : " (did you mean '" + guess + "'?)");
            String known = u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
            return new ConfigException(path, problem, "keys allowed in " + where + ": " + known);
        }
        if (e instanceof JsonMappingException jm && !jm.getPath().isEmpty()) {
            String path = dotted(jm.getPath());
            String key = origins.containsKey(path) ? path + " (from " + origins.get(path) + ")" : path;
            boolean secret = ConfigKeys.isSecret(path);
            if (e instanceof InvalidFormatException f) {
                String shown = secret ? "the value" : "'" + f.getValue() + "'";
                return new ConfigException(key, shown + " is not " + describe(f.getTargetType()),
                        "write " + example(f.getTargetType()));
            }
            if (e instanceof MismatchedInputException mi) {
                Class<?> target = mi.getTargetType();
                return new ConfigException(key, "expected " + describe(target) + " here",
                        "write " + example(target));
            }
            return new ConfigException(key, "the value cannot be read", "see docs/configuration.md for the syntax");
        }
        JsonLocation loc = e.getLocation();
        String where = source + (loc == null ? "" : " line " + loc.getLineNr() + ", column " + loc.getColumnNr());
        String problem = e.getOriginalMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException y) {
                // The problem text only: snakeyaml's full message quotes the offending line.
                problem = y.getProblem();
                if (loc == null && y.getProblemMark() != null) {
                    where = source + " line " + (y.getProblemMark().getLine() + 1) + ", column "
                            + (y.getProblemMark().getColumn() + 1);
                }
            }
        }
        if (problem != null && problem.startsWith("Duplicate field")) {
            return new ConfigException(where, "YAML syntax error: a key is written twice (" + problem + ")",
                    "keep one of them");
        }
        return new ConfigException(where, "YAML syntax error: " + firstLine(problem),
                "check the indentation (spaces, not tabs) and quoting around that place");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable YAML";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a value of the right kind";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (type.isRecord()) {
            return "a section of 'key: value' lines";
        }
        return "a " + type.getSimpleName();
    }

    private static String example(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a number such as 8";
        }
        if (type != null && type.isRecord()) {
            return "the section's keys indented under it (see docs/configuration.md)";
        }
        return "one value on the same line as the key";
    }
}
