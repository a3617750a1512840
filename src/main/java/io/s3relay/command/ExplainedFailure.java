package io.s3relay.command;

/**
 * A failure the operator caused or can fix, said in one line: what failed, where, and which setting or action fixes
 * it. The command line prints the message alone (the cause's stack trace only with {@code --verbose}, or at DEBUG for
 * the relay's start) and exits with {@link #exitCode()}. The message never holds a secret.
 */
public final class ExplainedFailure extends RuntimeException {

    /** The command did what it was asked. */
    public static final int DONE = 0;
    /** The thing the command checked or did failed (a refused template, an upload S3 refused). */
    public static final int FAILED = 1;
    /** Wrong usage: an unknown command or option, a missing file, a setting that cannot be right. */
    public static final int USAGE = 2;
    /** A server could not be reached, or could not be started: a broker, an S3 endpoint, a port in use. */
    public static final int UNREACHABLE = 3;

    private final int exitCode;

    public ExplainedFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExplainedFailure(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public int exitCode() {
        return exitCode;
    }

    /** The first explained failure among the throwable and its causes, or null. */
    public static ExplainedFailure in(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExplainedFailure explained) {
                return explained;
            }
        }
        return null;
    }

    /** The first cause of the given type among the throwable and its causes, or null. */
    public static <T extends Throwable> T cause(Throwable thrown, Class<T> type) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The innermost cause: usually the one that names the real problem (Connection refused, Address in use). */
    public static Throwable root(Throwable thrown) {
        Throwable t = thrown;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
