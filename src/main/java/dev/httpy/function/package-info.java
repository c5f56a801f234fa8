/**
 * The request function, {@code handler(method, path, params, query, headers, body) -> (status,
 * body, headers)}: its arguments made from a servlet request, and the call, checked on the Java
 * side.
 */
package dev.httpy.function;
