package dev.httpy.servlet;

/** A filter's figures set by hand, for the tests of what publishes them. */
final class FakeFigures implements PythonFilterMXBean {
    long requests;
    long inFlight;
    int queued;
    int workersBusy;
    int workersTotal;
    long refused;
    long timedOut;
    long tooLarge;
    long failed;
    long answered;
    double latencyTotalMillis;
    double p50;
    double p90;
    double p99;
    double gilWaitMillis;
    long gilAcquisitions;

    @Override
    public long getRequests() {
        return requests;
    }

    @Override
    public long getInFlight() {
        return inFlight;
    }

    @Override
    public int getQueued() {
        return queued;
    }

    @Override
    public int getWorkersBusy() {
        return workersBusy;
    }

    @Override
    public int getWorkersTotal() {
        return workersTotal;
    }

    @Override
    public long getRefused() {
        return refused;
    }

    @Override
    public long getTimedOut() {
        return timedOut;
    }

    @Override
    public long getTooLarge() {
        return tooLarge;
    }

    @Override
    public long getFailed() {
        return failed;
    }

    @Override
    public long getAnswered() {
        return answered;
    }

    @Override
    public double getLatencyTotalMillis() {
        return latencyTotalMillis;
    }

    @Override
    public double getLatencyP50Millis() {
        return p50;
    }

    @Override
    public double getLatencyP90Millis() {
        return p90;
    }

    @Override
    public double getLatencyP99Millis() {
        return p99;
    }

    @Override
    public double getGilWaitMillis() {
        return gilWaitMillis;
    }

    @Override
    public long getGilAcquisitions() {
        return gilAcquisitions;
    }
}
