package dev.jmesh.demo.servlet;

import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

import java.nio.file.Files;

/**
 * {@link JettyCatalog}'s javax servlet and filter in an embedded Tomcat 9. Prints {@code LISTENING <port>}.
 */
public final class Tomcat9Catalog {
    private Tomcat9Catalog() {
    }

    public static void main(String[] args) throws Exception {
        String[] options = Pricing.options(args);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("catalog-tomcat9").toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setPort(Integer.parseInt(options[0]));
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Wrapper wrapper = Tomcat.addServlet(context, "catalog", new JettyCatalog.CatalogServlet(options[1]));
        wrapper.setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "catalog");
        FilterDef guard = new FilterDef();
        guard.setFilterName("guard");
        guard.setFilter(new JettyCatalog.Guard());
        context.addFilterDef(guard);
        FilterMap guardMap = new FilterMap();
        guardMap.setFilterName("guard");
        guardMap.addURLPattern("/*");
        context.addFilterMap(guardMap);
        tomcat.start();
        System.out.println("LISTENING " + connector.getLocalPort());
        System.out.flush();
        tomcat.getServer().await();
    }
}
