package dev.jmesh.instrumentation.jdkhttpserver;

import dev.jmesh.agent.admin.AdminHandler;
import dev.jmesh.demo.shop.ShopHandler;
import example.app.AppHandler;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's own servers (the admin endpoint) are skipped; applications, also under dev.jmesh, are not. */
class AgentHandlerTest {

    @Test
    void onlyTheAgentsOwnPackagesAreSkipped() {
        assertTrue(JdkHttpServerInterceptor.isAgentHandler(new AdminHandler()));
        assertFalse(JdkHttpServerInterceptor.isAgentHandler(new AppHandler()));
        assertFalse(JdkHttpServerInterceptor.isAgentHandler(AppHandler.lambda()), "a lambda is its class's");
        assertFalse(JdkHttpServerInterceptor.isAgentHandler(new ShopHandler()), "the demos live under dev.jmesh.demo");
        assertFalse(JdkHttpServerInterceptor.isAgentHandler(null));
    }
}
