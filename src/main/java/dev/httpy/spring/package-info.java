/**
 * httpy in a Spring Boot 4 application: the auto-configuration that registers the Python
 * lifecycle and dispatch filter from {@code httpy.*} properties (Boot's embedded containers do not
 * run the jar's {@code ServletContainerInitializer}), Python sources taken from the class path
 * (also out of a fat jar), Spring beans exposed to Python, and the Actuator health of the app's
 * interpreter. Spring Boot is an optional dependency: nothing here loads in a plain WAR.
 */
package dev.httpy.spring;
