package io.s3relay.command;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.s3relay.broker.BrokerUrls;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * The broker connection of {@code send} and {@code dlq}: started within {@code s3relay.cli.connect-timeout}, or an
 * {@link ExplainedFailure} that says which broker could not be reached and which setting points at another.
 */
final class CommandBroker {

    private CommandBroker() {
    }

    static Connection connect(Settings settings) throws ExplainedFailure {
        String url = settings.brokerUrl();
        String shown = BrokerUrls.shown(url);
        long timeout = settings.relay().getCli().getConnectTimeout();
        ActiveMQConnectionFactory factory;
        try {
            factory = settings.connectionFactory(BrokerUrls.bounded(url, 1, timeout));
        } catch (RuntimeException e) {
            throw new ExplainedFailure(ExplainedFailure.USAGE, shown + " is not a broker URL: set " + setting(settings)
                    + " to one such as tcp://127.0.0.1:61616 or failover:(tcp://a:61616,tcp://b:61616)", e);
        }
        FutureTask<Connection> attempt = new FutureTask<>(() -> {
            Connection connection = factory.createConnection();
            try {
                connection.start();
                return connection;
            } catch (JMSException | RuntimeException e) {
                closeQuietly(connection);
                throw e;
            }
        });
        Thread thread = new Thread(attempt, "s3relay-broker-connect");
        thread.setDaemon(true);
        thread.start();
        try {
            return attempt.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            attempt.cancel(true);
            throw new ExplainedFailure(ExplainedFailure.UNREACHABLE, "the broker at " + shown + " did not answer within "
                    + timeout + " ms: " + advice(settings) + " (or raise s3relay.cli.connect-timeout)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExplainedFailure(ExplainedFailure.UNREACHABLE, "interrupted while connecting to " + shown, e);
        } catch (ExecutionException e) {
            throw explain(settings, shown, e.getCause());
        }
    }

    /** What went wrong with the broker, in one line. */
    static ExplainedFailure explain(Settings settings, String shown, Throwable failure) {
        if (ExplainedFailure.cause(failure, JMSSecurityException.class) != null) {
            return new ExplainedFailure(ExplainedFailure.UNREACHABLE, "the broker at " + shown + " refused the credentials:"
                    + " set s3relay.broker.username and s3relay.broker.password to a user it knows", failure);
        }
        UnknownHostException unknownHost = ExplainedFailure.cause(failure, UnknownHostException.class);
        if (unknownHost != null) {
            return new ExplainedFailure(ExplainedFailure.UNREACHABLE, "cannot reach the broker at " + shown + ": no such host "
                    + unknownHost.getMessage() + ": check " + setting(settings), failure);
        }
        if (ExplainedFailure.cause(failure, IllegalArgumentException.class) != null
                || ExplainedFailure.cause(failure, java.net.URISyntaxException.class) != null) {
            return new ExplainedFailure(ExplainedFailure.USAGE, shown + " is not a usable broker URL: set " + setting(settings)
                    + " to one such as tcp://127.0.0.1:61616", failure);
        }
        String rootMessage = String.valueOf(ExplainedFailure.root(failure).getMessage());
        if (rootMessage.startsWith("Could not find factory class for resource")) {
            // ActiveMQ's way of saying that it knows no transport of the URL's scheme
            return new ExplainedFailure(ExplainedFailure.USAGE, shown + " is not a broker URL: set " + setting(settings)
                    + " to one such as tcp://127.0.0.1:61616 or failover:(tcp://a:61616,tcp://b:61616)", failure);
        }
        boolean silent = ExplainedFailure.cause(failure, SocketTimeoutException.class) != null
                || ExplainedFailure.cause(failure, NoRouteToHostException.class) != null
                || rootMessage.contains("channel has already failed");
        String why = ExplainedFailure.cause(failure, ConnectException.class) != null ? ""
                : silent ? " (no answer)" : " (" + settings.scrub(BrokerUrls.shown(rootMessage)) + ")";
        return new ExplainedFailure(ExplainedFailure.UNREACHABLE, "cannot reach the broker at " + shown + why + ": "
                + advice(settings), failure);
    }

    private static String advice(Settings settings) {
        return settings.externalBroker() ? "is that broker running? check s3relay.broker.url"
                : "start the relay first, or set s3relay.broker.url";
    }

    private static String setting(Settings settings) {
        return settings.externalBroker() ? "s3relay.broker.url" : "s3relay.embedded-broker.bind (or s3relay.broker.url)";
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (Exception ignored) {
            // the failure that made us close it is the one to report
        }
    }
}
