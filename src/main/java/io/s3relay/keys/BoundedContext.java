package io.s3relay.keys;

import java.util.LinkedHashMap;
import java.util.Map;

import liqp.RenderTransformer.ObjectAppender;
import liqp.TemplateContext;
import liqp.TemplateParser;

/**
 * The contexts of one render of a customer's template, all sharing its {@link RenderBudget}. liqp asks its
 * context at every variable lookup, loop iteration, block and nested scope: each of these checks the deadline,
 * so that a loop or a condition (an operator such as {@code contains} runs no filter) stops in time, and every
 * block's output counts towards the characters the render may build.
 */
final class BoundedContext extends TemplateContext {

    private final RenderBudget budget;

    /** The root of a render: it holds no variables of its own, the template's context is its child. */
    BoundedContext(TemplateParser parser, RenderBudget budget) {
        super(parser, new LinkedHashMap<>());
        this.budget = budget;
    }

    private BoundedContext(Map<String, Object> variables, BoundedContext parent) {
        super(variables, parent);
        this.budget = parent.budget;
    }

    /** The budget of the render a filter runs in; none outside a bounded render. */
    static RenderBudget budgetOf(TemplateContext context) {
        return context instanceof BoundedContext bounded ? bounded.budget : null;
    }

    @Override
    public TemplateContext newChildContext(Map<String, Object> variablesForChild) {
        budget.checkTime();
        return new BoundedContext(variablesForChild, this);
    }

    @Override
    public void incrementIterations() {
        budget.checkTime();
        super.incrementIterations();
    }

    @Override
    public boolean containsKey(String key) {
        // a lookup climbs the contexts to the root: the first of them checks, the root (no variables) does not
        if (parent != null) {
            budget.checkTime();
        }
        return super.containsKey(key);
    }

    @Override
    public ObjectAppender.Controller newObjectAppender(int estimatedNumberOfAppends) {
        budget.checkTime();
        ObjectAppender.Controller output = super.newObjectAppender(estimatedNumberOfAppends);
        return new ObjectAppender.Controller() {
            @Override
            public void append(Object obj) {
                output.append(obj);
            }

            @Override
            public Object getResult() {
                Object result = output.getResult();
                budget.built(result instanceof CharSequence text ? text.length() : 0);
                return result;
            }
        };
    }
}
