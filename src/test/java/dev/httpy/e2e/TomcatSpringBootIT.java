package dev.httpy.e2e;

import java.util.List;

/** {@link SpringBootContract} on Spring Boot's embedded Tomcat (spring-boot-starter-web's default). */
class TomcatSpringBootIT extends SpringBootContract {
    @Override
    List<String> mavenArguments() {
        return List.of();
    }

    @Override
    String name() {
        return "boot-tomcat";
    }
}
