package example.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** An application's handler. */
public final class AppHandler implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) {
    }

    /** A lambda handler, as applications often write them. */
    public static HttpHandler lambda() {
        return exchange -> { };
    }
}
