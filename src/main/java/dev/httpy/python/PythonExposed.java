package dev.httpy.python;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public instance method that Python may call on an object the web app exposed
 * ({@link JavaObjects#expose}); no other method of the object is reachable from Python.
 *
 * <p>Parameters may be {@code String}, {@code long}/{@code Long}, {@code int}/{@code Integer},
 * {@code double}/{@code Double}, {@code boolean}/{@code Boolean}, {@code byte[]}, {@code List},
 * {@code Map}, {@code BigInteger} or {@code Object}; the result anything {@link Python} converts
 * (or {@code void}). Two exposed methods of one name must differ in their number of parameters:
 * Python's call picks the one with as many parameters as it passes arguments.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PythonExposed {
}
