package io.s3relay.keys;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneOffset;

/**
 * An ISO-8601 time with an offset, such as {@code processed_at}, as the date and time it is in UTC, to the second:
 * the path variables go no finer.
 * <p>
 * The usual shape, {@code 2018-05-09T09:45:31Z} with an optional fraction and an optional {@code +hh:mm}
 * offset, is read digit by digit: {@link OffsetDateTime#parse} costs more than rendering the rest of a key.
 * Any other shape, and any out-of-range field, goes through {@link OffsetDateTime#parse}, so that what it
 * accepts, and how it fails, stays the rule.
 */
final class IsoOffsetTime {

    private IsoOffsetTime() {
    }

    static LocalDateTime toUtc(String text) {
        LocalDateTime usual = usualShapeToUtc(text);
        return usual != null ? usual : LocalDateTime.ofEpochSecond(OffsetDateTime.parse(text).toEpochSecond(), 0, ZoneOffset.UTC);
    }

    /** Null when the text is not in the usual shape or a field is out of range. */
    private static LocalDateTime usualShapeToUtc(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int at = 19;
        if (text.charAt(at) == '.') {
            int digits = 0;
            while (++at < length && isDigit(text.charAt(at))) {
                digits++;
            }
            if (digits < 1 || digits > 9) {
                return null;
            }
        }
        // the fraction is dropped: an offset of whole minutes cannot carry it into another second
        LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second);
        if (at == length - 1 && text.charAt(at) == 'Z') {
            return local;
        }
        if (at != length - 6 || (text.charAt(at) != '+' && text.charAt(at) != '-') || text.charAt(at + 3) != ':') {
            return null;
        }
        int offsetHours = number(text, at + 1, 2);
        int offsetMinutes = number(text, at + 4, 2);
        if (offsetHours < 0 || offsetMinutes < 0 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 18 * 60) {
            return null;
        }
        int offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (text.charAt(at) == '-' ? -1 : 1);
        return local.minusSeconds(offsetSeconds);
    }

    /** The decimal number of {@code count} digits at {@code from}, or -1 when one is not a digit. */
    private static int number(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> Year.isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }
}
