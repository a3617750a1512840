package io.s3relay;

import java.util.Arrays;

import org.apache.camel.main.Main;

/**
 * The relay's command line: {@code run} (the default) starts the relay; {@code send} puts a submission on the
 * queue; {@code preview} shows the key a path template renders; {@code dlq} lists and replays dead letters.
 */
public final class S3Relay {

    private S3Relay() {
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = execute(args);
        } catch (Exception e) {
            // the embedded servers' threads would keep a failed start alive: exit for real
            System.err.println("s3-relay failed: " + e);
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    static int execute(String[] args) throws Exception {
        String command = args.length == 0 ? "run" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        int exit = switch (command) {
            case "run" -> run(rest);
            case "send" -> new SendCommand(Settings.load()).run(rest);
            case "preview" -> new PreviewCommand(Settings.load(), System.out, System.err).run(rest);
            case "dlq" -> new DlqCommand(Settings.load(), System.out).run(rest);
            case "check-integration" -> new CheckIntegrationCommand(Settings.load(), System.out).run(rest);
            case "local-s3" -> new LocalS3Command(Settings.load(), System.out).run(rest);
            case "help", "--help", "-h" -> usage(0);
            default -> {
                System.err.println("Unknown command: " + command);
                yield usage(2);
            }
        };
        return exit;
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

    private static int usage(int exit) {
        (exit == 0 ? System.out : System.err).println("""
                Usage: java -jar s3-relay.jar [command]

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
                  help                     this text

                Settings come from application.properties, -Dname=value and environment variables
                (S3RELAY_BROKER_URL for s3relay.broker.url, and so on).""");
        return exit;
    }
}
