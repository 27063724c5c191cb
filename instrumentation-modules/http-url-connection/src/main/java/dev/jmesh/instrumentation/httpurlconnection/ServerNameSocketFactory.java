package dev.jmesh.instrumentation.httpurlconnection;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLSocketFactory;

/**
 * The application's socket factory, layering TLS over a connection to an endpoint's address as if the connection
 * were to the service's name: that name is the TLS peer host, so SNI names it and the handshake checks the
 * server's certificate against it. Instances are shared per (factory, name), so that the JDK's keep-alive cache,
 * which tells connections apart by factory, still reuses them.
 */
final class ServerNameSocketFactory extends SSLSocketFactory {
    /** Enough for every service of a config; beyond it, factories are made per attempt (no reuse, still correct). */
    private static final int MAX_SHARED = 1024;
    private static final Map<Key, ServerNameSocketFactory> SHARED = new ConcurrentHashMap<Key, ServerNameSocketFactory>();

    private final SSLSocketFactory delegate;
    private final String serverName;

    private ServerNameSocketFactory(SSLSocketFactory delegate, String serverName) {
        this.delegate = delegate;
        this.serverName = serverName;
    }

    static SSLSocketFactory of(SSLSocketFactory delegate, String serverName) {
        Key key = new Key(delegate, serverName);
        ServerNameSocketFactory shared = SHARED.get(key);
        if (shared != null) {
            return shared;
        }
        ServerNameSocketFactory made = new ServerNameSocketFactory(delegate, serverName);
        if (SHARED.size() < MAX_SHARED) {
            ServerNameSocketFactory raced = SHARED.putIfAbsent(key, made);
            return raced != null ? raced : made;
        }
        return made;
    }

    /** The one the JDK's HTTPS client uses: TLS over the TCP connection it opened to the endpoint. */
    @Override
    public Socket createSocket(Socket connected, String endpointHost, int port, boolean autoClose) throws IOException {
        return delegate.createSocket(connected, serverName, port, autoClose);
    }

    /**
     * Refused as {@code SocketFactory} does by default: the JDK's HTTPS client then opens a plain connection and
     * layers TLS over it with {@link #createSocket(Socket, String, int, boolean)}, where the peer host is set.
     */
    @Override
    public Socket createSocket() throws IOException {
        SocketException refused = new SocketException("unconnected sockets are not used, so that TLS names the service");
        refused.initCause(new UnsupportedOperationException());
        throw refused;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    /** A factory by identity, and a host name. */
    private static final class Key {
        private final SSLSocketFactory factory;
        private final String serverName;

        Key(SSLSocketFactory factory, String serverName) {
            this.factory = factory;
            this.serverName = serverName;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).factory == factory && ((Key) o).serverName.equals(serverName);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(factory) * 31 + serverName.hashCode();
        }
    }
}
