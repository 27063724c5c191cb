package dev.jmesh.demo.bundled;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;

import java.util.Arrays;
import java.util.List;

/** The app's own Jackson 2.6: its version, and a small object written and read back. */
final class JacksonPart {

    private JacksonPart() {
    }

    /** A small order, with a fixed property order so that the JSON is the same in every run. */
    @JsonPropertyOrder({"sku", "quantity", "tags"})
    public static final class Order {
        public String sku;
        public int quantity;
        public List<String> tags;

        public Order() {
        }

        Order(String sku, int quantity, List<String> tags) {
            this.sku = sku;
            this.quantity = quantity;
            this.tags = tags;
        }
    }

    static void run(BundledLibraries.Tally tally) throws Exception {
        BundledLibraries.print("jackson databind " + PackageVersion.VERSION);
        BundledLibraries.print("jackson core " + com.fasterxml.jackson.core.json.PackageVersion.VERSION);
        ObjectMapper mapper = new ObjectMapper();
        String json = mapper.writeValueAsString(new Order("A-1", 2, Arrays.asList("red", "small")));
        BundledLibraries.print("jackson write " + json);
        Order back = mapper.readValue(json, Order.class);
        BundledLibraries.print("jackson read sku=" + back.sku + " quantity=" + back.quantity + " tags=" + back.tags);
    }
}
