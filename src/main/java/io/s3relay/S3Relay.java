package io.s3relay;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.s3relay.command.Commands;
import io.s3relay.command.ExplainedFailure;
import io.s3relay.command.Settings;
import jakarta.jms.JMSException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's command line: {@code run} (the default) starts the relay; {@code send} puts a submission on the
 * queue; {@code preview} shows the key a path template renders; {@code check-integration} tries an integration's
 * bucket; {@code dlq} lists and replays dead letters. A failure the operator can fix is one line that says what to
 * do, and the exit code says which kind it was (see {@link ExplainedFailure}); the stack trace only with
 * {@code --verbose}, or at DEBUG for the relay's start.
 */
public final class S3Relay {

    private static final Logger LOG = LoggerFactory.getLogger(S3Relay.class);

    static final String USAGE = """
            Usage: java -jar s3-relay.jar [command] [--verbose]

            Commands:
              run                      start the relay (the default)
              send <file.json>         put a submission message on the submissions queue
              send --sample            put a sample submission, with a sample PDF, on the queue
              preview --message <file.json> (--template '<liquid>' | --integration <id>)
                                       print the object key a template renders for a message,
                                       or the error the customer would see (exit 1)
              check-integration <id>   upload a small test object as the relay would, and say what is wrong
              dlq list                 the dead letters, with why each one died
              dlq replay --integration <id> | --all
                                       move dead letters back into processing (fresh attempts)
              local-s3                 only the local S3-compatible store and its buckets (compose's "s3")
              archive-classes          one default run in a temporary folder, for a class archive (mvn package)
              help                     this text; COMMAND --help explains one command

            --verbose adds a failure's stack trace to its one-line explanation.
            Exit codes: 0 done, 1 the checked thing failed, 2 wrong usage (or a setting that cannot be right),
                        3 a server could not be reached (or the relay could not open its ports).

            Settings come from application.properties, -Dname=value and environment variables
            (S3RELAY_BROKER_URL for s3relay.broker.url, and so on).""";

    static final String RUN_USAGE = """
            Usage: java -jar s3-relay.jar [run]
              Starts the relay: the routes of routes/*.camel.yaml, the integrations of s3relay.integrations.file, the
              management server (camel.management.host:camel.management.port, /observe/health), and, for the default
              run, the embedded broker (s3relay.embedded-broker.bind, when s3relay.broker.url is empty) and the local
              S3 store (s3relay.local-s3.port, when s3relay.local-s3.enabled). The start-up log names the addresses
              bound and the command for a first submission.
              A start that fails is one line in the log; -Ds3relay.log.level=DEBUG (or --verbose) adds the stack trace.
            Exit: 0 stopped, 1 did not start, 2 a setting that cannot be right, 3 a port is already in use.""";

    private S3Relay() {
    }

    public static void main(String[] args) {
        boolean command = args.length > 0 && !args[0].equals("run") && !args[0].startsWith("-");
        if (command && !Arrays.asList(args).contains("--verbose")) {
            // a command's failure is its own one line: the broker client would log its own, with its reconnect attempts
            Configurator.setLevel("org.apache.activemq", Level.OFF);
        }
        // the embedded servers' threads would keep a failed start alive: exit for real
        System.exit(commandLine(args, System.err));
    }

    /**
     * Runs a command as {@code java -jar} does, and returns its exit code: a failure is one line on {@code err} (in
     * the log for {@code run}), with its stack trace only when the arguments hold {@code --verbose}.
     */
    static int commandLine(String[] args, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean verbose = rest.removeIf("--verbose"::equals);
        String command = rest.isEmpty() ? "run" : rest.get(0);
        try {
            return execute(rest.toArray(String[]::new));
        } catch (Exception | StackOverflowError e) {
            ExplainedFailure failure = explain(command, e);
            String trace = settings() == null ? "" : settings().scrub(stackTrace(e));
            if (command.equals("run")) {
                LOG.error(failure.getMessage());
                LOG.debug("The relay did not start:\n{}", trace);
            } else {
                err.println(failure.getMessage());
            }
            if (verbose) {
                err.print(trace);
            }
            return failure.exitCode();
        }
    }

