package dev.httpy.example;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import dev.httpy.python.PythonExposed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/**
 * A CDI bean the example's Python calls: web.xml's {@code python.beans=pricing} exposes it, and
 * {@code app.py}'s {@code /py-java/...} routes call {@code httpy.java("pricing").quote("apple", 3)}.
 * Only the two annotated methods are reachable from Python; {@link #discountCodes} is not.
 */
@Named("pricing")
@ApplicationScoped
public class PricingBean {
    private static final Map<String, Long> CENTS = Map.of("apple", 40L, "pear", 55L, "fig", 120L);

    /** The price of {@code quantity} of {@code item}; an unknown item is a NoSuchElementException. */
    @PythonExposed
    public Map<String, Object> quote(String item, long quantity) {
        Long cents = CENTS.get(item);
        if (cents == null) {
            throw new NoSuchElementException("no price for " + item);
        }
        if (quantity < 1) {
            throw new IllegalArgumentException("quantity must be at least 1, not " + quantity);
        }
        return Map.of("item", item, "quantity", quantity, "total_cents", cents * quantity, "currency", "EUR");
    }

    @PythonExposed
    public List<String> items() {
        return CENTS.keySet().stream().sorted().toList();
    }

    /** Java's own business: not annotated, so not callable from Python. */
    public List<String> discountCodes() {
        return List.of("STAFF-50");
    }
}
