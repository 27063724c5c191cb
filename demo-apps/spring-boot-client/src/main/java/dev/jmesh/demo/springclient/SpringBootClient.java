package dev.jmesh.demo.springclient;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.client.RestTemplate;

import java.util.List;

/**
 * A Spring Boot 3 command-line app, packaged as an executable fat jar, that calls its logical service
 * ({@code http://inventory}) the way Spring applications do: {@link RestClient} and {@link RestTemplate}
 * over Apache HttpClient 5 (see {@link HttpClientConfig}). Nothing in it knows about a
 * mesh; HttpClient 5's own automatic retries are off, so that the upstream's 503s are not hidden by the
 * library itself.
 *
 * <p>Call {@code i} is {@code GET /items/{i}} (or {@code POST /orders} with a small JSON body) and prints
 * one line like the other demo apps: {@code OK <client> <METHOD> <path> <status> <bodyLength>},
 * {@code FAIL <client> <METHOD> <path> status=<code>} or {@code FAIL <client> <METHOD> <path> <Exception>: <message>}
 * (for Spring's {@code ResourceAccessException}, the I/O exception it wraps: the library's own); then
 * {@code SUMMARY ok=<n> failed=<m>}, and the app exits.
 *
 * <p>Options, in Spring's {@code --name=value} form: {@code --base} (http://inventory), {@code --calls} (20),
 * {@code --client} (restclient | resttemplate | all; all rotates per call), {@code --post-every} (0 = never),
 * {@code --exit-code} (0).
 */
@SpringBootApplication
public class SpringBootClient implements ApplicationRunner, ExitCodeGenerator {

    private static final List<String> ALL_CLIENTS = List.of("restclient", "resttemplate");

    private final RestClient restClient;
    private final RestTemplate restTemplate;
    private final String base;
    private final int calls;
    private final List<String> clients;
    private final int postEvery;
    private final int exitCode;

    public SpringBootClient(RestClient restClient, RestTemplate restTemplate,
                            @Value("${base:http://inventory}") String base,
                            @Value("${calls:20}") int calls,
                            @Value("${client:all}") String client,
                            @Value("${post-every:0}") int postEvery,
                            @Value("${exit-code:0}") int exitCode) {
        this.restClient = restClient;
        this.restTemplate = restTemplate;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.calls = calls;
        this.clients = client.equals("all") ? ALL_CLIENTS : List.of(client.split(","));
        if (!ALL_CLIENTS.containsAll(clients)) {
            throw new IllegalArgumentException("--client must be restclient, resttemplate or all, got " + client);
        }
        this.postEvery = postEvery;
        this.exitCode = exitCode;
    }

    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(SpringBootClient.class, args)));
    }

    @Override
    public void run(ApplicationArguments args) {
        int ok = 0;
        int failed = 0;
        for (int i = 0; i < calls; i++) {
            if (callOnce(i)) {
                ok++;
            } else {
                failed++;
            }
        }
        System.out.println("SUMMARY ok=" + ok + " failed=" + failed);
        System.out.flush();
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }

    /** Makes call number i and prints its line; returns true when it got a 2xx. */
    private boolean callOnce(int i) {
        String client = clients.get(i % clients.size());
        boolean post = postEvery > 0 && (i + 1) % postEvery == 0;
        String method = post ? "POST" : "GET";
        String path = post ? "/orders" : "/items/" + i;
        String body = post ? "{\"item\":\"" + i + "\",\"quantity\":1}" : null;
        try {
            ResponseEntity<String> response = client.equals("restclient")
                    ? callWithRestClient(path, body)
                    : callWithRestTemplate(path, body);
            String text = response.getBody() == null ? "" : response.getBody();
            System.out.println("OK " + client + " " + method + " " + path + " " + response.getStatusCode().value()
                    + " " + text.length());
            return true;
        } catch (RestClientResponseException e) {
            // Spring turns 4xx and 5xx answers into exceptions.
            System.out.println("FAIL " + client + " " + method + " " + path + " status=" + e.getStatusCode().value());
            return false;
        } catch (ResourceAccessException e) {
            // Spring's wrapper of the library's I/O failure: report what the library said.
            System.out.println("FAIL " + client + " " + method + " " + path + " "
                    + describe(e.getCause() != null ? e.getCause() : e));
            return false;
        } catch (RuntimeException e) {
            System.out.println("FAIL " + client + " " + method + " " + path + " " + describe(e));
            return false;
        }
    }

    private ResponseEntity<String> callWithRestClient(String path, String body) {
        if (body == null) {
            return restClient.get().uri(base + path).retrieve().toEntity(String.class);
        }
        return restClient.post().uri(base + path).contentType(MediaType.APPLICATION_JSON).body(body)
                .retrieve().toEntity(String.class);
    }

    private ResponseEntity<String> callWithRestTemplate(String path, String body) {
        if (body == null) {
            return restTemplate.getForEntity(base + path, String.class);
        }
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return restTemplate.postForEntity(base + path, new org.springframework.http.HttpEntity<>(body, headers),
                String.class);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
