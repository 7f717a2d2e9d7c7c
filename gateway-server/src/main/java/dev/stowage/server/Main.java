package dev.stowage.server;

import dev.stowage.server.admin.AdminCommands;
import dev.stowage.server.config.ConfigException;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.logging.LogSetup;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code stowage} command: {@code run} starts the gateway (demo appliance when there is no
 * configuration), {@code check-config} validates a configuration file, {@code --version} prints
 * the version; {@code volumes}, {@code catalog} and {@code snapshot} talk to a running daemon's
 * admin API ({@link AdminCommands}).
 *
 * <p>Exit codes: 0 after a clean stop (SIGTERM or Ctrl-C) or a valid configuration; 2 when
 * something must be fixed first (configuration, bucket check, port, data directory in use; one
 * line on standard error says what); 1 for an unexpected internal error.
 */
@Command(name = "stowage", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Stowage storage gateway: iSCSI and NFS front ends on S3-compatible object storage.",
        subcommands = {Main.Run.class, Main.CheckConfig.class, AdminCommands.Volumes.class, AdminCommands.Snapshot.class,
                AdminCommands.Catalog.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0 || args.length == 0 || !args[0].equals("run")) {
            System.exit(code);
        }
        // "run" returned 0: the gateway stopped after a signal; the shutdown hook finishes the exit.
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** stowage run */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Start the gateway. Without a configuration (no --config, no STOWAGE_CONFIG, no ./stowage.yaml, "
                    + "no STOWAGE_S3_BUCKET) it starts a demo appliance with an embedded S3 store on local disk.")
    static final class Run implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file")
        Path config;

        @Override
        public Integer call() {
            Logger log = LoggerFactory.getLogger(Main.class);
            // Installed before start-up, so that a stop request during start-up also stops cleanly.
            AtomicReference<Daemon.Running> running = new AtomicReference<>();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Daemon.Running r = running.getAndSet(null);
                try {
                    if (r != null) {
                        log.info("stopping");
                        r.close();
                        log.info("stopped");
                    }
                } finally {
                    LogSetup.shutdown();
                    System.out.flush();
                    stopped.countDown();
                }
            }, "shutdown"));
            Signals.exitZeroOnTerm();
            Daemon.Launch launch = new Daemon.Launch(config, System.getenv(), Path.of("").toAbsolutePath(),
                    System.getProperty("user.home"), StoreFactories.s3(), FrontEnds.CONFIGURED, System.out,
                    InstantSource.system(), true);
            try {
                running.set(Daemon.start(launch));
            } catch (StartupException e) {
                System.err.println(e.getMessage());
                return e.exitCode();
            }
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    /** stowage check-config */
    @Command(name = "check-config", mixinStandardHelpOptions = true,
            description = "Validate a configuration file (with environment overrides) and exit: 0 when valid, 2 when not.")
    static final class CheckConfig implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "YAML configuration file")
        Path config;

        @Override
        public Integer call() {
            return check(config, System.getenv(), System.out, System.err);
        }

        static int check(Path file, Map<String, String> env, PrintStream out, PrintStream err) {
            try {
                GatewayConfig c = Daemon.loadConfig(file, env, Path.of("").toAbsolutePath());
                String s3 = c.embeddedS3Port() != null ? "embedded S3 store in " + c.dataDir()
                        : "bucket " + c.s3().bucket() + " at "
                        + (c.s3().endpoint() == null ? "AWS S3 " + c.s3().region() : c.s3().endpoint());
                String iscsi = c.iscsi() == null ? "" : ", iSCSI " + c.iscsi().listen().getHostString() + ":"
                        + c.iscsi().listen().getPort() + " with " + c.iscsi().targets().size() + " target(s)";
                out.println("config ok: " + file + " (" + s3 + ", health " + c.healthListen().getHostString() + ":"
                        + c.healthListen().getPort() + iscsi + ")");
                return 0;
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return StartupException.EXIT_CONFIG;
            }
        }
    }

    /** --version */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"stowage " + Version.get()};
        }
    }
}
