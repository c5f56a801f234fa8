package dev.httpy.dispatch;

import dev.httpy.python.Python;

/** What the filter hands requests to: the six-argument request function, a WSGI app or an ASGI app. */
public sealed interface PythonHandler permits RequestFunction, WsgiApplication, AsgiApplication {

    /** {@code module:function} (or {@code module:app}), for logs and errors. */
    String name();

    /** Looks the callable up in {@code py}'s interpreter, so a bad name fails at start-up. */
    void resolve(Python py);
}
