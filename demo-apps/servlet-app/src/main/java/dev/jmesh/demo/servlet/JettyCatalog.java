package dev.jmesh.demo.servlet;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

import javax.servlet.AsyncContext;
import javax.servlet.DispatcherType;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

/**
 * The catalog on an embedded Jetty 9.4 (javax.servlet): {@code /items/{id}} (asks pricing first),
 * {@code /forward/{id}} (forwards to /items/{id}), {@code /async/{id}} (answers from another thread),
 * {@code /fail} (throws); a filter answers {@code /forbidden} with 403 before the servlet, as a security
 * filter would. Prints {@code LISTENING <port>}.
 */
public final class JettyCatalog {
    private JettyCatalog() {
    }

    public static void main(String[] args) throws Exception {
        String[] options = Pricing.options(args);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(options[0]));
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(new CatalogServlet(options[1]));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        context.addFilter(new org.eclipse.jetty.servlet.FilterHolder(new Guard()), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        System.out.println("LISTENING " + connector.getLocalPort());
        System.out.flush();
        server.join();
    }

    /** Answers /forbidden itself, before any servlet. */
    static final class Guard implements Filter {
        @Override
        public void init(javax.servlet.FilterConfig config) {
        }

        @Override
        public void destroy() {
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (((HttpServletRequest) request).getRequestURI().equals("/forbidden")) {
                ((HttpServletResponse) response).sendError(403);
                return;
            }
            chain.doFilter(request, response);
        }
    }

    static final class CatalogServlet extends HttpServlet {
        private final String pricing;

        CatalogServlet(String pricing) {
            this.pricing = pricing;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response)
                throws ServletException, IOException {
            String path = request.getRequestURI();
            String id = path.substring(path.lastIndexOf('/') + 1);
            if (path.startsWith("/forward/")) {
                request.getRequestDispatcher("/items/" + id).forward(request, response);
            } else if (path.startsWith("/async/")) {
                AsyncContext async = request.startAsync();
                async.start(() -> {
                    try {
                        write((HttpServletResponse) async.getResponse(), id, Pricing.price(pricing, id));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    } finally {
                        async.complete();
                    }
                });
            } else if (path.equals("/fail")) {
                throw new ServletException("the catalog failed on purpose");
            } else {
                write(response, id, Pricing.price(pricing, id));
            }
        }

        private static void write(HttpServletResponse response, String id, String price) throws IOException {
            byte[] body = ("{\"id\":\"" + id + "\",\"price\":" + price + "}").getBytes(StandardCharsets.UTF_8);
            response.setStatus(200);
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
