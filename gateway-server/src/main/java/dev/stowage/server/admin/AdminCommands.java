package dev.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * CLI subcommands that talk to a running daemon through the admin API (docs/admin-api.md):
 * {@code stowage volumes}, {@code stowage catalog}, {@code stowage snapshot create|list|delete}.
 * Each prints a short table (or the API's JSON with {@code --json}) and exits 0, or prints one line
 * on standard error and exits 1 (the API's error, or why the daemon could not be reached).
 */
public final class AdminCommands {

    /** Exit code of a command that failed. */
    public static final int EXIT_FAILED = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminCommands() {
    }

    /** Options every admin command has. */
    static class ApiOptions {
        @Option(names = "--api", paramLabel = "HOST:PORT",
                description = "the daemon's health.listen address (default: STOWAGE_HEALTH_LISTEN, else " + AdminClient.DEFAULT_ADDRESS + ")")
        String api;

        @Option(names = "--json", description = "print the API's JSON answer")
        boolean json;

        AdminClient client(Duration timeout) throws AdminClient.Failure {
            return new AdminClient(AdminClient.address(api, System.getenv()), timeout);
        }
    }

    /** Runs {@code body}, turning a failure into one line on standard error and exit code 1. */
    private static int run(CommandLine.Model.CommandSpec spec, ApiOptions o, Duration timeout, Request body) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            JsonNode answer = body.call(o.client(timeout), out);
            if (o.json && answer != null) {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            }
            out.flush();
            return 0;
        } catch (AdminClient.Failure e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return EXIT_FAILED;
        } catch (Exception e) {
            err.println("error: " + e);
            err.flush();
            return EXIT_FAILED;
        }
    }

    @FunctionalInterface
    private interface Request {
        /** Sends the request; prints the table unless --json; returns the answer. */
        JsonNode call(AdminClient client, PrintWriter out) throws Exception;
    }

    private static final Duration SHORT = Duration.ofMinutes(1);
    /** A snapshot waits for uploads (the daemon gives up after 10 minutes). */
    private static final Duration SNAPSHOT = Duration.ofMinutes(11);

    /** stowage volumes */
    @Command(name = "volumes", mixinStandardHelpOptions = true,
            description = "List the volumes of the running gateway (its catalog).")
    public static final class Volumes implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ApiOptionsMixin o;

        @Override
        public Integer call() {
            return run(spec, o, SHORT, (c, out) -> {
                JsonNode a = c.get("volumes");
                if (!o.json) {
                    printVolumes(out, a.path("volumes"), true);
                }
                return a;
            });
        }
    }

    /** stowage catalog */
    @Command(name = "catalog", mixinStandardHelpOptions = true,
            description = "List the volumes recorded in the bucket's catalog (what a replacement gateway can recover).")
    public static final class Catalog implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ApiOptionsMixin o;

        @Override
        public Integer call() {
            return run(spec, o, SHORT, (c, out) -> {
                JsonNode a = c.get("catalog");
                if (!o.json) {
                    printVolumes(out, a.path("volumes"), false);
                    for (JsonNode id : a.path("uncataloged_volumes")) {
                        out.println("volume " + id.asText() + " is in the bucket without a catalog record "
                                + "(its size is read from the bucket when it is opened)");
                    }
                }
                return a;
            });
        }
    }

    /** stowage snapshot ... */
    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Take, list and delete snapshots of volumes of the running gateway.",
            subcommands = {SnapshotCreate.class, SnapshotList.class, SnapshotDelete.class})
    public static final class Snapshot implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** stowage snapshot create VOLUME [-d TEXT] */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Take a snapshot of a volume now (waits until its data is uploaded).")
    public static final class SnapshotCreate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ApiOptionsMixin o;
        @Parameters(index = "0", paramLabel = "VOLUME", description = "volume id")
        String volume;
        @Option(names = {"-d", "--description"}, paramLabel = "TEXT", description = "free text kept with the snapshot")
        String description;

        @Override
        public Integer call() {
            return run(spec, o, SNAPSHOT, (c, out) -> {
                ObjectNode body = JSON.createObjectNode();
                body.put("description", description == null ? "" : description);
                JsonNode s = c.post("volumes/" + AdminCommands.path(volume) + "/snapshots", body);
                if (!o.json) {
                    out.println("snapshot " + s.path("id").asText() + " of volume " + s.path("volume").asText()
                            + " taken at " + s.path("created").asText());
                }
                return s;
            });
        }
    }

    /** stowage snapshot list VOLUME */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the snapshots of a volume, oldest first.")
    public static final class SnapshotList implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ApiOptionsMixin o;
        @Parameters(index = "0", paramLabel = "VOLUME", description = "volume id")
        String volume;

        @Override
        public Integer call() {
            return run(spec, o, SHORT, (c, out) -> {
                JsonNode a = c.get("volumes/" + AdminCommands.path(volume) + "/snapshots");
                if (!o.json) {
                    out.printf("%-22s %-24s %-9s %s%n", "SNAPSHOT", "CREATED", "KIND", "DESCRIPTION");
                    for (JsonNode s : a.path("snapshots")) {
                        out.printf("%-22s %-24s %-9s %s%n", s.path("id").asText(), s.path("created").asText(),
                                s.path("scheduled").asBoolean() ? "scheduled" : "manual", s.path("description").asText());
                    }
                }
                return a;
            });
        }
    }

    /** stowage snapshot delete SNAPSHOT */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a snapshot (its data is kept until no snapshot or volume uses it).")
    public static final class SnapshotDelete implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ApiOptionsMixin o;
        @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id (snap-...)")
        String snapshot;

        @Override
        public Integer call() {
            return run(spec, o, SHORT, (c, out) -> {
                JsonNode a = c.delete("snapshots/" + AdminCommands.path(snapshot));
                if (!o.json) {
                    out.println("snapshot " + a.path("deleted").asText() + " of volume " + a.path("volume").asText()
                            + " deleted");
                }
                return a;
            });
        }
    }

    /** The picocli mixin form of {@link ApiOptions}. */
    public static final class ApiOptionsMixin extends ApiOptions {
    }

    private static String path(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void printVolumes(PrintWriter out, JsonNode volumes, boolean local) {
        out.printf("%-24s %-7s %10s %6s %-13s %s%n", "VOLUME", "TYPE", "SIZE", "BLOCK", "STATE",
                local ? "SNAPSHOT SCHEDULE" : "CREATED");
        for (JsonNode v : volumes) {
            String last;
            if (local) {
                JsonNode s = v.path("snapshot_schedule");
                last = s.isObject() ? "every " + s.path("every").asText() + " from " + s.path("at").asText() + " "
                        + s.path("time_zone").asText() + ", next " + s.path("next_due").asText()
                        + (s.path("retain").asInt() > 0 ? ", keep " + s.path("retain").asInt() : "") : "-";
            } else {
                last = v.path("created").asText();
            }
            out.printf("%-24s %-7s %10s %6d %-13s %s%n", v.path("id").asText(), v.path("type").asText(),
                    size(v.path("size_bytes").asLong()), v.path("block_size").asInt(), v.path("state").asText(), last);
        }
        if (volumes.isEmpty()) {
            out.println("(no volumes)");
        }
    }

    private static String size(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        return bytes + "B";
    }
}
