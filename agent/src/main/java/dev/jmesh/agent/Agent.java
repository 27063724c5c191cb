package dev.jmesh.agent;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.instrumentation.InstrumentationModule;
import dev.jmesh.instrumentation.apachehttpclient4.ApacheHttpClient4Module;
import dev.jmesh.instrumentation.apachehttpclient5.ApacheHttpClient5Module;
import dev.jmesh.instrumentation.awssdk2.AwsSdk2Module;
import dev.jmesh.instrumentation.httpurlconnection.HttpUrlConnectionModule;
import dev.jmesh.instrumentation.jdbc.JdbcModule;
import dev.jmesh.instrumentation.jdkhttpclient.JdkHttpClientModule;
import dev.jmesh.instrumentation.jdkhttpserver.JdkHttpServerModule;
import dev.jmesh.instrumentation.okhttp.OkHttpModule;
import dev.jmesh.instrumentation.servlet.ServletModule;

import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The agent proper, started by {@code AgentLauncher} inside the agent's own class loader.
 *
 * <p>Premain does the least it can: it registers a {@link DeferredWeaver} that knows the target type
 * names, and starts {@link AgentInitializer} on a daemon thread, which loads the config, starts the
 * engine and builds the Byte Buddy weaver while the application starts in parallel.
 */
public final class Agent {
    static final List<InstrumentationModule> MODULES = Arrays.<InstrumentationModule>asList(
            new HttpUrlConnectionModule(),
            new JdkHttpClientModule(),
            new OkHttpModule(),
            new ApacheHttpClient4Module(),
            new ApacheHttpClient5Module(),
            new JdkHttpServerModule(),
            new ServletModule(),
            new JdbcModule(),
            new AwsSdk2Module());

    private Agent() {
    }

    public static void start(String args, final Instrumentation inst) {
        final long started = System.nanoTime();
        Set<String> targets = new HashSet<String>();
        Set<String> superTypes = new HashSet<String>();
        for (InstrumentationModule module : MODULES) {
            for (String type : module.targetTypes()) {
                targets.add(type.replace('.', '/'));
            }
            superTypes.addAll(module.superTypes());
        }
        final DeferredWeaver weaver = new DeferredWeaver(targets, superTypes);
        inst.addTransformer(weaver, true);
        Thread init = new AgentThreads("init").newThread(() -> AgentInitializer.initialize(inst, weaver, started));
        weaver.initializingOn(init);
        init.start();
        if (Boolean.getBoolean("jmesh.debug")) {
            AgentLog.info("premain took " + (System.nanoTime() - started) / 1_000_000 + "ms");
        }
    }
}
