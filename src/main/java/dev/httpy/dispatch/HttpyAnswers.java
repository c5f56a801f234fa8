package dev.httpy.dispatch;

/**
 * httpy's own answers, given instead of the app's: every status and text in one place, so that
 * each kind of app and each path (the fast path, the asynchronous one, a WebSocket handshake) says
 * the same thing for the same cause. Texts are for the client: they name the limit and never show
 * a traceback unless {@code python.debug} is on.
 */
public final class HttpyAnswers {
    /** Seconds a client should wait before retrying an overloaded or stopping server. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private HttpyAnswers() {
    }

    /** {@code text} as a body: ending in one newline. */
    static String body(String text) {
        return text.endsWith("\n") ? text : text + "\n";
    }

    /** 400: the request cannot be read as the app would need it (a broken query string). */
    public static String badRequest(String why) {
        return "400 Bad Request: " + why;
    }

    /** 408: the body stopped arriving for python.body-timeout. */
    public static String bodyStalled() {
        return "408 Request Timeout: the request body stopped arriving";
    }

    /** 413: the body is over python.max-body, declared or counted. */
    public static String tooLarge(long maxBody) {
        return "413 Content Too Large: the body exceeds " + maxBody + " bytes (python.max-body)";
    }

    /** 500: the app raised or answered badly; with {@code python.debug}, the detail (a traceback) too. */
    public static String internalError(boolean debug, String detail) {
        String text = "500 Internal Server Error\n";
        return debug ? text + "\n" + detail + "\n" : text;
    }

    /** 500: the chain cannot go asynchronous, which the app needs. */
    public static String needsAsync() {
        return "500 Internal Server Error: an ASGI app needs <async-supported>true</async-supported> on every"
                + " filter and servlet of its chain";
    }

    /** 503: the queue of requests waiting for Python is full (python.queue). */
    public static String busy() {
        return "503 Service Unavailable: all Python workers are busy";
    }

    /** 503: {@code what} (the web app, the Python app, the server) is stopping. */
    public static String stopping(String what) {
        return "503 Service Unavailable: " + what + " is stopping";
    }

    /** 504: the Python {@code who} (handler, app) did not answer within python.timeout. */
    public static String timedOut(String who) {
        return "504 Gateway Timeout: the Python " + who + " did not answer in time";
    }
}
