package io.s3relay.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** processed_at is read as OffsetDateTime.parse reads it, to the second, whether its shape is the usual one or not. */
class IsoOffsetTimeTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "2018-05-09T09:45:31Z", "2018-05-09T09:45:31.5Z", "2018-05-09T09:45:31.123456789Z",
            "2018-05-09T23:45:31-02:30", "2018-05-09T00:15:00+05:45", "2018-12-31T23:59:59-01:00",
            "2018-01-01T00:00:00+18:00", "2018-01-01T00:00:00-18:00", "2018-05-09T09:45:31+00:00",
            "2018-05-09T09:45:31-00:00", "2020-02-29T12:00:00Z", "2000-02-29T23:30:00-01:00", "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00", "2018-05-09t09:45:31z", "2018-05-09T09:45Z", "2018-05-09T09:45:31+05",
            "2018-05-09T09:45:31+05:30:15", "+12018-05-09T09:45:31Z",
            "2018-05-09T09:45:31.999999999-17:59", "2018-05-09T09:45:31.Z"})
    void readsAValidTimeAsTheSameUtcDateAndTimeToTheSecond(String text) {
        assertThat(IsoOffsetTime.toUtc(text)).isEqualTo(
                LocalDateTime.ofInstant(OffsetDateTime.parse(text).toInstant(), ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2018-02-29T09:45:31Z", "1900-02-29T09:45:31Z", "2018-04-31T09:45:31Z", "2018-13-09T09:45:31Z",
            "2018-00-09T09:45:31Z", "2018-05-00T09:45:31Z", "2018-05-09T24:00:00Z", "2018-05-09T09:60:31Z",
            "2018-05-09T09:45:60Z", "2018-05-09T09:45:31", "2018-05-09T09:45:31.1234567890Z", "2018-05-09T09:45:31+0530",
            "2018-05-09T09:45:31+18:01", "2018-05-09T09:45:31-23:59", "2018-05-09T09:45:31+05:60", "2018-05-09 09:45:31Z", "2018-5-09T09:45:31Z",
            "2018-05-09T09:45:31ZZ", "2018-05-09T09:45:31+05:30x", "2018-05-09T09:45:31 Z", "20180509T094531Z", ""})
    void refusesAnInvalidTimeAsOffsetDateTimeDoes(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> IsoOffsetTime.toUtc(text)).isInstanceOf(DateTimeParseException.class);
    }
}
