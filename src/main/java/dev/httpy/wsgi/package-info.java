/**
 * WSGI (PEP 3333) apps (Flask, Django): the environ made from a servlet request, the call up to
 * its first chunk, and a streamed answer's later chunks and {@code close()}, each call in a
 * context of its own whichever worker runs it. Its Python half is {@code _httpy_wsgi.py}.
 */
package dev.httpy.wsgi;
