package io.s3relay.monitoring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code s3relay_queue_depth{queue}} on /observe/metrics: the messages waiting in each of the relay's queues, as
 * ActiveMQ's statistics plugin answers the route {@code queue-depths} (routes/monitoring.camel.yaml). The embedded
 * broker has the plugin; an external broker needs {@code <statisticsBrokerPlugin/>}, and without it the gauges read
 * NaN.
 */
public class QueueDepths {

    private static final Logger LOG = LoggerFactory.getLogger(QueueDepths.class);

    private final List<String> queues;
    private final Supplier<MeterRegistry> registry;
    private final Map<String, Double> depths = new ConcurrentHashMap<>();
    private volatile MeterRegistry registered;
    private volatile boolean answeredOnce;
    private volatile boolean warnedNoStatistics;

    /** @param queues the queues to watch; none: the depths are not read */
    public QueueDepths(List<String> queues, Supplier<MeterRegistry> registry) {
        this.queues = List.copyOf(queues);
        this.registry = registry;
        queues.forEach(queue -> depths.put(queue, Double.NaN));
    }

    /** The queues to ask about now; their gauges are registered with the first call that finds the registry. */
    public List<String> queues() {
        MeterRegistry meters = registry.get();
        if (meters != null && meters != registered) {
            for (String queue : queues) {
                Gauge.builder("s3relay.queue.depth", this, depths -> depths.depth(queue))
                        .description("Messages waiting in one of the relay's queues, from the broker's statistics")
                        .tag("queue", queue).register(meters);
            }
            registered = meters;
        }
        return queues;
    }

    /** The statistics plugin's answer about one queue. */
    public void answered(@Variable("queue") String queue, @Body Map<String, Object> statistics) {
        answeredOnce = true;
        Object size = statistics == null ? null : statistics.get("size");
        depths.put(queue, size instanceof Number number ? number.doubleValue() : Double.NaN);
    }

    /**
     * No answer about one queue: the plugin answers only for queues that exist, so once it answered at all a queue
     * it is silent about is empty; a broker that never answered has no plugin.
     */
    public void unanswered(@Variable("queue") String queue) {
        depths.put(queue, answeredOnce ? 0.0 : Double.NaN);
        if (!answeredOnce && !warnedNoStatistics) {
            warnedNoStatistics = true;
            LOG.warn("The broker answers no queue statistics, so s3relay_queue_depth is NaN: enable "
                    + "ActiveMQ's statisticsBrokerPlugin to see queue depths");
        }
    }

    /** The last depth read of a queue; NaN before the first answer, or when the broker gives no statistics. */
    public double depth(String queue) {
        return depths.getOrDefault(queue, Double.NaN);
    }
}
