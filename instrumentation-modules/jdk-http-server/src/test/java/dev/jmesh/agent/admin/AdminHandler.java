package dev.jmesh.agent.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** Stands for the agent's own admin endpoint handler. */
public final class AdminHandler implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) {
    }
}
