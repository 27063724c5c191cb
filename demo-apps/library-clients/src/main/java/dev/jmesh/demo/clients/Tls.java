package dev.jmesh.demo.clients;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The app's own trust for https: a PKCS12 trust store (password {@code changeit}) given with {@code --trust-store}. */
final class Tls {
    private Tls() {
    }

    /** An SSL context that trusts only the store's certificates. */
    static SSLContext trusting(String trustStore) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(Paths.get(trustStore))) {
                store.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the trust store " + trustStore + ": "
                    + LibraryClients.describe(e), e);
        }
    }
}
