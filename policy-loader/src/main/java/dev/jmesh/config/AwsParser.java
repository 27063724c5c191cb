package dev.jmesh.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code aws: { S3: { timeout: 5s }, S3.GetObject: { timeout: 1s, retry: { maxAttempts: 2 }, circuitBreaker:
 * {...}, rateLimit: {...} } }}: policies for AWS SDK calls by service, or by service and operation.
 */
final class AwsParser {

    static final List<String> KEYS = Fields.keys("timeout", "retry", "circuitBreaker", "rateLimit");
    /** The SDK's names: a service id without spaces ({@code S3}, {@code DynamoDb}), an operation ({@code GetObject}). */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9][A-Za-z0-9_-]*)?");

    private AwsParser() {
    }

    /** The {@code aws} map; entries with problems are left out (and reported). */
    static Map<String, AwsPolicy> parseAll(Node aws, Problems problems) {
        Map<String, AwsPolicy> result = new LinkedHashMap<String, AwsPolicy>();
        if (!aws.is(Node.Kind.MAP)) {
            problems.error(aws, aws.where() + ": expected a map from AWS services or Service.Operation names to"
                    + " policies, like { S3.GetObject: { timeout: 1s } }, got " + aws.describe());
            return result;
        }
        for (Map.Entry<String, Node.Entry> e : aws.entries().entrySet()) {
            String key = e.getKey();
            if (!KEY.matcher(key).matches()) {
                problems.error(e.getValue().key, aws.where() + ": '" + key + "' is not a service or"
                        + " Service.Operation name as the SDK spells them, like S3 or S3.GetObject");
                continue;
            }
            AwsPolicy policy = parse(key, e.getValue().value, problems);
            if (policy != null) {
                result.put(key, policy);
            }
        }
        return result;
    }

    static AwsPolicy parse(String key, Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        Duration timeout = f.duration("timeout", null);
        RetryConfig retry = f.has("retry") ? f.track(RetryParser.parseDatabase(f.get("retry"), problems)) : null;
        CircuitBreakerConfig circuitBreaker = f.has("circuitBreaker")
                ? f.track(CircuitBreakerParser.parse(f.get("circuitBreaker"), null, problems))
                : null;
        if (circuitBreaker != null && circuitBreaker.slowCallRateThreshold() != null) {
            Node at = f.get("circuitBreaker").entries().get("slowCallRateThreshold").key;
            problems.error(at, f.get("circuitBreaker").where() + ": slowCallRateThreshold is not supported for AWS"
                    + " calls; a timeout bounds them instead");
            f.fail();
        }
        RateLimitConfig rateLimit = f.has("rateLimit")
                ? f.track(RateLimitParser.parse(f.get("rateLimit"), problems))
                : null;
        if (!f.ok()) {
            return null;
        }
        return new AwsPolicy(key, timeout, retry, circuitBreaker, rateLimit);
    }
}
