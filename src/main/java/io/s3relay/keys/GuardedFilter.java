package io.s3relay.keys;

import java.util.Collection;

import liqp.TemplateContext;
import liqp.filters.Filter;

/**
 * Wraps one of Liquid's filters so that a customer's template cannot blow up: liqp bounds loops and what is
 * written out, but not what filters build in between ({@code assign a = a | append: a} doubles a string each
 * time). Each filter call checks the size of its result and the render's deadline.
 */
final class GuardedFilter extends Filter {

    /** The deadline (System.nanoTime) of the render under way on this thread. */
    private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE});

    private final Filter delegate;
    private final int maxChars;

    GuardedFilter(Filter delegate, int maxChars) {
        super(delegate.name);
        this.delegate = delegate;
        this.maxChars = maxChars;
    }

    static void startRender(long maxNanos) {
        DEADLINE.get()[0] = System.nanoTime() + maxNanos;
    }

    static void endRender() {
        DEADLINE.get()[0] = Long.MAX_VALUE;
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
        if (System.nanoTime() > DEADLINE.get()[0]) {
            throw new InvalidKeyException("the path template took too long to render");
        }
        Object result = delegate.apply(value, context, params);
        int size = result instanceof CharSequence text ? text.length()
                : result instanceof Collection<?> list ? list.size()
                : result instanceof Object[] array ? array.length : 0;
        if (size > maxChars) {
            throw new InvalidKeyException("the path template's '" + name + "' filter produced more than " + maxChars
                    + " characters");
        }
        return result;
    }
}
