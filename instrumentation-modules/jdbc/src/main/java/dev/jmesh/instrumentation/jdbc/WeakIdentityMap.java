package dev.jmesh.instrumentation.jdbc;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Facts about the application's JDBC objects (connections, statements), by identity, without keeping them
 * alive and without locks: a {@link ConcurrentHashMap} of weak identity keys, purged of collected keys on
 * every put. JDBC objects' own {@code equals}/{@code hashCode} are never called.
 */
final class WeakIdentityMap<V> {
    private final ConcurrentHashMap<Key, V> map = new ConcurrentHashMap<Key, V>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<Object>();

    V get(Object key) {
        return map.get(new Lookup(key)); // ConcurrentHashMap calls lookup.equals(stored): no Reference allocated
    }

    void put(Object key, V value) {
        purge();
        map.put(new Key(key, collected), value);
    }

    int size() {
        return map.size();
    }

    private void purge() {
        Reference<?> gone;
        while ((gone = collected.poll()) != null) {
            map.remove(gone);
        }
    }

    /** A plain key for lookups, equal to the stored {@link Key} of the same object. */
    private static final class Lookup {
        private final Object referent;

        Lookup(Object referent) {
            this.referent = referent;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(referent);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key && ((Key) other).get() == referent;
        }
    }

    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Key)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == ((Key) other).get();
        }
    }
}
