package dev.jmesh.agent;

import dev.jmesh.agent.admin.AdminEndpoint;
import dev.jmesh.agent.controlplane.ControlPlane;
import dev.jmesh.agent.engine.AwsEngineImpl;
import dev.jmesh.agent.engine.Caller;
import dev.jmesh.agent.engine.MeshEngineImpl;
import dev.jmesh.agent.engine.db.DatabaseEngineImpl;
import dev.jmesh.agent.telemetry.ConfigStatus;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AwsCalls;
import dev.jmesh.bootstrap.CallSite;
import dev.jmesh.bootstrap.Databases;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/** Everything the first intercepted call needs, done on the {@code jmesh-init} thread. */
final class AgentInitializer {
    /** How often the config file is checked for changes; a valid change is in force within this time. */
    private static final long CONFIG_POLL_MILLIS = 500;
    private AgentInitializer() {
    }

    static void initialize(Instrumentation inst, DeferredWeaver weaver, long premainStarted) {
        ConfigStatus.INSTANCE.starting();
        try {
            // Config and engine on a second thread: on a small machine that halves the time before the
            // first call can be served, since both halves are mostly class loading.
            FutureTask<Started> engine = new FutureTask<Started>(AgentInitializer::startEngine);
            new AgentThreads("config").newThread(engine).start();
            openJdkModules(inst);
            Helpers.install(HelperClassLoader.factory());
            List<String> libraries = new ArrayList<String>();
            for (InstrumentationModule module : Agent.MODULES) {
                libraries.addAll(module.libraryPackages());
            }
            Caller.skipLibraries(libraries);
            CallSite.install(Caller::find);
            ClassFileTransformer woven = buildWeaver().makeRaw();
            Started started = engine.get();
            MeshConfig config = started.config;
            weaver.ready(woven);
            retransformLoadedTargets(inst, weaver);
            ConfigStatus.INSTANCE.ready();
            // Only now: a poll loads the JDK's URL handlers, which would otherwise wait for the weaver.
            started.followControlPlane.run();
            if (Boolean.getBoolean("jmesh.debug")) {
                AgentLog.info("ready " + (System.nanoTime() - premainStarted) / 1_000_000 + "ms after premain, "
                        + config.services().size() + " services; " + weaver.scanStatistics());
                Runtime.getRuntime().addShutdownHook(new AgentThreads("debug-exit").newThread(
                        () -> AgentLog.info("at exit: " + weaver.scanStatistics())));
            }
        } catch (Throwable t) {
            weaver.ready(null);
            Throwable cause = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
            AgentLog.warn("the agent failed to initialise and stays inactive; the application runs without it: "
                    + cause);
        }
    }

    /** The engine's first config, and what to start once the weaver is ready. */
    private static final class Started {
        final MeshConfig config;
        final Runnable followControlPlane;

        Started(MeshConfig config, Runnable followControlPlane) {
            this.config = config;
            this.followControlPlane = followControlPlane;
        }
    }

    /**
     * Loads the config, registers the engines with the bootstrap facade, and follows the config's source (the
     * file, or the control plane it names): a valid change is swapped in atomically, an invalid one is reported and
     * the last good one stays.
     */
    private static Started startEngine() {
        final ConfigSource source = ConfigSource.fromSystem();
        MeshConfig config = source.initial();
        final ControlPlane controlPlane = ControlPlane.of(config, source.input());
        if (controlPlane != null) {
            config = controlPlane.initial(config);
        }
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, new AgentThreads("scheduler"));
        final Telemetry telemetry = new Telemetry();
        telemetry.configure(config.telemetry());
        final MeshEngineImpl engine = new MeshEngineImpl(config, scheduler, telemetry);
        telemetry.clusters(engine::clusters);
        final AdminEndpoint admin = new AdminEndpoint(telemetry, engine::clusters);
        // Not on this thread: the JDK's HttpServer may be a woven type, and the weaver waits for this thread;
        // and not before the agent is ready: the first call does not need it.
        final MeshConfig initial = config;
        scheduler.execute(() -> {
            try {
                ConfigStatus.INSTANCE.awaitReady(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            admin.configure(initial);
        });
        Mesh.install(engine);
        final DatabaseEngineImpl databases = new DatabaseEngineImpl(config, telemetry);
        Databases.install(databases);
        final AwsEngineImpl aws = new AwsEngineImpl(config, telemetry);
        AwsCalls.install(aws);
        final Consumer<MeshConfig> apply = changed -> {
            engine.update(changed);
            databases.update(changed);
            aws.update(changed);
            telemetry.configure(changed.telemetry());
            admin.configure(changed);
        };
        if (controlPlane != null) {
            // The local config only names the control plane: it is not watched (see docs/control-plane.md).
            return new Started(config, () -> controlPlane.start(apply));
        }
        if (source.watched()) {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    MeshConfig changed = source.poll();
                    if (changed != null) {
                        apply.accept(changed);
                    }
                } catch (Throwable t) {
                    AgentLog.warnOnce("config-watch", "config reload failed (" + t + "); keeping the last good config");
                }
            }, CONFIG_POLL_MILLIS, CONFIG_POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
        return new Started(config, () -> { });
    }

