package io.s3relay.keys;

import java.util.Collection;

import liqp.TemplateContext;
import liqp.filters.Filter;

/**
 * Wraps one of Liquid's filters so that a customer's template cannot blow up: liqp bounds loops and what is
 * written out, but not what filters build in between. Before a filter runs, the largest result its inputs can
 * give is worked out for the filters whose result can be far larger than their inputs ({@code replace: "", big}
 * puts {@code big} between every two characters), so that no oversized value is ever built; after it runs, its
 * result is measured as it would be written out, and counted towards what the whole render may build. Each call
 * also checks the render's deadline.
 */
final class GuardedFilter extends Filter {

    private final Filter delegate;
    private final int maxChars;

    GuardedFilter(Filter delegate, int maxChars) {
        super(delegate.name);
        this.delegate = delegate;
        this.maxChars = maxChars;
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
        RenderBudget budget = BoundedContext.budgetOf(context);
        if (budget == null) {
            throw new IllegalStateException("a path template filter ran outside a bounded render");
        }
        budget.checkTime();
        long worst = worstCase(value, params);
        if (worst > maxChars) {
            throw new InvalidKeyException("the path template's '" + name + "' filter would produce more than " + maxChars
                    + " characters");
        }
        Object result = delegate.apply(value, context, params);
        long size = RenderBudget.size(result, maxChars);
        if (size > maxChars) {
            throw new InvalidKeyException("the path template's '" + name + "' filter produced more than " + maxChars
                    + " characters");
        }
        budget.built(size);
        return result;
    }

    /**
     * The largest result this filter can give for these inputs, for the filters whose result can be much larger
     * than their inputs; 0 for the others, whose result is at most a few times their input and is measured after.
     */
    private long worstCase(Object value, Object[] params) {
        long limit = maxChars;
        return switch (name) {
            case "replace" -> {
                long input = RenderBudget.size(value, limit);
                long search = param(params, 0, limit);
                long replacement = param(params, 1, limit);
                // every occurrence of the search string is replaced; an empty one occurs around every character
                yield input + (input / Math.max(1, search) + 1) * replacement;
            }
            case "replace_first" -> RenderBudget.size(value, limit) + param(params, 1, limit);
            case "append", "prepend", "concat" -> RenderBudget.size(value, limit) + param(params, 0, limit);
            case "join" -> {
                long count = count(value);
                long glue = params.length == 0 ? 1 : param(params, 0, limit);
                yield RenderBudget.size(value, limit) + Math.max(0, count - 1) * glue;
            }
            case "split" -> {
                // an element per character at worst, and each element is an object of its own
                long input = RenderBudget.size(value, limit);
                yield input + input / Math.max(1, param(params, 0, limit)) + 1;
            }
            case "times" -> RenderBudget.size(value, limit) + param(params, 0, limit);
            // round builds a format of as many zeros as it is asked for digits
            case "round" -> params.length > 0 ? (long) Math.min(Long.MAX_VALUE, Math.abs(number(params[0]))) : 0;
            default -> 0;
        };
    }

    private static long param(Object[] params, int index, long limit) {
        return index < params.length ? RenderBudget.size(params[index], limit) : 0;
    }

    private static double number(Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        try {
            return value == null ? 0 : Double.parseDouble(value.toString().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long count(Object value) {
        if (value instanceof Collection<?> items) {
            return items.size();
        }
        if (value != null && value.getClass().isArray()) {
            return java.lang.reflect.Array.getLength(value);
        }
        return 1;
    }
}
