package dev.httpy.spring;

import dev.httpy.cdi.JepInterpreters;
import dev.httpy.cdi.PythonApplication;
import jep.Interpreter;
import jep.JepConfig;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Active in a servlet web application whose properties name a Python app ({@code httpy.handler},
 * {@code httpy.wsgi} or {@code httpy.asgi}): registers {@link HttpyServletInitializer}, which adds
 * the lifecycle and the asynchronous dispatch filter with the {@code httpy.*} properties as their
 * {@code python.*} settings; {@link PythonApplication}, {@link JepInterpreters} and a request-scoped
 * {@code jep.Interpreter} for Java code; and, with Actuator present, the {@code httpy} health indicator.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(HttpyAutoConfiguration.NamesPythonApp.class)
public class HttpyAutoConfiguration {

    @Bean
    HttpyServletInitializer httpyServletInitializer(Environment environment, ListableBeanFactory beans) {
        return new HttpyServletInitializer(HttpyProperties.of(environment), beans);
    }

    /** The web app's Python for Java code, as CDI's {@code @Inject PythonApplication} gives it in a WAR. */
    @Bean
    @ConditionalOnMissingBean
    PythonApplication pythonApplication(HttpyServletInitializer initializer) {
        return new PythonApplication(initializer::context);
    }

    /** Jep's API on the web app's Python: {@link JepInterpreters#open} for an interpreter you close yourself. */
    @Bean
    @ConditionalOnMissingBean
    JepInterpreters jepInterpreters(HttpyServletInitializer initializer) {
        return new JepInterpreters(initializer::context);
    }

    /**
     * {@code jep.Interpreter}, one per request (its own globals, closed when the request ends), as CDI's
     * {@code @Inject jep.Interpreter} gives it in a WAR; a controller gets a proxy that finds the
     * request's own.
     */
    @Bean(destroyMethod = "close")
    @Scope(value = "request", proxyMode = ScopedProxyMode.INTERFACES)
    @ConditionalOnMissingBean
    Interpreter jepInterpreter(JepInterpreters interpreters) {
        return interpreters.open(new JepConfig());
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
