package dev.jmesh.demo.servlet;

import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;

/**
 * The catalog on an embedded Tomcat 11 (jakarta.servlet): {@code /items/{id}} (asks pricing first),
 * {@code /forward/{id}} (forwards to /items/{id}), {@code /async/{id}} (answers from another thread),
 * {@code /fail} (throws); a filter answers {@code /forbidden} with 403 before the servlet, as a security
 * filter would. Prints {@code LISTENING <port>}.
 */
public final class TomcatCatalog {
    private TomcatCatalog() {
    }

    public static void main(String[] args) throws Exception {
        String[] options = Pricing.options(args);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("catalog-tomcat").toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setPort(Integer.parseInt(options[0]));
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Wrapper wrapper = Tomcat.addServlet(context, "catalog", new CatalogServlet(options[1]));
        wrapper.setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "catalog");
        org.apache.tomcat.util.descriptor.web.FilterDef guard = new org.apache.tomcat.util.descriptor.web.FilterDef();
        guard.setFilterName("guard");
        guard.setFilter(new Guard());
        context.addFilterDef(guard);
        org.apache.tomcat.util.descriptor.web.FilterMap guardMap = new org.apache.tomcat.util.descriptor.web.FilterMap();
        guardMap.setFilterName("guard");
        guardMap.addURLPattern("/*");
        context.addFilterMap(guardMap);
        tomcat.start();
        System.out.println("LISTENING " + connector.getLocalPort());
        System.out.flush();
        tomcat.getServer().await();
    }

    /** Answers /forbidden itself, before any servlet. */
    static final class Guard implements Filter {
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
