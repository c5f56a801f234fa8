/**
 * ASGI 3 apps (FastAPI, Starlette, Django's ASGI): the scope made from a servlet request, the
 * event loop in the app's interpreter that Java drives in batched trips, streamed answers with
 * backpressure, and WebSocket calls on the container's Jakarta WebSocket server. Its Python half
 * is {@code _httpy_asgi.py}.
 */
package dev.httpy.asgi;
