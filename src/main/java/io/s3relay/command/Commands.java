package io.s3relay.command;

import java.util.function.Supplier;

import io.s3relay.broker.BrokerUrls;
import org.apache.camel.main.Main;

/**
 * The commands of the relay's command line other than {@code run}: each reads its settings as the relay would and
 * returns its exit code ({@link ExplainedFailure}).
 */
public final class Commands {

    private Commands() {
    }

    /** Whether {@code command} is one of them. */
    public static boolean has(String command) {
        return switch (command) {
            case "send", "preview", "dlq", "check-integration", "local-s3", "archive-classes" -> true;
            default -> false;
        };
    }

    /**
     * Runs one of them.
     *
     * @param relay makes the relay as {@code run} starts it (archive-classes runs it once)
     */
    public static int run(String command, String[] args, Supplier<Main> relay) throws Exception {
        return switch (command) {
            case "send" -> new SendCommand(Settings.load()).run(args);
            case "preview" -> new PreviewCommand(Settings.load(), System.out, System.err).run(args);
            case "dlq" -> new DlqCommand(Settings.load(), System.out).run(args);
            case "check-integration" -> new CheckIntegrationCommand(Settings.load(), System.out, System.err).run(args);
            case "local-s3" -> new LocalS3Command(Settings.load(), System.out).run(args);
            case "archive-classes" -> new ClassArchiveCommand(System.out, relay).run(args);
            default -> throw new IllegalArgumentException("not a command: " + command);
        };
    }

    /** The usage text of one of them; null for one that has none of its own. */
    public static String usage(String command) {
        return switch (command) {
            case "send" -> SendCommand.USAGE;
            case "preview" -> PreviewCommand.USAGE;
            case "dlq" -> DlqCommand.USAGE;
            case "check-integration" -> CheckIntegrationCommand.USAGE;
            case "archive-classes" -> ClassArchiveCommand.USAGE;
            default -> null;
        };
    }

    /** A command's failure to talk to the broker it had connected to, in one line. */
    public static ExplainedFailure brokerFailure(Settings settings, Throwable thrown) {
        return CommandBroker.explain(settings, BrokerUrls.shown(settings.brokerUrl()), thrown);
    }
}
