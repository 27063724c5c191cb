package dev.jmesh.demo.springclient;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** RestClient and RestTemplate sharing one Apache HttpClient 5, as a Spring app typically wires them. */
@Configuration(proxyBeanMethods = false)
class HttpClientConfig {

    /** HttpClient 5 with the library's own retries (once on 503 and 429, by default) turned off. */
    @Bean(destroyMethod = "close")
    CloseableHttpClient httpClient() {
        return HttpClients.custom().disableAutomaticRetries().build();
    }

    @Bean
    HttpComponentsClientHttpRequestFactory requestFactory(CloseableHttpClient httpClient) {
        return new HttpComponentsClientHttpRequestFactory(httpClient);
    }

    @Bean
    RestClient restClient(HttpComponentsClientHttpRequestFactory requestFactory) {
        return RestClient.builder().requestFactory(requestFactory).build();
    }

    @Bean
    RestTemplate restTemplate(HttpComponentsClientHttpRequestFactory requestFactory) {
        return new RestTemplate(requestFactory);
    }
}
