package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Carries Python's log records (from {@code logging}, {@code print} and {@code sys.stderr}) into
 * the container's log, keeping the logger name and level. The glue queues them in Python; a worker
 * takes them while it holds the GIL (one cheap size check when there are none) and publishes them
 * after letting the GIL go.
 */
final class PythonLogs {
    private final MemorySegment records;

    /** Binds to the glue's record queue in the interpreter {@code py} runs in. */
    PythonLogs(Python py) {
        this.records = py.glueAttribute("_records");
    }

    /** The waiting records, or an empty list; needs the GIL. */
    List<?> take(Python py) {
        if (py.size(records) == 0) {
            return List.of();
        }
        return (List<?>) py.callModuleFunction("_httpy", "drain_logs");
    }

    void release(Python py) {
        py.decRef(records);
    }

    /** Writes records taken by {@link #take}; call without the GIL. */
    static void publish(List<?> taken) {
        for (Object item : taken) {
            var record = (List<?>) item;
            String name = (String) record.get(0);
            long level = (Long) record.get(1);
            System.getLogger(name.equals("root") ? "python" : name).log(level(level), (String) record.get(2));
        }
    }

    private static System.Logger.Level level(long python) {
        if (python >= 40) {
            return System.Logger.Level.ERROR;
        } else if (python >= 30) {
            return System.Logger.Level.WARNING;
        } else if (python >= 20) {
            return System.Logger.Level.INFO;
        } else if (python >= 10) {
            return System.Logger.Level.DEBUG;
        }
        return System.Logger.Level.TRACE;
    }
}
