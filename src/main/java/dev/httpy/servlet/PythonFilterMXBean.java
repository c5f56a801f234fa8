package dev.httpy.servlet;

/**
 * How busy one {@link PythonDispatchFilter} is, for JMX consoles and scrapers: registered as
 * {@code dev.httpy:type=PythonDispatchFilter,context=<context path>,name=<filter name>} while the
 * filter runs. Counts and sums are since the filter started; latencies are from the request
 * reaching the filter to its answer ending, the percentiles within 12.5%. WebSocket connections are
 * not counted. When the web app has Micrometer, the same figures are its meters too
 * ({@code MicrometerMeters}).
 */
public interface PythonFilterMXBean {
    /** Requests the filter sent to Python (or answered for it: 400, 413). */
    long getRequests();

    /** Requests not answered yet. */
    long getInFlight();

    /** Tasks waiting for a worker (python.queue is the most). */
    int getQueued();

    /** Workers inside a task now. */
    int getWorkersBusy();

    /** Workers running now (python.workers up to python.max-workers). */
    int getWorkersTotal();

    /** Answered 503: the queue was full. */
    long getRefused();

    /** Answered 504: python.timeout passed. */
    long getTimedOut();

    /** Answered 413: the body was over python.max-body. */
    long getTooLarge();

    /** Answered 500: the handler raised or answered badly (the app's own 500s included). */
    long getFailed();

    /** Requests answered (those counted in the latencies). */
    long getAnswered();

    /** The latencies of the answered requests added up: over {@link #getAnswered}, their mean. */
    double getLatencyTotalMillis();

    double getLatencyP50Millis();

    double getLatencyP90Millis();

    double getLatencyP99Millis();

    /**
     * How long the workers and the request threads running short handlers waited to take the GIL,
     * added up: growing faster than the requests, it says Python's threads queue for the GIL.
     */
    double getGilWaitMillis();

    /** How often they took the GIL (a worker takes it once for a batch of up to 16 queued tasks). */
    long getGilAcquisitions();
}