    static int execute(String[] args) throws Exception {
        String command = args.length == 0 ? "run" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        if (asksForHelp(rest) || (command.equals("help") && rest.length == 1)) {
            String usage = usageOf(command.equals("help") ? rest[0] : command);
            if (usage != null) {
                System.out.println(usage);
                return ExplainedFailure.DONE;
            }
        }
        if (Commands.has(command)) {
            return Commands.run(command, rest, S3Relay::newMain);
        }
        return switch (command) {
            case "run" -> run(rest);
            case "help", "--help", "-h" -> usage(ExplainedFailure.DONE);
            default -> {
                System.err.println("Unknown command: " + command);
                yield usage(ExplainedFailure.USAGE);
            }
        };
    }

    private static boolean asksForHelp(String[] args) {
        return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    }

    private static String usageOf(String command) {
        return switch (command) {
            case "run" -> RUN_USAGE;
            case "help", "--help", "-h" -> USAGE;
            default -> Commands.usage(command);
        };
    }

    private static int run(String[] args) throws Exception {
        Main main = newMain();
        main.run(args);
        return main.getExitCode();
    }

    /** The relay as Camel Main: routes from routes/*.camel.yaml, beans from {@link RelayConfiguration}. */
    public static Main newMain() {
        Main main = new Main();
        main.configure().addConfiguration(RelayConfiguration.class);
        return main;
    }

    /** The failure in one line, with the exit code of its kind. */
    static ExplainedFailure explain(String command, Throwable thrown) {
        ExplainedFailure explained = ExplainedFailure.in(thrown);
        if (explained != null) {
            return explained;
        }
        Settings settings = settings();
        if (!command.equals("run") && ExplainedFailure.cause(thrown, JMSException.class) != null && settings != null) {
            // the broker went away after the command connected
            return Commands.brokerFailure(settings, thrown);
        }
        NoSuchFileException noFile = ExplainedFailure.cause(thrown, NoSuchFileException.class);
        if (noFile != null) {
            return new ExplainedFailure(ExplainedFailure.USAGE, "no such file: " + noFile.getFile(), thrown);
        }
        AccessDeniedException denied = ExplainedFailure.cause(thrown, AccessDeniedException.class);
        if (denied != null) {
            return new ExplainedFailure(ExplainedFailure.USAGE, "cannot read " + denied.getFile() + ": permission denied", thrown);
        }
        Throwable root = ExplainedFailure.root(thrown);
        String message = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        message = settings == null ? message : settings.scrub(message);
        if (command.equals("run")) {
            if (ExplainedFailure.cause(thrown, BindException.class) != null) {
                return new ExplainedFailure(ExplainedFailure.UNREACHABLE, "the relay did not start: a port it listens on is"
                        + " already in use (" + message + "): see camel.management.port, s3relay.embedded-broker.bind and"
                        + " s3relay.local-s3.port", thrown);
            }
            if ((root instanceof IllegalArgumentException || root instanceof IllegalStateException) && fromRelay(root)) {
                // the relay's own checks of its settings say what to set
                return new ExplainedFailure(ExplainedFailure.USAGE, "the relay did not start: " + settingsMessage(root, settings), thrown);
            }
            return new ExplainedFailure(ExplainedFailure.FAILED, "the relay did not start: " + message
                    + " (set s3relay.log.level=DEBUG for the stack trace)", thrown);
        }
        return new ExplainedFailure(ExplainedFailure.FAILED, command + " failed: " + message
                + " (--verbose shows the stack trace)", thrown);
    }

    private static boolean fromRelay(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        return frames.length > 0 && frames[0].getClassName().startsWith("io.s3relay.");
    }

    private static String settingsMessage(Throwable root, Settings settings) {
        return settings == null ? String.valueOf(root.getMessage()) : settings.scrub(String.valueOf(root.getMessage()));
    }

    private static Settings settings() {
        try {
            return Settings.load();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String stackTrace(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private static int usage(int exit) {
        (exit == 0 ? System.out : System.err).println(USAGE);
        return exit;
    }
}
