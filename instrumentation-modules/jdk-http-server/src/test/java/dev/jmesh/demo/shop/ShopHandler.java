package dev.jmesh.demo.shop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** An application that lives under dev.jmesh, as the demos do. */
public final class ShopHandler implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) {
    }
}
