package io.s3relay.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;

/** Every status of one system's run, handed to its drains; counts the states other than pending and processed. */
final class RunStatuses implements MessageListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<Drain> drains = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> otherStates = new ConcurrentHashMap<>();
    final AtomicInteger unknown = new AtomicInteger();

    Drain add(Drain drain) {
        drains.add(drain);
        return drain;
    }

    @Override
    public void onMessage(Message message) {
        long now = System.nanoTime();
        try {
            JsonNode status = JSON.readTree(((TextMessage) message).getText());
            String state = status.path("state").asText();
            if (state.equals("pending")) {
                return;
            }
            if (!state.equals("processed")) {
                otherStates.computeIfAbsent(state, s -> new AtomicInteger()).incrementAndGet();
                return;
            }
            String id = status.path("submission_id").asText();
            String integration = status.path("integration_id").asText();
            for (Drain drain : drains) {
                if (drain.processed(id, integration, now)) {
                    return;
                }
            }
            unknown.incrementAndGet();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
