package io.s3relay.keys;

import java.util.Set;

/**
 * Measures how deeply a template nests before it is parsed: liqp's parser, its tree walks and its rendering
 * recurse once per level of parentheses, brackets, {@code and}/{@code or} and blocks, so a few thousand levels
 * overflow a thread's stack. A template nesting more than a key ever needs is refused with a plain reason.
 * <p>
 * The count is made on the source text, without the parser; where the text is odd enough to fool it, the
 * parser's own errors and the renderer's catch of a stack overflow still stand behind it.
 */
final class TemplateNesting {

    private static final Set<String> BLOCKS = Set.of("if", "unless", "case", "for", "tablerow", "capture", "ifchanged");

    private TemplateNesting() {
    }

    /** @throws InvalidKeyException when the template nests more than {@code maxLevels} or chains too many filters */
    static void check(String source, int maxLevels, int maxFilters) {
        int blocks = 0;
        int at = 0;
        while (at < source.length()) {
            int output = source.indexOf("{{", at);
            int tag = source.indexOf("{%", at);
            if (output < 0 && tag < 0) {
                return;
            }
            boolean isTag = output < 0 || (tag >= 0 && tag < output);
            int start = (isTag ? tag : output) + 2;
            int end = source.indexOf(isTag ? "%}" : "}}", start);
            if (end < 0) {
                end = source.length();
            }
            String markup = source.substring(start, end);
            at = end + 2;
            if (isTag) {
                String name = tagName(markup);
                if (name.equals("raw") || name.equals("comment")) {
                    at = skipPast(source, at, "end" + name);
                    continue;
                }
                if (BLOCKS.contains(name)) {
                    blocks++;
                    if (blocks > maxLevels) {
                        throw tooDeep(maxLevels);
                    }
                } else if (name.startsWith("end") && BLOCKS.contains(name.substring(3))) {
                    blocks = Math.max(0, blocks - 1);
                }
            }
            checkMarkup(markup, maxLevels, maxFilters);
        }
    }

    private static InvalidKeyException tooDeep(int maxLevels) {
        return new InvalidKeyException("the path template nests more than " + maxLevels + " levels");
    }

    /** Parentheses, brackets and the and/or of one tag or output; and its filters. */
    private static void checkMarkup(String markup, int maxLevels, int maxFilters) {
        int depth = 0;
        int deepest = 0;
        int operators = 0;
        int filters = 0;
        for (int i = 0; i < markup.length(); i++) {
            char c = markup.charAt(i);
            if (c == '"' || c == '\'') {
                int close = markup.indexOf(c, i + 1);
                i = close < 0 ? markup.length() : close;
            } else if (c == '(' || c == '[') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == ')' || c == ']') {
                depth = Math.max(0, depth - 1);
            } else if (c == '|') {
                filters++;
            } else if (Character.isLetter(c) || c == '_') {
                int word = i;
                while (i + 1 < markup.length() && isWordChar(markup.charAt(i + 1))) {
                    i++;
                }
                String w = markup.substring(word, i + 1);
                if (w.equals("and") || w.equals("or")) {
                    operators++;
                }
            }
            if (deepest + operators > maxLevels) {
                throw tooDeep(maxLevels);
            }
        }
        if (filters > maxFilters) {
            throw new InvalidKeyException("the path template chains more than " + maxFilters + " filters in one tag");
        }
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '?';
    }

    private static String tagName(String markup) {
        int i = 0;
        while (i < markup.length() && (markup.charAt(i) == '-' || Character.isWhitespace(markup.charAt(i)))) {
            i++;
        }
        int start = i;
        while (i < markup.length() && Character.isLetterOrDigit(markup.charAt(i))) {
            i++;
        }
        return markup.substring(start, i);
    }

    /** Past the tag {@code {% name %}} that closes a raw or comment block, or the end of the source. */
    private static int skipPast(String source, int from, String name) {
        int at = from;
        while (true) {
            int tag = source.indexOf("{%", at);
            if (tag < 0) {
                return source.length();
            }
            int end = source.indexOf("%}", tag + 2);
            if (end < 0) {
                return source.length();
            }
            if (tagName(source.substring(tag + 2, end)).equals(name)) {
                return end + 2;
            }
            at = end + 2;
        }
    }
}