    private static AgentBuilder buildWeaver() {
        // Advice needs no Nexus (Byte Buddy's hook for initialising generated classes); turning it off
        // keeps Byte Buddy away from sun.misc.Unsafe, which Java 24+ warns about on the app's stderr.
        // The property name is relocated with Byte Buddy, so the application's own Byte Buddy is unaffected.
        System.setProperty("net.bytebuddy.nexus.disabled", "true");
        // Advice only rewrites method bodies: DECORATE and a method graph of the declared methods spare Byte Buddy
        // the analysis of each woven class's whole hierarchy (jdbc-app: about 0.5 s less CPU at start-up, docs/jdbc.md).
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy()
                        .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
                .disableClassFormatChanges()
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                // The default ignores JDK classes, which are exactly what HTTP instrumentation needs;
                // DeferredWeaver already lets only target types through.
                .ignore(nameStartsWith("dev.jmesh."))
                // The OpenTelemetry Java agent's own classes (its exporter's OkHttp) are that agent's, not the app's.
                .or(ElementMatchers.any(), otelAgentLoaders());
        for (InstrumentationModule module : Agent.MODULES) {
            builder = module.instrument(builder);
        }
        return builder;
    }

    /** The OpenTelemetry Java agent's class loaders ({@code io.opentelemetry.javaagent.bootstrap.AgentClassLoader}, ...). */
    private static ElementMatcher<ClassLoader> otelAgentLoaders() {
        return new ElementMatcher.Junction.AbstractBase<ClassLoader>() {
            @Override
            public boolean matches(ClassLoader loader) {
                return loader != null && loader.getClass().getName().startsWith("io.opentelemetry.javaagent.");
            }
        };
    }

    /**
     * Woven JDK modules must be able to read dev.jmesh.bootstrap, the bootstrap loader's unnamed module.
     * Reflection, because this code is compiled for Java 8, which has no modules.
     */
    private static void openJdkModules(Instrumentation inst) throws ReflectiveOperationException {
        Method getModule;
        try {
            getModule = Class.class.getMethod("getModule");
        } catch (NoSuchMethodException java8) {
            return;
        }
        Class<?> moduleType = getModule.getReturnType();
        Object bootstrap = getModule.invoke(Mesh.class);
        Object bootLayer = Class.forName("java.lang.ModuleLayer").getMethod("boot").invoke(null);
        Method findModule = bootLayer.getClass().getMethod("findModule", String.class);
        Method redefineModule = Instrumentation.class.getMethod("redefineModule",
                moduleType, Set.class, Map.class, Map.class, Set.class, Map.class);
        for (InstrumentationModule module : Agent.MODULES) {
            for (String name : module.jdkModules()) {
                Optional<?> found = (Optional<?>) findModule.invoke(bootLayer, name);
                if (found.isPresent()) {
                    redefineModule.invoke(inst, found.get(), Collections.singleton(bootstrap),
                            Collections.emptyMap(), Collections.emptyMap(), Collections.emptySet(),
                            Collections.emptyMap());
                }
            }
        }
    }

    /** Targets loaded before the weaver was ready (by the JVM itself, or by this thread) are woven now. */
    private static void retransformLoadedTargets(Instrumentation inst, DeferredWeaver weaver)
            throws Exception {
        List<Class<?>> superTypes = new ArrayList<Class<?>>();
        for (InstrumentationModule module : Agent.MODULES) {
            for (String name : module.superTypes()) {
                try {
                    superTypes.add(Class.forName(name, false, AgentInitializer.class.getClassLoader()));
                } catch (ClassNotFoundException absent) {
                    // not in this JDK: nothing of that kind can be loaded
                }
            }
        }
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (weaver.isTarget(type.getName()) || implementsAny(type, superTypes)) {
                loaded.add(type);
            }
        }
        if (!loaded.isEmpty()) {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        }
    }

    /** A loaded application class below one of the modules' super types (JDK and jmesh classes excluded). */
    private static boolean implementsAny(Class<?> type, List<Class<?>> superTypes) {
        if (type.isInterface() || type.isArray() || type.isPrimitive() || type.getClassLoader() == null) {
            return false;
        }
        String name = type.getName();
        if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.") || name.startsWith("dev.jmesh.")) {
            return false;
        }
        for (Class<?> superType : superTypes) {
            if (superType.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }
}
