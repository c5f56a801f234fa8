package dev.httpy.e2e;

import java.util.List;

/**
 * {@link SpringBootContract} on Spring Boot's embedded Jetty (spring-boot-starter-jetty), with the
 * sample's routes served by its WSGI app (the Spring profile {@code wsgi}): the login reaches it as
 * {@code REMOTE_USER}.
 */
class JettySpringBootIT extends SpringBootContract {
    @Override
    List<String> mavenArguments() {
        return List.of("-Pjetty");
    }

    @Override
    List<String> appArguments() {
        return List.of("--spring.profiles.active=wsgi");
    }

    @Override
    String app() {
        return "wsgi_app:app";
    }

    @Override
    String name() {
        return "boot-jetty";
    }
}
