package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.bootstrap.Helpers;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * Weaves the REAL library classes of the test class path, once per JVM, the way the agent does: a
 * (self-attached) Java agent, the module's own {@code instrument}, retransformation of classes already
 * loaded, no class format changes, and the helper factory installed first.
 */
final class WovenLibrary {
    static final Set<String> TRANSFORMED = ConcurrentHashMap.newKeySet();
    static final List<Throwable> ERRORS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private WovenLibrary() {
    }

    static synchronized void install() throws Exception {
        if (installed) {
            return;
        }
        installed = true;
        Helpers.install(TestHelpers.INSTANCE);
        System.setProperty("net.bytebuddy.nexus.disabled", "true"); // as the agent does (no sun.misc.Unsafe)
        for (String target : new ApacheHttpClient4Module().targetTypes()) {
            Class.forName(target, false, WovenLibrary.class.getClassLoader()); // loaded before: retransformed
        }
        Instrumentation instrumentation = ByteBuddyAgent.install();
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .ignore(nameStartsWith("dev.jmesh."))
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                                                 boolean loaded, DynamicType dynamicType) {
                        TRANSFORMED.add(type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        ERRORS.add(throwable);
                    }
                });
        new ApacheHttpClient4Module().instrument(builder).installOn(instrumentation);
    }
}
