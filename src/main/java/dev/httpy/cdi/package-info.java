/**
 * CDI beans for Java code in a web app: {@link dev.httpy.cdi.PythonApplication} calls the app's
 * Python, {@link dev.httpy.cdi.JepInterpreters} and a request-scoped {@code jep.Interpreter} give
 * Jep's API, and the beans named in {@code python.beans} are exposed to Python.
 */
package dev.httpy.cdi;
