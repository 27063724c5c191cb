package dev.jmesh.instrumentation.jdkhttpclient;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How often {@link FakeFacade}'s original method bodies ran. Kept outside {@code FakeFacade} because
 * the test weaves a renamed copy of that class, which would otherwise count in a field of its own.
 */
public final class OriginalBodies {
    public static final AtomicInteger COUNT = new AtomicInteger();

    private OriginalBodies() {
    }
}
