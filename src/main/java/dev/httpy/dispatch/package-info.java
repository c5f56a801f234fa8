/**
 * What every Python app kind serves with: the {@link dev.httpy.dispatch.PythonApp} interface,
 * admission, the fast path on the container thread, hand-offs to the workers, the asynchronous
 * answer ({@link dev.httpy.dispatch.Exchange}), bodies read without waiting, the time limits and
 * one error policy (408, 413, 500, 503, 504), and the figures the MBean and Micrometer publish.
 */
package dev.httpy.dispatch;
