package io.s3relay.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A customer's template is bounded in memory, time and depth as a whole, not only in what its filters return:
 * an amplifying filter is refused before it builds anything, an operator loop stops at the deadline, and a
 * template nesting thousands of levels is refused before the parser recurses into it.
 */
class TemplateBoundsTest {

    private static final PathTemplateRenderer RENDERER = new PathTemplateRenderer();
    private static final Map<String, Object> VARIABLES = Map.of("submission_id", "sub_1");

    /** 16,000 characters captured in the template itself, as a customer can. */
    private static final String BIG = "{% capture big %}{% for i in (1..1600) %}0123456789{% endfor %}{% endcapture %}";

    @Test
    void refusesAReplaceThatWouldBuild256MillionCharactersBeforeBuildingIt() {
        PathTemplate template = RENDERER.parse(BIG + "{{ big | replace: '', big }}{{ submission_id }}");
        long before = allocatedByThisThread();

        assertThatThrownBy(() -> RENDERER.render(template, VARIABLES)).isInstanceOf(InvalidKeyException.class)
                .hasMessage("the path template's 'replace' filter would produce more than 16384 characters");
        // the capture and the loop cost a few MB; the replace alone would have been 256 M characters
        assertThat(allocatedByThisThread() - before).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void refusesARoundToAHundredMillionDigitsBeforeBuildingTheFormat() {
        PathTemplate template = RENDERER.parse("{{ 1.5 | round: 100000000 }}{{ submission_id }}");
        long before = allocatedByThisThread();

        assertThatThrownBy(() -> RENDERER.render(template, VARIABLES)).isInstanceOf(InvalidKeyException.class)
                .hasMessage("the path template's 'round' filter would produce more than 16384 characters");
        assertThat(allocatedByThisThread() - before).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void refusesAListThatWouldBeWrittenOutLargerThanTheLimit() {
        // 16 copies of one 1,600-character string: 16 elements, but 25,600 characters once written out
        PathTemplate template = RENDERER.parse("{% capture s %}{% for i in (1..160) %}0123456789{% endfor %}{% endcapture %}"
                + "{% assign list = s | split: ',' %}{% for i in (1..4) %}{% assign list = list | concat: list %}{% endfor %}"
                + "{{ submission_id }}");

        assertThatThrownBy(() -> RENDERER.render(template, VARIABLES)).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("'concat' filter").hasMessageContaining("more than 16384 characters");
    }

    @Test
    void stopsALoopOfContainsOverLargeStringsAtTheDeadline() {
        // contains is an operator: no filter runs in the loop; each test scans 16,000 characters 8,000 times
        PathTemplate template = RENDERER.parse(BIG.replace("0123456789", "aaaaaaaaaa")
                + "{% capture needle %}{% for i in (1..800) %}aaaaaaaaaa{% endfor %}b{% endcapture %}"
                + "{% for i in (1..7000) %}{% if big contains needle %}found{% endif %}{% endfor %}{{ submission_id }}");
        long start = System.nanoTime();

        assertThatThrownBy(() -> RENDERER.render(template, VARIABLES)).isInstanceOf(InvalidKeyException.class)
                .hasMessage("the path template took too long to render");
        // the deadline is 1 s; without it the loop runs for minutes
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void stopsAConditionWithoutAnyLoopAtTheDeadline() {
        var strict = new PathTemplateRenderer(new PathTemplateRenderer.Limits(10_000, 16_384, 8_192, -1));
        PathTemplate template = strict.parse("{% if submission_id contains 'x' %}x{% endif %}{{ submission_id }}");

        assertThatThrownBy(() -> strict.render(template, VARIABLES)).isInstanceOf(InvalidKeyException.class)
                .hasMessage("the path template took too long to render");
    }

    @Test
    void refusesThousandsOfNestedParenthesesBeforeParsing() {
        String source = "{% if " + "(".repeat(3_900) + "true" + ")".repeat(3_900) + " %}x{% endif %}{{ submission_id }}";

        assertThatThrownBy(() -> RENDERER.parse(source)).isInstanceOf(InvalidKeyException.class)
                .hasMessage("the path template nests more than 32 levels");
    }

    @Test
    void refusesDeeplyNestedBlocksBracketsAndConditions() {
        assertThatThrownBy(() -> RENDERER.parse("{% if true %}".repeat(40) + "x" + "{% endif %}".repeat(40)))
                .hasMessage("the path template nests more than 32 levels");
        assertThatThrownBy(() -> RENDERER.parse("{{ submission_id" + "[submission_id".repeat(40) + "]".repeat(40) + " }}"))
                .hasMessage("the path template nests more than 32 levels");
        assertThatThrownBy(() -> RENDERER.parse("{% if true" + " and true".repeat(40) + " %}x{% endif %}"))
                .hasMessage("the path template nests more than 32 levels");
        assertThatThrownBy(() -> RENDERER.parse("{{ submission_id" + " | upcase".repeat(65) + " }}"))
                .hasMessage("the path template chains more than 64 filters in one tag");
    }

    @Test
    void stillRendersOrdinaryNestingAndTextThatLooksLikeIt() {
        String source = "((((((((((((((((((((((((((((((((((((((((/{% if (true) and ((true)) %}{{ submission_id | append: '((((((((((((((((((((((((((((((((((((' }}{% endif %}";
        assertThat(RENDERER.render(RENDERER.parse(source), VARIABLES)).endsWith("/sub_1((((((((((((((((((((((((((((((((((((");
        assertThat(RENDERER.render(RENDERER.parse("{% raw %}" + "{% if a %}".repeat(40) + "{% endraw %}{{ submission_id }}"),
                VARIABLES)).endsWith("sub_1");
    }

    @Test
    void turnsAStackOverflowWhileRenderingIntoAnInvalidTemplate() throws Exception {
        // 32 levels are allowed; on a thread with a tiny stack they still overflow it
        PathTemplate template = RENDERER.parse("{% if true %}".repeat(30) + "{{ submission_id }}" + "{% endif %}".repeat(30));
        Throwable[] thrown = new Throwable[1];
        Thread small = new Thread(null, () -> {
            try {
                RENDERER.render(template, VARIABLES);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "small-stack", 16 * 1024);
        small.start();
        small.join();

        assertThat(thrown[0]).isInstanceOf(InvalidKeyException.class)
                .hasMessage("the path template nests too deeply to render");
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

}
