/**
 * httpy in a servlet container: the lifecycle listener that starts and stops the web app's
 * Python, the dispatch filter that matches routes and hands requests to the app, the initializer
 * that adds both from context-params, parameter checking, live reload, health, the MBean and
 * Micrometer meters, and the Java objects a web app exposes to Python.
 */
package dev.httpy.servlet;
