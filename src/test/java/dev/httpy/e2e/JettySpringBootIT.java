package dev.httpy.e2e;

import java.util.List;

/** {@link SpringBootContract} on Spring Boot's embedded Jetty (spring-boot-starter-jetty). */
class JettySpringBootIT extends SpringBootContract {
    @Override
    List<String> mavenArguments() {
        return List.of("-Pjetty");
    }

    @Override
    String name() {
        return "boot-jetty";
    }
}
