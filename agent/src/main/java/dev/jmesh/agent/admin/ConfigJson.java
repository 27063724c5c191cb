package dev.jmesh.agent.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.jmesh.bootstrap.Redaction;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The effective config ({@code /config}) as JSON, read from the immutable model through its public
 * accessors, so that every key the loader knows is shown without a second list of keys to keep in step.
 * Secrets are replaced by {@value #REDACTED}: values of keys that name a secret (token, password, secret,
 * credential, authorization, ...: this covers {@code controlPlane.http.tokenFile} / {@code tokenEnv} and
 * header matches on {@code authorization}), the user-info part of URLs ({@code https://user:pass@host}), and
 * {@code password=}, {@code token=}-style parameters of JDBC and other URLs (other parameters stay: unlike the
 * log's {@code Redaction}, which drops whole query strings, {@code /config} should still show {@code sslmode}).
 */
final class ConfigJson {
    static final String REDACTED = "<redacted>";
    private static final String MODEL_PACKAGE = "dev.jmesh.config.";
    private static final int MAX_DEPTH = 16;
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(token|password|passwd|pwd|secret|credential|authorization|api[-_]?key|cookie).*");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile(
            "(?i)((?:password|pwd|passwd|secret|token|api[_-]?key|access[_-]?key)\\s*=)[^;&,)]*");

    private ConfigJson() {
    }

    static void write(Object config, JsonGenerator json) throws IOException {
        value(config, null, json, 0);
    }

    private static void value(Object v, String key, JsonGenerator json, int depth) throws IOException {
        if (v == null) {
            json.writeNull();
        } else if (key != null && SECRET_KEY.matcher(key).matches()) {
            json.writeString(REDACTED);
        } else if (v instanceof Boolean) {
            json.writeBoolean((Boolean) v);
        } else if (v instanceof Integer || v instanceof Long) {
            json.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number) {
            json.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof Duration) {
            json.writeString(duration((Duration) v));
        } else if (v instanceof Map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                String name = String.valueOf(e.getKey());
                json.writeFieldName(name);
                value(e.getValue(), name, json, depth + 1);
            }
            json.writeEndObject();
        } else if (v instanceof Collection) {
            json.writeStartArray();
            for (Object item : (Collection<?>) v) {
                value(item, null, json, depth + 1);
            }
            json.writeEndArray();
        } else if (v instanceof Enum) {
            json.writeString(enumName((Enum<?>) v));
        } else if (isModel(v) && depth < MAX_DEPTH) {
            model(v, json, depth);
        } else {
            json.writeString(redactString(String.valueOf(v)));
        }
    }

    /** A model object (public class of dev.jmesh.config, not an enum) as an object of its accessors. */
    private static void model(Object v, JsonGenerator json, int depth) throws IOException {
        json.writeStartObject();
        for (Method accessor : accessors(v.getClass())) {
            Object field;
            try {
                field = accessor.invoke(v);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (field == null || (field instanceof Collection && ((Collection<?>) field).isEmpty())
                    || (field instanceof Map && ((Map<?, ?>) field).isEmpty())) {
                continue;
            }
            json.writeFieldName(accessor.getName());
            value(field, accessor.getName(), json, depth + 1);
        }
        json.writeEndObject();
    }

    private static boolean isModel(Object v) {
        Class<?> type = v.getClass();
        return type.getName().startsWith(MODEL_PACKAGE) && !type.isEnum() && Modifier.isPublic(type.getModifiers());
    }

    private static List<Method> accessors(Class<?> type) {
        List<Method> accessors = new ArrayList<Method>();
        for (Method m : type.getMethods()) {
            if (m.getDeclaringClass() == type && m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers())
                    && m.getReturnType() != void.class && !m.getName().equals("toString")
                    && !m.getName().equals("hashCode")) {
                accessors.add(m);
            }
        }
        accessors.sort(Comparator.comparing(Method::getName));
        return accessors;
    }

    /** The name the config file uses ({@code configName()}, as the model's enums have), else the constant's. */
    private static String enumName(Enum<?> constant) {
        try {
            Object name = constant.getClass().getMethod("configName").invoke(constant);
            return String.valueOf(name);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return constant.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** URL user-info and JDBC password parameters replaced; everything else as it was. */
    static String redactString(String s) {
        String out = Redaction.withoutUserInfo(s);
        return PASSWORD_PARAMETER.matcher(out).replaceAll("$1" + REDACTED);
    }

    private static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0 && millis > 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
