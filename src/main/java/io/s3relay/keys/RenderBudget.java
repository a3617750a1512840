package io.s3relay.keys;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;

/**
 * What one render of a customer's template may still spend: its deadline, and the characters it may still build
 * (the filters' results and the blocks' outputs, added up). One budget per render, shared by all its contexts.
 */
final class RenderBudget {

    private final long deadline;
    private final long maxBuiltChars;
    private long built;

    RenderBudget(long maxNanos, long maxBuiltChars) {
        this.deadline = System.nanoTime() + maxNanos;
        this.maxBuiltChars = maxBuiltChars;
    }

    /** @throws InvalidKeyException once the render's time is up */
    void checkTime() {
        if (System.nanoTime() - deadline > 0) {
            throw new InvalidKeyException("the path template took too long to render");
        }
    }

    /** Counts characters the render has just built. @throws InvalidKeyException past the render's total */
    void built(long chars) {
        built += chars;
        if (built > maxBuiltChars) {
            throw new InvalidKeyException("the path template builds more than " + maxBuiltChars
                    + " characters in all while rendering");
        }
    }

    /**
     * About how many characters a value is once written out (a list: all its elements), counted only up to just
     * past {@code limit}: what a filter or a comparison would turn it into, before anything is built.
     */
    static long size(Object value, long limit) {
        return size(value, limit, 0);
    }

    private static long size(Object value, long limit, int depth) {
        if (value == null) {
            return 0;
        }
        if (value instanceof CharSequence text) {
            return text.length();
        }
        if (value instanceof BigDecimal number) {
            // the plain digits, zeros of the scale included
            return number.precision() + Math.abs((long) number.scale()) + 2;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return 24;
        }
        if (depth > 64) {
            // deeper than any data a key is made of: count it as too much rather than walk it
            return limit + 1;
        }
        long total = 0;
        if (value instanceof Collection<?> items) {
            for (Object item : items) {
                total += 1 + size(item, limit, depth + 1);
                if (total > limit) {
                    return total;
                }
            }
            return total;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                total += 4 + size(entry.getKey(), limit, depth + 1) + size(entry.getValue(), limit, depth + 1);
                if (total > limit) {
                    return total;
                }
            }
            return total;
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            if (!value.getClass().getComponentType().isPrimitive()) {
                for (int i = 0; i < length; i++) {
                    total += 1 + size(Array.get(value, i), limit, depth + 1);
                    if (total > limit) {
                        return total;
                    }
                }
                return total;
            }
            return length * 24L;
        }
        // dates and liqp's own objects: short when written out
        return 64;
    }
}
