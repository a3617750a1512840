package io.s3relay.command;

import java.util.Map;
import java.util.function.Supplier;

import io.s3relay.broker.BrokerUrls;
import org.apache.camel.main.Main;

/**
 * The commands of the relay's command line other than {@code run}: each reads its settings as the relay would and
 * returns its exit code ({@link ExplainedFailure}).
 */
public final class Commands {

    /** One command: how it runs, given its arguments and the relay as {@code run} starts it. */
    @FunctionalInterface
    private interface Runner {
        int run(String[] args, Supplier<Main> relay) throws Exception;
    }

    /** One command's runner and its usage text (null: it has none of its own). */
    private record Command(Runner runner, String usage) {
    }

    private static final Map<String, Command> COMMANDS = Map.of(
            "send", new Command((args, relay) -> new SendCommand(Settings.load()).run(args), SendCommand.USAGE),
            "preview", new Command((args, relay) -> new PreviewCommand(Settings.load(), System.out, System.err).run(args),
                    PreviewCommand.USAGE),
            "dlq", new Command((args, relay) -> new DlqCommand(Settings.load(), System.out).run(args), DlqCommand.USAGE),
            "check-integration", new Command((args, relay) -> new CheckIntegrationCommand(Settings.load(), System.out,
                    System.err).run(args), CheckIntegrationCommand.USAGE),
            "local-s3", new Command((args, relay) -> new LocalS3Command(Settings.load(), System.out).run(args), null),
            "archive-classes", new Command((args, relay) -> new ClassArchiveCommand(System.out, relay).run(args),
                    ClassArchiveCommand.USAGE));

    private Commands() {
    }

    /** Whether {@code command} is one of them. */
    public static boolean has(String command) {
        return COMMANDS.containsKey(command);
    }

    /**
     * Runs one of them.
     *
     * @param relay makes the relay as {@code run} starts it (archive-classes runs it once)
     */
    public static int run(String command, String[] args, Supplier<Main> relay) throws Exception {
        Command known = COMMANDS.get(command);
        if (known == null) {
            throw new IllegalArgumentException("not a command: " + command);
        }
        return known.runner().run(args, relay);
    }

    /** The usage text of one of them; null for one that has none of its own, or for no command. */
    public static String usage(String command) {
        Command known = COMMANDS.get(command);
        return known == null ? null : known.usage();
    }

    /** A command's failure to talk to the broker it had connected to, in one line. */
    public static ExplainedFailure brokerFailure(Settings settings, Throwable thrown) {
        return CommandBroker.explain(settings, BrokerUrls.shown(settings.brokerUrl()), thrown);
    }
}
