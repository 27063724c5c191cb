package dev.jmesh.bootstrap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of free text before it leaves the agent (the access log's {@code error} field, the
 * agent's own warnings): an exception message may quote the URL a library was calling, with its user info
 * and query string, or a driver's connection string with its password. Structured fields never carry those
 * (paths have no query, authorities no user info), so only text the agent does not control goes through here.
 */
public final class Redaction {
    static final String REDACTED = "<redacted>";
    /** scheme://user:password@ : the user info goes. */
    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\\s@?#]*@");
    /** scheme://host/path?query#fragment : the query and fragment go. */
    private static final Pattern URL_QUERY = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^\\s?#\"']*)[?#][^\\s\"']*");
    /** password=..., token: ..., as in connection strings and headers quoted in messages. */
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "(?i)\\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|cookie)(\\s*[=:]\\s*)[^\\s;&,\"']+");
    /** Credentials after an auth scheme (Authorization: Bearer ..., Basic ...), or a bare Authorization value. */
    private static final Pattern CREDENTIALS = Pattern.compile(
            "(?i)\\b(bearer|basic|digest|negotiate)\\s+[A-Za-z0-9._~+/=-]+|\\b(authorization\\s*[=:]\\s*)(?!(bearer|basic|digest|negotiate)\\s)[^\\s;,\"']+");

    private Redaction() {
    }

    /** {@code text} without user info, query strings, passwords and tokens; null stays null. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = withoutUserInfo(text);
        out = URL_QUERY.matcher(out).replaceAll("$1?" + REDACTED);
        out = SECRET_SETTING.matcher(out).replaceAll("$1$2" + REDACTED);
        Matcher credentials = CREDENTIALS.matcher(out);
        StringBuffer redacted = new StringBuffer(out.length());
        while (credentials.find()) {
            String scheme = credentials.group(1);
            String replacement = scheme != null ? scheme + " " + REDACTED : credentials.group(2) + REDACTED;
            credentials.appendReplacement(redacted, Matcher.quoteReplacement(replacement));
        }
        credentials.appendTail(redacted);
        return redacted.toString();
    }

    /** {@code text} with the user info of every URL in it ({@code scheme://user:password@}) replaced. */
    public static String withoutUserInfo(String text) {
        return USER_INFO.matcher(text).replaceAll("$1" + REDACTED + "@");
    }

    /** How a failure appears in telemetry: its class and its message, redacted. */
    public static String describe(Throwable failure) {
        return failure == null ? null : failure.getClass().getName() + ": " + redact(failure.getMessage());
    }
}
