package io.s3relay.keys;

import liqp.Template;

/** A parsed path template, parsed once per configuration and rendered for every upload. */
public final class PathTemplate {

    private final String source;
    private final Template template;

    PathTemplate(String source, Template template) {
        this.source = source;
        this.template = template;
    }

    public String source() {
        return source;
    }

    Template template() {
        return template;
    }

    @Override
    public String toString() {
        return source;
    }
}
