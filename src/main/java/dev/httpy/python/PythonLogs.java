package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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

    /**
     * Writes records taken by {@link #take}; call without the GIL. Through java.util.logging (where
     * Tomcat's and Jetty's logs come from) with the Python logger's name as the record's source too,
     * so that their formatters, which print the source class, print {@code shop.orders} rather than
     * this class.
     */
    static void publish(List<?> taken) {
        for (Object item : taken) {
            var record = (List<?>) item;
            String name = (String) record.get(0);
            String logger = name.equals("root") ? "python" : name;
            Level level = level((Long) record.get(1));
            var target = Logger.getLogger(logger);
            if (!target.isLoggable(level)) {
                continue;
            }
            var entry = new LogRecord(level, (String) record.get(2));
            entry.setLoggerName(logger);
            entry.setSourceClassName(logger);
            // The Python function that logged, so formatters print logger.function (not logger.null).
            String function = record.size() > 3 ? (String) record.get(3) : "";
            entry.setSourceMethodName(function == null || function.isEmpty() ? "<module>" : function);
            target.log(entry);
        }
    }

    private static Level level(long python) {
        if (python >= 40) {
            return Level.SEVERE;
        } else if (python >= 30) {
            return Level.WARNING;
        } else if (python >= 20) {
            return Level.INFO;
        } else if (python >= 10) {
            return Level.FINE;
        }
        return Level.FINER;
    }
}
