package dev.jmesh.instrumentation;

import net.bytebuddy.agent.builder.AgentBuilder;

import java.util.Collections;
import java.util.List;

/**
 * One client library's instrumentation. The agent asks every module for the exact names of the types
 * it weaves: only a class with one of those names is ever handed to Byte Buddy, so every other class
 * the application loads costs one hash lookup. A module adds its transformations and connects its
 * bootstrap bridge to its interceptor in {@link #instrument}, which runs off the application's
 * start-up path.
 *
 * <p>Advice must stay thin: it may reference only JDK types and {@code dev.jmesh.bootstrap}, because
 * it is inlined into library classes that see nothing else.
 */
public interface InstrumentationModule {

    /** Short, stable name used in logs, e.g. {@code http-url-connection}. */
    String name();

    /** Binary names of the types this module transforms, e.g. {@code sun.net.www.protocol.http.Handler}. */
    List<String> targetTypes();

    /**
     * Names of the named JDK modules that hold target types (e.g. {@code java.base}): they are given
     * a read edge to {@code dev.jmesh.bootstrap}, which woven advice calls. Empty for libraries on the
     * class path, whose unnamed modules read everything.
     */
    List<String> jdkModules();

    /**
     * Package prefixes of the library (and of libraries layered over it), e.g. {@code okhttp3.}: their
     * frames are skipped when the access log names the application frame that made a call.
     */
    default List<String> libraryPackages() {
        return Collections.emptyList();
    }

    /**
     * Binary names of interfaces whose implementations this module transforms (e.g. {@code java.sql.Driver}), for
     * libraries whose classes cannot be named in advance. A class reaches Byte Buddy's matcher only if its class
     * file mentions {@code java/sql/}-like package prefixes of these types (see the agent's weaver), so the cost
     * for every other class stays one scan of its constant pool bytes.
     */
    default List<String> superTypes() {
        return Collections.emptyList();
    }

    /** Adds this module's transformations to {@code builder} and returns the result. */
    AgentBuilder instrument(AgentBuilder builder);
}
