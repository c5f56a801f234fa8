package dev.httpy.python;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What may be exposed to Python, checked when it is exposed, before any Python runs. */
class JavaObjectsTest {

    public static class Plain {
        public String hello() {
            return "hi";
        }
    }

    public static class Ambiguous {
        @PythonExposed
        public long total(long a, long b) {
            return a + b;
        }

        @PythonExposed
        public double total(double a, double b) {
            return a + b;
        }
    }

    public static class Unpassable {
        @PythonExposed
        public String at(java.time.Instant when) {
            return when.toString();
        }

        @PythonExposed
        public java.util.Optional<String> maybe() {
            return java.util.Optional.empty();
        }
    }

    public interface Pricing {
        @PythonExposed
        long price(String item);
    }

    /** The annotation on the interface is enough; the implementation repeats nothing. */
    public static class ShopPricing implements Pricing {
        @Override
        public long price(String item) {
            return item.length();
        }

        public void reset() {
        }
    }

    static class Hidden {
        @PythonExposed
        public long one() {
            return 1;
        }
    }

    @Test
    void anObjectWithNoExposedMethodIsRefusedSayingWhy() {
        var e = assertThrows(IllegalArgumentException.class, () -> new JavaObjects().expose("plain", new Plain()));
        assertTrue(e.getMessage().contains("has no public method annotated @dev.httpy.python.PythonExposed"), e.getMessage());
    }

    @Test
    void twoExposedMethodsOfOneNameAndParameterCountAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new JavaObjects().expose("a", new Ambiguous()));
        assertTrue(e.getMessage().contains("take as many parameters"), e.getMessage());
    }

    @Test
    void parametersAndResultsPythonCannotPassAreRefusedNamingTheMethod() {
        var e = assertThrows(IllegalArgumentException.class, () -> new JavaObjects().expose("u", new Unpassable()));
        assertTrue(e.getMessage().contains("Unpassable.at(Instant): parameter 1 is Instant"), e.getMessage());
        assertTrue(e.getMessage().contains("Unpassable.maybe() returns Optional"), e.getMessage());
    }

    @Test
    void annotationsOnAnInterfaceCountAndOnlyAnnotatedMethodsAreExposed() {
        var objects = new JavaObjects();
        objects.expose("pricing", new ShopPricing());
        assertEquals(Set.of("price"), objects.get("pricing").methods().keySet());
    }

    @Test
    void aClassThatIsNotPublicIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new JavaObjects().expose("h", new Hidden()));
        assertTrue(e.getMessage().contains("must be a public class"), e.getMessage());
    }

    @Test
    void aNameIsExposedOnceAndMustBeAName() {
        var objects = new JavaObjects();
        objects.expose("pricing", new ShopPricing());
        var taken = assertThrows(IllegalArgumentException.class, () -> objects.expose("pricing", new ShopPricing()));
        assertTrue(taken.getMessage().contains("already exposed"), taken.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> objects.expose("no spaces", new ShopPricing()));
        assertTrue(bad.getMessage().contains("give a name of letters"), bad.getMessage());
        assertEquals(Set.of("pricing"), objects.names());
    }
}
