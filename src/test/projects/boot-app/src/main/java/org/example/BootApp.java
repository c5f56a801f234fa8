package org.example;

import dev.httpy.python.PythonExposed;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A Spring MVC controller beside the Python routes, and a bean Python calls. */
@SpringBootApplication
public class BootApp {
    public static void main(String[] args) {
        SpringApplication.run(BootApp.class, args);
    }

    @RestController
    static class JavaSide {
        @GetMapping("/java")
        String hello() {
            return "hello from spring";
        }
    }

    /** Exposed to Python by httpy.beans=pricing. */
    @Component("pricing")
    public static class Pricing {
        @PythonExposed
        public long quote(String item, long quantity) {
            return (item.length() * 100L) * quantity;
        }

        public long notExposed() {
            return -1;
        }
    }
}
