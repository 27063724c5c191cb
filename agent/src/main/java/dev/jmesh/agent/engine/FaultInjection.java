package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.FaultConfig;
import dev.jmesh.config.Mode;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A route's {@code fault}: delay and abort a share of its calls (optionally only calls carrying a
 * given header), before any byte leaves. Envoy's flags {@code DI} and {@code FI} mark them; in shadow
 * mode nothing is injected and the flags read {@code ~DI} / {@code ~FI}: "would have".
 */
final class FaultInjection {
    private FaultInjection() {
    }

    /** Milliseconds to delay this call, 0 for none; records the decision. */
    static long delayMillis(FaultConfig fault, OutboundCall call, CallRecord record) {
        if (fault == null || fault.delay() == null || !applies(fault, call) || !drawn(fault.delay().percent())) {
            return 0;
        }
        boolean shadow = fault.mode() == Mode.SHADOW;
        record.flag(shadow ? "~" + ResponseFlags.DELAY_INJECTED : ResponseFlags.DELAY_INJECTED);
        return shadow ? 0 : fault.delay().duration().toMillis();
    }

    /** Whether to abort this call, with the fault's status in the message; records the decision. */
    static boolean abort(FaultConfig fault, OutboundCall call, CallRecord record) {
        if (fault == null || fault.abort() == null || !applies(fault, call) || !drawn(fault.abort().percent())) {
            return false;
        }
        boolean shadow = fault.mode() == Mode.SHADOW;
        record.flag(shadow ? "~" + ResponseFlags.FAULT_INJECTED : ResponseFlags.FAULT_INJECTED);
        return !shadow;
    }

    private static boolean applies(FaultConfig fault, OutboundCall call) {
        return fault.header() == null || call.headers().get(fault.header()) != null;
    }

    /** True for a {@code share} (a fraction in [0, 1]) of calls, drawn per call. */
    private static boolean drawn(double share) {
        return share >= 1 || ThreadLocalRandom.current().nextDouble() < share;
    }
}
