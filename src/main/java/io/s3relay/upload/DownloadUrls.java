package io.s3relay.upload;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code download_url} as it may appear in statuses, dead-letter headers and logs: without the credentials of its
 * user info and without the values of its query (pre-signed URLs carry X-Amz-Signature, X-Amz-Credential,
 * Signature, sig, token ... there), which are replaced by {@code REDACTED}; the fragment is dropped. Works on text
 * that is not a valid URI too.
 */
public final class DownloadUrls {

    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*@");
    private static final Pattern AUTHORITY = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*:)?//");

    private DownloadUrls() {
    }

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String text = url;
        String fragment = "";
        int hash = text.indexOf('#');
        if (hash >= 0) {
            text = text.substring(0, hash);
            fragment = "#REDACTED";
        }
        String query = null;
        int question = text.indexOf('?');
        if (question >= 0) {
            query = text.substring(question + 1);
            text = text.substring(0, question);
        }
        Matcher userInfo = USER_INFO.matcher(text);
        if (userInfo.find()) {
            // the last '@' before the path ends the user info (a password may hold '@' unescaped)
            String prefix = AUTHORITY.matcher(text).find() ? text.substring(0, text.indexOf("//") + 2) : "";
            text = prefix + "REDACTED@" + text.substring(userInfo.end());
        }
        if (query == null) {
            return text + fragment;
        }
        StringBuilder redacted = new StringBuilder(text).append('?');
        String[] params = query.split("&", -1);
        for (int i = 0; i < params.length; i++) {
            if (i > 0) {
                redacted.append('&');
            }
            String param = params[i];
            int eq = param.indexOf('=');
            if (eq >= 0) {
                redacted.append(param, 0, eq).append("=REDACTED");
            } else if (!param.isEmpty()) {
                // a bare value (?<token>) is as secret as a named one
                redacted.append("REDACTED");
            }
        }
        return redacted + fragment;
    }
}
