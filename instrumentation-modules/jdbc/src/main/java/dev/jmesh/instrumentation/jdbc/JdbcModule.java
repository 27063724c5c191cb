package dev.jmesh.instrumentation.jdbc;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Outcome;
import dev.jmesh.bootstrap.jdbc.JdbcBridge;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * JDBC, for every driver and pool: implementations of {@code java.sql.Driver} ({@code connect}),
 * {@code javax.sql.DataSource} ({@code getConnection}), {@code java.sql.Statement} and its sub-interfaces (the
 * execute methods) and {@code java.sql.Connection} ({@code commit}, {@code rollback}, and {@code prepareStatement}
 * / {@code prepareCall}, only to remember each prepared statement's SQL).
 *
 * <p>The types are found by interface, not by name, so the agent pre-filters them cheaply (see
 * {@link #superTypes()}): only classes whose constant pool names one of these interfaces reach Byte Buddy's
 * matcher. Advice is thin: it hands the call to {@link JdbcBridge}; a non-null {@link Outcome}
 * means the mesh ran the call (once, through the interface, nested) and the original body is skipped.
 */
public final class JdbcModule implements InstrumentationModule {
    static final Set<String> EXECUTE_METHODS = Collections.unmodifiableSet(new HashSet<String>(Arrays.asList(
            "execute", "executeQuery", "executeUpdate", "executeBatch", "executeLargeUpdate", "executeLargeBatch")));

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public List<String> targetTypes() {
        return Collections.emptyList();
    }

    @Override
    public List<String> superTypes() {
        // the sub-interfaces too: an implementation names the one it declares (PgPreparedStatement: PreparedStatement)
        return Arrays.asList("java.sql.Driver", "javax.sql.DataSource", "java.sql.Statement",
                "java.sql.PreparedStatement", "java.sql.CallableStatement", "java.sql.Connection");
    }

    @Override
    public List<String> jdkModules() {
        return Collections.emptyList();
    }

    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("java.sql.", "javax.sql.", "org.postgresql.", "com.zaxxer.hikari.", "org.h2.",
                "com.mysql.", "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.", "org.apache.commons.dbcp",
                "org.apache.tomcat.jdbc.", "com.mchange.", "org.hibernate.", "org.springframework.jdbc.");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        JdbcInterceptor.install();
        ClassLoader adviceLoader = JdbcModule.class.getClassLoader();
        return builder
                .type(implementing("java.sql.Driver"))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(concrete("connect").and(takesArguments(String.class, Properties.class)),
                                ConnectAdvice.class.getName(), ReturnOutcomeAdvice.class.getName()))
                .type(implementing("javax.sql.DataSource"))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(concrete("getConnection").and(takesArguments(0)
                                        .or(takesArguments(String.class, String.class))),
                                DataSourceAdvice.class.getName(), ReturnOutcomeAdvice.class.getName()))
                .type(implementing("java.sql.Statement"))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(executeMethods(), ExecuteAdvice.class.getName(), ReturnOutcomeAdvice.class.getName()))
                .type(implementing("java.sql.Connection"))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(concrete("commit").or(concrete("rollback")).and(takesArguments(0)),
                                EndTransactionAdvice.class.getName(), ThrowOutcomeAdvice.class.getName())
                        .advice(isPublic().and(not(isAbstract())).and(namedOneOf("prepareStatement", "prepareCall"))
                                .and(takesArgument(0, String.class)), PrepareAdvice.class.getName())
                        .advice(concrete("setAutoCommit").and(takesArguments(boolean.class)),
                                PassThroughAdvice.class.getName()));
    }

    /** Classes (not interfaces) below {@code type}, outside the JDK. */
    static ElementMatcher.Junction<TypeDescription> implementing(String type) {
        return not(isInterface()).and(not(nameStartsWith("java."))).and(not(nameStartsWith("javax.")))
                .and(not(nameStartsWith("jdk."))).and(not(nameStartsWith("sun.")))
                .and(hasSuperType(named(type)));
    }

    private static ElementMatcher.Junction<MethodDescription> concrete(String name) {
        return named(name).and(isPublic()).and(not(isAbstract()));
    }

    /** The JDBC execute methods: no argument, or the SQL and the auto-generated-keys variants. */
    static ElementMatcher.Junction<MethodDescription> executeMethods() {
        return isPublic().and(not(isAbstract())).and(namedOneOf(EXECUTE_METHODS.toArray(new String[0])))
                .and(takesArguments(0)
                        .or(takesArguments(String.class))
                        .or(takesArguments(String.class, int.class))
                        .or(takesArguments(String.class, int[].class))
                        .or(takesArguments(String.class, String[].class)));
    }

    /** {@code Driver.connect(String, Properties)}. */
    public static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object driver, @Advice.Argument(0) String url,
                                    @Advice.Argument(1) Object info) {
            return JdbcBridge.connect(driver, url, info);
        }
    }

    /** {@code DataSource.getConnection()} and {@code getConnection(user, password)}. */
    public static final class DataSourceAdvice {
        private DataSourceAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object dataSource) {
            return JdbcBridge.dataSourceConnection(dataSource);
        }
    }

    /** The execute methods of statements. */
    public static final class ExecuteAdvice {
        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object statement, @Advice.Origin("#m#d") String method,
                                    @Advice.AllArguments Object[] arguments) {
            return JdbcBridge.execute(statement, method, arguments);
        }
    }

    /** {@code Connection.commit()} and {@code rollback()}. */
    public static final class EndTransactionAdvice {
        private EndTransactionAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object connection, @Advice.Origin("#m") String method) {
            return JdbcBridge.endTransaction(connection, method);
        }
    }

    /**
     * {@code Connection.setAutoCommit}: not a call of its own, but drivers may commit inside it (H2 calls its own
     * {@code commit()}); whatever it does passes through, so the app's one call never shows up as a COMMIT.
     */
    public static final class PassThroughAdvice {
        private PassThroughAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            CallDepth.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit() {
            CallDepth.exit();
        }
    }

    /** {@code prepareStatement(String, ...)}/{@code prepareCall(String, ...)}: remembers the statement's SQL. */
    public static final class PrepareAdvice {
        private PrepareAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return Object statement, @Advice.Argument(0) String sql) {
            JdbcBridge.prepared(statement, sql);
        }
    }

    /** Returns or throws the mesh's outcome; when the original method ran (no outcome), its own result stands. */
    public static final class ReturnOutcomeAdvice {
        private ReturnOutcomeAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Outcome outcome,
                                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned,
                                @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (outcome != null) {
                if (outcome.failure() != null) {
                    thrown = outcome.failure();
                } else {
                    returned = outcome.result();
                }
            }
        }
    }

    /** The exit half for {@code void} methods: throws the mesh's failure, if any. */
    public static final class ThrowOutcomeAdvice {
        private ThrowOutcomeAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Outcome outcome, @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (outcome != null) {
                thrown = outcome.failure();
            }
        }
    }
}
