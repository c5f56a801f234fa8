package org.example;

import dev.httpy.cdi.PythonApplication;
import dev.httpy.python.PythonExposed;
import jep.Interpreter;
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
        private final PythonApplication python;
        private final Interpreter jep;

        JavaSide(PythonApplication python, Interpreter jep) {
            this.python = python;
            this.jep = jep;
        }

        @GetMapping("/java")
        String hello() {
            return "hello from spring";
        }

        /** Java calls a function of the app's Python. */
        @GetMapping("/java/total")
        String total() {
            return "total " + python.call("app:total", 3L, 4L);
        }

        /** Jep's API, an interpreter of this request's own. */
        @GetMapping("/java/jep")
        String jep() {
            jep.set("x", 20L);
            jep.exec("y = x * 2 + 2");
            return "jep " + jep.getValue("y");
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
