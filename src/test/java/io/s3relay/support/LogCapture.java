package io.s3relay.support;

import java.io.StringWriter;
import java.util.UUID;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Everything the relay logs while it is open, stack traces included, as text. */
public final class LogCapture implements AutoCloseable {

    private final StringWriter logs = new StringWriter();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final WriterAppender appender;

    public LogCapture() {
        appender = WriterAppender.newBuilder().setName("capture-" + UUID.randomUUID()).setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p %c - %m%n%xEx").build()).build();
        appender.start();
        context.getConfiguration().addAppender(appender);
        context.getRootLogger().addAppender(appender);
    }

    public synchronized String text() {
        return logs.toString();
    }

    @Override
    public void close() {
        context.getRootLogger().removeAppender(appender);
        appender.stop();
    }
}
