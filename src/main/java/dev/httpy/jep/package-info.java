/**
 * Jep's pure-Java API ({@code black.ninia:jep}) implemented on httpy's bridge: interpreters
 * with their own globals on the web app's Python, Jep's conversions and exceptions. Its Python
 * half is {@code _httpy_jep.py}.
 */
package dev.httpy.jep;
