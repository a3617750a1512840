package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.s3relay.settings.RelaySettings;
import org.junit.jupiter.api.Test;

/**
 * The relay's settings are declared once, with their defaults, in application.properties; every one of them is
 * documented in docs/configuration.md and read somewhere; and nothing reads a setting that is not declared there.
 */
class SettingsReferenceTest {

    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Path REFERENCE = Path.of("docs/configuration.md");

    @Test
    void everyDeclaredSettingIsDocumentedAndEveryDocumentedOneIsDeclared() {
        assertThat(documented()).containsExactlyInAnyOrderElementsOf(declared());
    }

    @Test
    void everySettingTheCodeReadsIsDeclaredAndEveryDeclaredOneIsRead() {
        Set<String> read = read();
        assertThat(declared()).as("declared in application.properties").containsAll(read);
        assertThat(read).as("read by the code, the routes or the logging configuration").containsAll(declared());
    }

    /** The s3relay.* keys of application.properties. */
    private static Set<String> declared() {
        return matches(text(PROPERTIES), Pattern.compile("(?m)^\\s*(s3relay\\.[\\w.-]+)\\s*="));
    }

    /**
     * The settings the reference table names in its first column: {@code `s3relay.a.b`, `.c`} stands for
     * s3relay.a.b and s3relay.a.c.
     */
    private static Set<String> documented() {
        Set<String> names = new TreeSet<>();
        Pattern quoted = Pattern.compile("`([^`]+)`");
        for (String line : text(REFERENCE).lines().filter(l -> l.startsWith("| `")).toList()) {
            Matcher name = quoted.matcher(line.split("\\|")[1]);
            String full = null;
            while (name.find()) {
                String value = name.group(1);
                if (value.startsWith(".") && full != null) {
                    names.add(full.substring(0, full.lastIndexOf('.')) + value);
                } else {
                    full = value;
                    names.add(value);
                }
            }
        }
        names.removeIf(n -> !n.startsWith("s3relay."));
        return names;
    }

    /**
     * What the relay and its commands read: the properties of the typed settings model, as kebab-case keys under
     * s3relay. ({@code integration.circuit.openMillis} is s3relay.integration.circuit.open-millis), and the
     * {{placeholders}} of routes and configuration files.
     */
    private static Set<String> read() {
        Set<String> names = new TreeSet<>(RelaySettings.keys());
        Pattern placeholder = Pattern.compile("\\{\\{(s3relay\\.[\\w.-]+)(?::[^}]*)?}}|\\$\\{(?:sys:)?(s3relay\\.[\\w.-]+)");
        try (Stream<Path> files = Stream.concat(Files.list(Path.of("routes")), Files.list(Path.of("src/main/resources")))) {
            files.filter(Files::isRegularFile).forEach(file -> {
                Matcher m = placeholder.matcher(text(file));
                while (m.find()) {
                    names.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static Set<String> matches(String text, Pattern pattern) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
