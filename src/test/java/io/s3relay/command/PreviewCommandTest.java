package io.s3relay.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * preview prints the key a template renders for a message, or the error the customer would see.
 * <p>
 * Not on the test kit: it runs the command line in this JVM, and no relay route takes part.
 */
class PreviewCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsTheKeyOfATemplateForAMessage() throws Exception {
        int exit = preview("--template", "{{ template_id }}/{{ submission_id }}.pdf", "--message", message());
        assertThat(exit).isZero();
        assertThat(out.toString().strip()).isEqualTo("tpl_eGc5CmFbPnCCmerqsx/sub_Gbxesk7Xf52Pq3KgT9.pdf");
    }

    @Test
    void printsTheErrorACustomerWouldSee() throws Exception {
        int exit = preview("--template", "../{{ submission_id }}.pdf", "--message", message());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("The upload would fail").contains("'..' folder");
    }

    @Test
    void refusesATypoWithTheSuggestedVariable() throws Exception {
        int exit = preview("--template", "{{ submision_id }}.pdf", "--message", message());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("did you mean 'submission_id'?");
    }

    @Test
    void usesAConfiguredIntegrationsTemplate() throws Exception {
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, """
                integrations:
                  - id: int_preview
                    account_id: acc_1
                    bucket: bucket-b
                    region: us-east-1
                    access_key_id: k
                    secret_access_key: s
                    path_template: "{{ year }}/{{ month }}/{{ submission_id }}.pdf"
                """);
        System.setProperty("s3relay.integrations.file", file.toString());
        try {
            int exit = preview("--integration", "int_preview", "--message", message());
            assertThat(exit).isZero();
            assertThat(out.toString().strip()).isEqualTo("2018/5/sub_Gbxesk7Xf52Pq3KgT9.pdf");
        } finally {
            System.clearProperty("s3relay.integrations.file");
        }
    }

    @Test
    void printsOneLineAndFailsForATemplateNestingThousandsOfLevels() throws Exception {
        String template = "{% if " + "(".repeat(3_900) + "true" + ")".repeat(3_900) + " %}x{% endif %}{{ submission_id }}";
        int exit = preview("--template", template, "--message", message());
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("The upload would fail: the path template nests more than 32 levels"
                + System.lineSeparator());
    }

    @Test
    void printsOneLineAndFailsForATemplateThatWouldExhaustTheRelay() throws Exception {
        String template = "{% capture big %}{% for i in (1..1600) %}0123456789{% endfor %}{% endcapture %}"
                + "{{ big | replace: '', big }}{{ submission_id }}";
        int exit = preview("--template", template, "--message", message());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("The upload would fail: the path template's 'replace' filter would produce"
                + " more than 16384 characters" + System.lineSeparator());
    }

    @Test
    void explainsItsUsage() throws Exception {
        assertThat(preview("--message", message())).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: preview");
    }

    private String message() throws Exception {
        Path file = dir.resolve("message.json");
        Files.writeString(file, """
                {"submission": {"id": "sub_Gbxesk7Xf52Pq3KgT9", "account_id": "acc_X3gQR5GN6tS6tcYgJs",
                  "template_id": "tpl_eGc5CmFbPnCCmerqsx", "template_name": "Invoice 2018",
                  "test": false, "processed_at": "2018-05-09T09:45:31Z",
                  "metadata": {"user_id": 42}, "download_url": "file:///srv/pdfs/sub_Gbxesk7Xf52Pq3KgT9.pdf"}}""");
        return file.toString();
    }

    private int preview(String... args) throws Exception {
        return new PreviewCommand(Settings.load(), new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }
}
