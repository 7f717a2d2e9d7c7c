package dev.stowage.server;

import dev.stowage.core.store.s3.S3Settings;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.demo.DemoCredentials;
import dev.stowage.server.lifecycle.Service;
import java.io.PrintStream;
import java.util.List;

/**
 * The short text printed once the gateway runs: what runs, where S3 is, where health is, how to
 * connect. The demo store's secret key is shown only at the start that generated it.
 */
final class Banner {

    private Banner() {
    }

    /**
     * @param embedded the embedded store's credentials, or null when an external S3 service is used
     * @param demoMode true for the demo appliance (no configuration at all)
     */
    static void print(PrintStream out, Daemon.Running running, DemoCredentials embedded, boolean demoMode,
                      List<Service> frontEnds) {
        DemoCredentials demo = embedded;
        GatewayConfig c = running.config();
        S3Settings s3 = c.s3();
        StringBuilder b = new StringBuilder();
        b.append('\n');
        if (demoMode) {
            b.append("Stowage ").append(Version.get())
                    .append(" is running as a demo appliance (embedded S3-compatible store on local disk).\n");
        } else {
            b.append("Stowage ").append(Version.get()).append(" is running (configuration: ").append(c.source()).append(").\n");
        }
        row(b, "data directory", c.dataDir().toString());
        row(b, "S3 endpoint", s3.endpoint() == null ? "AWS S3, region " + s3.region() : s3.endpoint().toString());
        row(b, "bucket", s3.bucket() + (s3.prefix().isEmpty() ? "" : "  prefix: " + s3.prefix()));
        if (demo != null) {
            row(b, "region", s3.region());
            row(b, "access key id", demo.accessKeyId());
            if (demo.generated()) {
                row(b, "secret access key", demo.secretAccessKey());
                row(b, "", "(shown only now; also stored in " + demo.file() + ", mode 0600)");
            } else {
                row(b, "secret access key", "stored in " + demo.file() + " (not shown again)");
            }
        }
        row(b, "health", running.health().url());
        boolean iscsi = false;
        boolean nfs = false;
        for (Service s : frontEnds) {
            iscsi |= s.name().startsWith("iscsi");
            nfs |= s.name().startsWith("nfs");
            String text = s.describe();
            if (text != null) {
                String label = s.name().equals("iscsi") ? "iSCSI" : s.name().equals("nfs") ? "NFS" : s.name();
                String[] lines = text.split("\n");
                row(b, label, lines[0]);
                for (int i = 1; i < lines.length; i++) {
                    row(b, "", lines[i]);
                }
            }
        }
        if (!iscsi) {
            row(b, "iSCSI", "not configured (add an iscsi section, see docs/configuration.md)");
        }
        if (!nfs) {
            row(b, "NFS", "not yet available");
        }
        if (demo != null) {
            b.append("Any S3 client can use the bucket, e.g.: AWS_ACCESS_KEY_ID=").append(demo.accessKeyId())
                    .append(" AWS_SECRET_ACCESS_KEY=<secret> aws --endpoint-url ").append(s3.endpoint())
                    .append(" s3 ls s3://").append(s3.bucket()).append('\n');
        }
        b.append("Stop with Ctrl-C (or SIGTERM).\n");
        out.print(b);
        out.flush();
    }

    private static void row(StringBuilder b, String label, String value) {
        b.append("  ").append(String.format("%-20s", label.isEmpty() ? "" : label + ":")).append(value).append('\n');
    }
}
