package dev.httpy.servlet;

import java.time.Duration;

import jakarta.servlet.ServletContext;

/**
 * Whether the web app is stopping: one for the web app, shared by its Python filters through a
 * context attribute. A container stops a web app's filters one after another; the first to stop
 * begins the drain for all of them, so that from then on {@link Health} says DOWN with the reason
 * and every filter answers a new request with 503, while each waits for the requests it took
 * (its {@code python.drain-timeout}) before its Python stops. The listener drops it when the web
 * app has stopped, so a web app started again in the same context serves.
 */
final class Drain {
    static final String ATTRIBUTE = Drain.class.getName();

    private volatile String reason;

    private Drain() {
    }

    /** The web app's drain, made by the first filter that asks. */
    static Drain of(ServletContext context) {
        synchronized (context) {
            if (context.getAttribute(ATTRIBUTE) instanceof Drain drain) {
                return drain;
            }
            var drain = new Drain();
            context.setAttribute(ATTRIBUTE, drain);
            return drain;
        }
    }

    /** Why the web app of {@code context} is down for a drain, for {@link Health}; null when none began. */
    static String reasonIn(ServletContext context) {
        return context.getAttribute(ATTRIBUTE) instanceof Drain drain ? drain.reason : null;
    }

    /** Begins the drain, once; {@code limit} is the python.drain-timeout of the filter that stops first. */
    synchronized void begin(Duration limit) {
        if (reason == null) {
            reason = "the web app is stopping: its Python requests in flight may finish (python.drain-timeout="
                    + limit.toMillis() / 1000.0 + " s) and new ones get 503";
        }
    }

    /** Whether the web app is stopping: new requests get 503. */
    boolean begun() {
        return reason != null;
    }
}
