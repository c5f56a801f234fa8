/**
 * The route table: httprouter-style patterns ({@code /users/:id}, {@code /files/*path}) matched
 * against a method and a path, with conflicts refused when the table is built.
 */
package dev.httpy.routing;
