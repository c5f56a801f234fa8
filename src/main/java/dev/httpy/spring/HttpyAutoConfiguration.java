package dev.httpy.spring;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Active in a servlet web application whose properties name a Python app ({@code httpy.handler},
 * {@code httpy.wsgi} or {@code httpy.asgi}): registers {@link HttpyServletInitializer}, which adds
 * the lifecycle and the asynchronous dispatch filter with the {@code httpy.*} properties as their
 * {@code python.*} settings, and, with Actuator present, the {@code httpy} health indicator.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(HttpyAutoConfiguration.NamesPythonApp.class)
public class HttpyAutoConfiguration {

    @Bean
    HttpyServletInitializer httpyServletInitializer(Environment environment, ListableBeanFactory beans) {
        return new HttpyServletInitializer(HttpyProperties.of(environment), beans);
    }

    /** Only with Spring Boot's health module (Actuator) on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Health {
        /** The bean name makes the component's name: {@code httpy} under {@code /actuator/health}. */
        @Bean
        HttpyHealthIndicator httpyHealthIndicator(HttpyServletInitializer initializer) {
            return new HttpyHealthIndicator(initializer);
        }
    }

    /** One of the properties that name the Python app is set. */
    static final class NamesPythonApp extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            for (String name : HttpyProperties.APP_PROPERTIES) {
                String value = context.getEnvironment().getProperty(name);
                if (value != null && !value.isBlank()) {
                    return ConditionOutcome.match(name + " is set");
                }
            }
            return ConditionOutcome.noMatch("none of " + HttpyProperties.APP_PROPERTIES + " is set");
        }
    }
}
