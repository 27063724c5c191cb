package dev.jmesh.instrumentation.servlet.jakarta;

import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.InboundCall;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.servlet.ServletBridge;
import dev.jmesh.instrumentation.Http;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The jakarta.servlet (5.0+) side of {@link ServletBridge}, defined by the agent next to the container's
 * {@code HttpServlet}: {@code JavaxServletHelper}'s code against the jakarta package.
 */
public final class JakartaServletHelper implements ServletBridge.Helper {

    @Override
    public Inbound start(Object req, Object resp) {
        if (!(req instanceof HttpServletRequest) || !(resp instanceof HttpServletResponse)) {
            return null;
        }
        final HttpServletRequest request = (HttpServletRequest) req;
        if (request.getDispatcherType() != DispatcherType.REQUEST) {
            return null; // async and error dispatches belong to a request already recorded
        }
        InboundCall call = new InboundCall("http", request.getScheme(), request.getServerName(),
                request.getServerPort(), request.getMethod(), Http.pathOf(request.getRequestURI()),
                request::getHeader);
        return Mesh.inbound(call);
    }

    @Override
    public void reject(Object resp, Inbound inbound) throws Exception {
        HttpServletResponse response = (HttpServletResponse) resp;
        response.setStatus(inbound.rejectedStatus());
        response.setContentType("text/plain;charset=utf-8");
        byte[] body = inbound.rejectedMessage() == null ? new byte[0]
                : inbound.rejectedMessage().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        OutputStream out = response.getOutputStream();
        out.write(body);
        out.flush();
    }

    @Override
    public void finish(final Inbound inbound, Object req, Object resp, Throwable thrown) {
        final HttpServletRequest request = (HttpServletRequest) req;
        final HttpServletResponse response = (HttpServletResponse) resp;
        if (thrown == null && request.isAsyncStarted()) {
            request.getAsyncContext().addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    Mesh.inboundEnd(inbound, response.getStatus(), null);
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                    Mesh.inboundEnd(inbound, response.getStatus(), event.getThrowable());
                }

                @Override
                public void onError(AsyncEvent event) {
                    Mesh.inboundEnd(inbound, response.getStatus(), event.getThrowable());
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    event.getAsyncContext().addListener(this);
                }
            });
            return;
        }
        // A servlet that threw gets the container's 500 unless it had already sent its own status.
        int status = thrown != null && !response.isCommitted() ? 500 : response.getStatus();
        Mesh.inboundEnd(inbound, status, thrown);
    }
}
