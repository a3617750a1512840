package io.s3relay;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The management server listens on loopback, and elsewhere only with credentials. */
class ManagementAccessTest {

    @Test
    void allowsLoopbackWithoutCredentials() {
        assertThatCode(() -> ManagementAccess.check(true, "127.0.0.1", false)).doesNotThrowAnyException();
        assertThatCode(() -> ManagementAccess.check(true, "localhost", false)).doesNotThrowAnyException();
    }

    @Test
    void refusesAnyOtherAddressWithoutCredentials() {
        assertThatThrownBy(() -> ManagementAccess.check(true, "0.0.0.0", false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("authentication-enabled=true");
    }

    @Test
    void allowsAnyAddressWithCredentials() {
        assertThatCode(() -> ManagementAccess.check(true, "0.0.0.0", true)).doesNotThrowAnyException();
    }

    @Test
    void ignoresADisabledServer() {
        assertThatCode(() -> ManagementAccess.check(false, "0.0.0.0", false)).doesNotThrowAnyException();
    }
}
