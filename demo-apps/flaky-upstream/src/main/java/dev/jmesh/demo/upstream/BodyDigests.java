package dev.jmesh.demo.upstream;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request bodies seen so far, for duplicate detection, as SHA-256 digests (32 bytes each, whatever the body's
 * size) and at most {@code capacity} of them: beyond that the oldest is forgotten, so a long soak run cannot grow
 * the upstream's heap without bound. A duplicate of a body older than the last {@code capacity} ones goes unseen.
 */
final class BodyDigests {
    static final int DEFAULT_CAPACITY = 100_000;

    private final Map<ByteBuffer, Boolean> seen;

    BodyDigests(final int capacity) {
        this.seen = new LinkedHashMap<ByteBuffer, Boolean>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers {@code body}; false when an equal body is already remembered. */
    synchronized boolean add(byte[] body) {
        return seen.put(ByteBuffer.wrap(sha256(body)), Boolean.TRUE) == null;
    }

    synchronized void clear() {
        seen.clear();
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
