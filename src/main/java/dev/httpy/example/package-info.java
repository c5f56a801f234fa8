/**
 * The example web app's Java side (in {@code target/httpy.war} only, not in the library jar): a
 * plain servlet beside the Python routes, servlets that call Python and Jep's API, and a CDI bean
 * that Python calls.
 */
package dev.httpy.example;
