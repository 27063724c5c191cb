package dev.jmesh.instrumentation.okhttp;

import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Weaves the real OkHttp classes of this JVM with {@link OkHttpModule}'s transformation, configured as the
 * agent configures Byte Buddy (advice only, retransformation), and undoes it afterwards.
 */
final class Weaving implements AutoCloseable {
    final List<String> woven = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Instrumentation instrumentation;
    private final ResettableClassFileTransformer transformer;

    Weaving() {
        instrumentation = ByteBuddyAgent.install();
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                                                 boolean loaded, DynamicType dynamicType) {
                        woven.add(type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        errors.add(throwable);
                    }
                });
        transformer = new OkHttpModule().instrument(builder).installOn(instrumentation);
    }

    @Override
    public void close() {
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }
}
