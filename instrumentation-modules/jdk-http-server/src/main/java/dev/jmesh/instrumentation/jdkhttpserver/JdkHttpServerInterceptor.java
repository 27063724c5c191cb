package dev.jmesh.instrumentation.jdkhttpserver;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.InboundCall;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.jdkhttpserver.HttpServerBridge;
import dev.jmesh.instrumentation.Http;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Describes a JDK {@code HttpExchange} to the mesh and answers the requests the mesh refuses. */
final class JdkHttpServerInterceptor implements HttpServerBridge.Interceptor {

    /**
     * The agent's own servers (the admin endpoint) are not the application's: handlers of the agent's packages
     * are skipped. Only the agent's packages: an application may well live under {@code dev.jmesh} (the demos).
     */
    static boolean isAgentHandler(HttpHandler handler) {
        String name = handler == null ? "" : handler.getClass().getName();
        return name.startsWith("dev.jmesh.agent.") || name.startsWith("dev.jmesh.shaded.")
                || name.startsWith("dev.jmesh.bootstrap.") || name.startsWith("dev.jmesh.instrumentation.");
    }

    @Override
    public Inbound start(Object value) {
        HttpExchange exchange = (HttpExchange) value;
        HttpContext context = exchange.getHttpContext();
        if (context == null || isAgentHandler(context.getHandler())) {
            return null;
        }
        String host = null;
        int port = -1;
        String hostHeader = exchange.getRequestHeaders().getFirst("Host");
        if (hostHeader != null && !hostHeader.isEmpty()) {
            int colon = hostHeader.lastIndexOf(':');
            boolean hasPort = colon > 0 && hostHeader.indexOf(']', colon) < 0;
            host = hasPort ? hostHeader.substring(0, colon) : hostHeader;
            if (hasPort) {
                try {
                    port = Integer.parseInt(hostHeader.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
        } else {
            InetSocketAddress local = exchange.getLocalAddress();
            host = local == null ? "-" : local.getHostString();
            port = local == null ? -1 : local.getPort();
        }
        final com.sun.net.httpserver.Headers headers = exchange.getRequestHeaders();
        String scheme = exchange instanceof com.sun.net.httpserver.HttpsExchange ? "https" : "http";
        InboundCall call = new InboundCall("http", scheme, host, port, exchange.getRequestMethod(),
                Http.pathOf(exchange.getRequestURI().getRawPath()), headers::getFirst);
        return Mesh.inbound(call);
    }

    @Override
    public void reject(Object value, Inbound inbound) throws Exception {
        HttpExchange exchange = (HttpExchange) value;
        byte[] body = inbound.rejectedMessage() == null ? new byte[0]
                : inbound.rejectedMessage().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(inbound.rejectedStatus(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    @Override
    public int status(Object value) {
        return ((HttpExchange) value).getResponseCode();
    }
}
