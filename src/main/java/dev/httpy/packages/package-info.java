/**
 * Where Python comes from and what it can import: the embedded CPython or a system one, the
 * directories of {@code sys.path}, and Python packages shipped in jars (bytedeco's numpy),
 * unpacked once and their native libraries loaded in order. Nothing here runs Python.
 */
package dev.httpy.packages;
