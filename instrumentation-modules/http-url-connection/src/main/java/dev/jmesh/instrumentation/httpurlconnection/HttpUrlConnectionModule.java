package dev.jmesh.instrumentation.httpurlconnection;

import dev.jmesh.bootstrap.httpurlconnection.UrlConnectionBridge;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import javax.net.ssl.HttpsURLConnection;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code java.net.HttpURLConnection} for {@code http:} and {@code https:} URLs. The JDK's {@code http} handler is
 * told to return a {@link MeshHttpURLConnection}, which records the request the application builds and runs it
 * through the mesh when the application first asks for the response; the {@code https} handler returns a
 * {@link MeshHttpsURLConnection}, an {@code HttpsURLConnection} that gives every attempt the application's TLS
 * settings.
 */
public final class HttpUrlConnectionModule implements InstrumentationModule {
    private static final String HTTP_HANDLER = "sun.net.www.protocol.http.Handler";
    private static final String HTTPS_HANDLER = "sun.net.www.protocol.https.Handler";

    @Override
    public String name() {
        return "http-url-connection";
    }

    @Override
    public List<String> targetTypes() {
        return Arrays.asList(HTTP_HANDLER, HTTPS_HANDLER);
    }

    @Override
    public List<String> jdkModules() {
        return Collections.singletonList("java.base");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        UrlConnectionBridge.register(new UrlConnectionBridge.Interceptor() {
            @Override
            public URLConnection intercept(URLConnection opened, URL url, Proxy proxy) {
                if (opened instanceof HttpsURLConnection) {
                    return new MeshHttpsURLConnection(url, proxy);
                }
                return opened instanceof HttpURLConnection ? new MeshHttpURLConnection(url, proxy) : opened;
            }
        });
        return builder
                .type(named(HTTP_HANDLER).or(named(HTTPS_HANDLER)))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(HttpUrlConnectionModule.class.getClassLoader())
                        .advice(named("openConnection").and(takesArguments(URL.class, Proxy.class)),
                                OpenConnectionAdvice.class.getName()));
    }

    /** Woven into {@code openConnection(URL, Proxy)} of the {@code http} and {@code https} handlers. */
    public static final class OpenConnectionAdvice {
        private OpenConnectionAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) URL url,
                                @Advice.Argument(1) Proxy proxy,
                                @Advice.Return(readOnly = false) URLConnection connection) {
            connection = UrlConnectionBridge.intercept(connection, url, proxy);
        }
    }
}
