import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The server-sent-events benchmark's load (bench/asgi.sh MODE=sse runs it against Tomcat with the
 * example WAR, whose /fastapi/* is FastAPI through python.asgi). It talks only to 127.0.0.1:PORT:
 *
 * <ol>
 *   <li>the JVM under test (PID) is sampled with no streams open: its threads (/proc/PID/status and
 *       each thread's name in /proc/PID/task) and RSS;</li>
 *   <li>STREAMS connections each send GET /fastapi/events?n=EVENTS&pause=1 (one event a second), at
 *       most RAMP_IN_FLIGHT of them opening at once (connected or sent, no answer head yet); the JVM is
 *       sampled each time another tenth of them is open;</li>
 *   <li>once all are open (or the ramp gave up after RAMP_TIMEOUT), they are held for HOLD seconds:
 *       every event ({@code data: tick I at T} lines, T the server's clock) is counted and its delay
 *       (our clock minus T: both are this machine's) recorded; the JVM is sampled every second and its
 *       Java threads listed once with jcmd Thread.print halfway through; meanwhile two probe loops,
 *       GET /java and GET /fastapi/hello, each send one request after the other with PROBE_INTERVAL
 *       ms between them (JDK HttpClient, HTTP/1.1, 10 s timeout, a timeout is an error);</li>
 *   <li>then every stream is closed by us and, 5 s later, the JVM sampled once more.</li>
 * </ol>
 *
 * Threads: one selector thread for all the streams, one per probe loop (and HttpClient's own), and
 * main. Every wait is bounded, so the program always ends. Prints Markdown on stdout and progress on
 * stderr; the exit status is 0 when every stream opened and was still open at the end of the hold and
 * no probe failed, 1 when not, 2 on a usage error, 3 when the program itself failed.
 *
 * <pre>java bench/SseStreams.java --port 18400 --pid PID [--streams 5000] [--events 400] [--hold 60]
 *     [--ramp-in-flight 200] [--probe-interval-ms 50] [--jcmd PATH]</pre>
 */
public final class SseStreams {

    static final long RAMP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(180);
    static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_DELAY_MILLIS = 120_000;

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java bench/SseStreams.java --port N --pid PID [--streams 5000] [--events 400] [--hold 60]"
                    + " [--ramp-in-flight 200] [--probe-interval-ms 50] [--jcmd PATH]");
            System.exit(2);
            return;
        }
        try {
            System.exit(run(settings) ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(3);
        }
    }

    static boolean run(Settings settings) throws Exception {
        var o = System.out;
        var samples = new ArrayList<String>();
        var before = JvmSample.take(settings.pid());
        samples.add(before.row("before, no stream open", 0));
        String jcmdBefore = javaThreads(settings);

        var streams = new StreamLoop(settings);
        var loopThread = Thread.ofPlatform().name("sse-streams").daemon().start(streams);
        long rampStart = System.nanoTime();
        var java = new Probe(settings, "/java");
        var hello = new Probe(settings, "/fastapi/hello");
        java.start();
        hello.start();

        // The ramp: sampled at each tenth of the streams open.
        int step = Math.max(1, settings.streams() / 10);
        int nextSample = step;
        var peak = before;
        while (streams.opened.get() + streams.failed.get() < settings.streams()
                && System.nanoTime() - rampStart < RAMP_TIMEOUT_NANOS && streams.failure == null) {
            Thread.sleep(100);
            long open = streams.open();
            if (open >= nextSample) {
                var sample = JvmSample.take(settings.pid());
                peak = peak.max(sample);
                samples.add(sample.row("opening", open));
                log("%,d streams open, %d JVM threads, RSS %d MiB", open, sample.threads(), sample.rssKb() / 1024);
                while (nextSample <= open) {
                    nextSample += step;
                }
            }
        }
        if (streams.failure != null) {
            throw new IllegalStateException("the streams' loop failed", streams.failure);
        }
        long rampNanos = System.nanoTime() - rampStart;
        java.phase = hello.phase = 1;
        log("%,d streams open after %.1f s (%,d failed); holding them for %d s", streams.open(), rampNanos / 1e9,
                streams.failed.get(), settings.hold());

        // The hold.
        long holdStart = System.nanoTime();
        long eventsAtStart = streams.events.sum();
        streams.measuringDelays = true;
        long holdEnd = holdStart + TimeUnit.SECONDS.toNanos(settings.hold());
        String jcmdDuring = null;
        long openAtJcmd = 0;
        long minOpen = streams.open();
        while (System.nanoTime() < holdEnd) {
            Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(holdEnd - System.nanoTime()))));
            peak = peak.max(JvmSample.take(settings.pid()));
            minOpen = Math.min(minOpen, streams.open());
            if (jcmdDuring == null && System.nanoTime() - holdStart >= (holdEnd - holdStart) / 2) {
                openAtJcmd = streams.open();
                jcmdDuring = javaThreads(settings);
            }
        }
        long holdNanos = System.nanoTime() - holdStart;
        streams.measuringDelays = false;
        long events = streams.events.sum() - eventsAtStart;
        long openAtEnd = streams.open();
        var atEnd = JvmSample.take(settings.pid());
        peak = peak.max(atEnd);
        samples.add(atEnd.row("end of the hold", openAtEnd));
        java.stop();
        hello.stop();

        log("closing the streams");
        streams.closeAll();
        loopThread.join(30_000);
        Thread.sleep(5_000);
        samples.add(JvmSample.take(settings.pid()).row("5 s after closing them all", 0));

        // The report.
        o.printf(Locale.ROOT, "%,d streams (GET /fastapi/events?n=%d&pause=1, one event a second each) to 127.0.0.1:%d, at most %d"
                        + " opening at once: %,d opened in %.1f s (%,d failed to open), then held for %.1f s.%n%n",
                settings.streams(), settings.events(), settings.port(), settings.rampInFlight(), streams.opened.get(), rampNanos / 1e9,
                streams.failed.get(), holdNanos / 1e9);
        o.println("| streams | figure |");
        o.println("| --- | ---: |");
        o.printf(Locale.ROOT, "| opened (answered 200 with text/event-stream) | %,d of %,d |%n", streams.opened.get(), settings.streams());
        o.printf(Locale.ROOT, "| still open at the end of the hold | %,d |%n", openAtEnd);
        o.printf(Locale.ROOT, "| fewest open during the hold | %,d |%n", minOpen);
        o.printf(Locale.ROOT, "| ended by the server or failed before the end | %,d |%n", streams.ended.get() + streams.broken.get());
        o.printf(Locale.ROOT, "| events received during the hold, per second | %,.0f (%,d streams open: %,.2f per stream a second) |%n",
                events / (holdNanos / 1e9), openAtEnd, openAtEnd == 0 ? 0 : events / (holdNanos / 1e9) / openAtEnd);
        o.printf(Locale.ROOT, "| event delay (server's timestamp to our read), p50 / p99 / max | %s / %s / %s |%n",
                streams.delayPercentile(50), streams.delayPercentile(99), streams.delayPercentile(100));
        o.printf(Locale.ROOT, "| the JVM's peak: threads (/proc), RSS | %d, %,d MiB |%n", peak.threads(), peak.rssKb() / 1024);
        o.println();
        o.println("| the JVM | streams open | threads (/proc) | RSS |");
        o.println("| --- | ---: | ---: | ---: |");
        samples.forEach(o::println);
        o.println();
        o.println("| GET, one after the other | phase | answered 200 | p50 | p99 | max | errors |");
        o.println("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (var probe : List.of(java, hello)) {
            for (int phase = 0; phase < 2; phase++) {
                var latencies = probe.sorted(phase);
                o.printf(Locale.ROOT, "| %s | %s | %,d | %s | %s | %s | %,d |%n", probe.path, phase == 0 ? "streams opening" : "hold",
                        latencies.size(), millis(percentile(latencies, 50)), millis(percentile(latencies, 99)),
                        millis(latencies.isEmpty() ? -1 : latencies.getLast()), probe.errorCount(phase));
            }
        }
        for (var probe : List.of(java, hello)) {
            if (!probe.errors.isEmpty()) {
                o.printf("%nGET %s errors: %s.%n", probe.path, probe.errors);
            }
        }
        if (!streams.reasons.isEmpty()) {
            o.printf("%nStreams that failed or ended: %s.%n", streams.reasons);
        }
        o.println();
        o.printf(Locale.ROOT, "Threads by name (numbers dropped), from /proc/%d/task: before any stream, and at the end of the hold:%n%n",
                settings.pid());
        o.println("| thread | before | held |");
        o.println("| --- | ---: | ---: |");
        var names = new TreeMap<String, int[]>();
        before.names().forEach((name, n) -> names.computeIfAbsent(name, k -> new int[2])[0] = n);
        atEnd.names().forEach((name, n) -> names.computeIfAbsent(name, k -> new int[2])[1] = n);
        names.forEach((name, n) -> o.printf("| %s | %d | %d |%n", name, n[0], n[1]));
        o.println();
        o.printf(Locale.ROOT, "Java threads (jcmd Thread.print): %s before any stream; %s with %,d streams open (halfway through the hold).%n",
                jcmdBefore, jcmdDuring, openAtJcmd);
        return streams.opened.get() == settings.streams() && openAtEnd == settings.streams()
                && java.errorCount(1) + hello.errorCount(1) == 0;
    }

    static void log(String format, Object... args) {
        System.err.printf("[sse %s] %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), String.format(Locale.ROOT, format, args));
    }

    static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get((int) Math.ceil(p / 100.0 * sorted.size()) - 1);
    }

    static String millis(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    /** jcmd PID Thread.print: the count of Java threads, and the count by name with numbers dropped. */
    static String javaThreads(Settings settings) {
        try {
            var process = new ProcessBuilder(settings.jcmd(), Long.toString(settings.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return "(jcmd failed)";
            }
            var byName = new TreeMap<String, Integer>();
            int total = 0;
            for (String line : out.split("\n")) {
                if (line.startsWith("\"")) {
                    total++;
                    String name = line.substring(1, line.indexOf('"', 1)).replaceAll("[-#]?[0-9]+$", "");
                    byName.merge(name, 1, Integer::sum);
                }
            }
            var parts = new ArrayList<String>();
            byName.forEach((name, n) -> parts.add(n == 1 ? name : name + " x" + n));
            return "**" + total + "** (" + String.join(", ", parts) + ")";
        } catch (IOException e) {
            return "(jcmd failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    record Settings(int port, long pid, int streams, int events, int hold, int rampInFlight, int probeIntervalMs, String jcmd) {

        static Settings parse(String[] args) {
            var values = new HashMap<String, String>(Map.of("streams", "5000", "events", "400", "hold", "60",
                    "ramp-in-flight", "200", "probe-interval-ms", "50", "jcmd", "jcmd"));
            for (int i = 0; i < args.length; i += 2) {
                String name = args[i].startsWith("--") ? args[i].substring(2) : "";
                if (!values.containsKey(name) && !name.equals("port") && !name.equals("pid")) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                values.put(name, args[i + 1]);
            }
            if (!values.containsKey("port") || !values.containsKey("pid")) {
                throw new IllegalArgumentException("--port and --pid are required");
            }
            var settings = new Settings(number(values, "port"), number(values, "pid"), number(values, "streams"),
                    number(values, "events"), number(values, "hold"), number(values, "ramp-in-flight"),
                    number(values, "probe-interval-ms"), values.get("jcmd"));
            if (settings.rampInFlight() < 1 || settings.events() < 1) {
                throw new IllegalArgumentException("--ramp-in-flight and --events: give at least 1");
            }
            if (!Files.isDirectory(Path.of("/proc/" + settings.pid()))) {
                throw new IllegalArgumentException("--pid " + settings.pid() + ": no such process");
            }
            return settings;
        }

        private static int number(Map<String, String> values, String name) {
            try {
                int value = Integer.parseInt(values.get(name));
                if (value < 0) {
                    throw new NumberFormatException();
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " " + values.get(name) + ": give a whole number of 0 or more");
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
    }

    /** The JVM under test at one moment: its OS threads (all of them, not only Java's), RSS and threads by name. */
    record JvmSample(int threads, long rssKb, Map<String, Integer> names) {

        static JvmSample take(long pid) throws IOException {
            int threads = 0;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            var names = new TreeMap<String, Integer>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String name = Files.readString(task.resolve("comm")).strip().replaceAll("[-#]?[0-9]+$", "");
                        names.merge(name, 1, Integer::sum);
                    } catch (IOException gone) {
                        // the thread ended meanwhile
                    }
                }
            }
            return new JvmSample(threads, rss, names);
        }

        JvmSample max(JvmSample other) {
            return new JvmSample(Math.max(threads, other.threads), Math.max(rssKb, other.rssKb), names);
        }

        String row(String when, long open) {
            return String.format(Locale.ROOT, "| %s | %,d | %d | %,d MiB |", when, open, threads, rssKb / 1024);
        }
    }

    /** One loop of GETs to a path, one after the other with a pause between, timed by phase (0 the ramp, 1 the hold). */
    static final class Probe {
        final String path;
        final Settings settings;
        final HttpClient client;
        final List<List<Long>> latencies = List.of(new ArrayList<>(), new ArrayList<>());
        final long[] errorCounts = new long[2];
        final Map<String, Integer> errors = new TreeMap<>();
        volatile int phase;
        volatile boolean stopped;
        Thread thread;

        Probe(Settings settings, String path) {
            this.settings = settings;
            this.path = path;
            this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(PROBE_TIMEOUT).build();
        }

        void start() {
            thread = Thread.ofPlatform().name("probe" + path.replace('/', '-')).daemon().start(this::run);
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(PROBE_TIMEOUT.toMillis() + 5_000);
        }

        private void run() {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + settings.port() + path)).timeout(PROBE_TIMEOUT).build();
            while (!stopped) {
                int at = phase;
                long start = System.nanoTime();
                try {
                    var response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    long nanos = System.nanoTime() - start;
                    synchronized (this) {
                        if (response.statusCode() == 200) {
                            latencies.get(at).add(nanos);
                        } else {
                            error(at, "status " + response.statusCode());
                        }
                    }
                } catch (IOException e) {
                    synchronized (this) {
                        error(at, e.getClass().getSimpleName());
                    }
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(settings.probeIntervalMs());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void error(int at, String kind) {
            errorCounts[at]++;
            errors.merge(kind, 1, Integer::sum);
        }

        synchronized List<Long> sorted(int at) {
            return latencies.get(at).stream().sorted().toList();
        }

        synchronized long errorCount(int at) {
            return errorCounts[at];
        }
    }

    /** One stream: its channel, what is left to send, and the line being read. */
    static final class SseStream {
        final int number;
        final ByteBuffer request;
        final StringBuilder line = new StringBuilder();
        final long startNanos = System.nanoTime();
        boolean headDone;
        boolean open;
        int events;

        SseStream(int number, ByteBuffer request) {
            this.number = number;
            this.request = request;
        }
    }

    /**
     * All the streams on one selector: opens them (at most RAMP_IN_FLIGHT before their answer's head),
     * reads them line by line, counts events and their delay, until closeAll.
     */
    static final class StreamLoop implements Runnable {
        final Settings settings;
        final AtomicLong opened = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        final AtomicLong broken = new AtomicLong();
        final LongAdder events = new LongAdder();
        final Map<String, Integer> reasons = new TreeMap<>();
        final long[] delayMillis = new long[MAX_DELAY_MILLIS + 1];
        volatile boolean measuringDelays;
        volatile boolean closing;
        volatile Throwable failure;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private Selector selector;
        private int started;
        private int inFlight;

        StreamLoop(Settings settings) {
            this.settings = settings;
        }

        long open() {
            return opened.get() - ended.get() - broken.get();
        }

        void closeAll() {
            closing = true;
            if (selector != null) {
                selector.wakeup();
            }
        }

        String delayPercentile(int p) {
            long total;
            synchronized (delayMillis) {
                total = 0;
                for (long n : delayMillis) {
                    total += n;
                }
                if (total == 0) {
                    return "-";
                }
                long rank = (long) Math.ceil(p / 100.0 * total);
                long seen = 0;
                for (int ms = 0; ms < delayMillis.length; ms++) {
                    seen += delayMillis[ms];
                    if (seen >= rank) {
                        return ms == MAX_DELAY_MILLIS ? ">" + MAX_DELAY_MILLIS + " ms" : ms + " ms";
                    }
                }
            }
            return "-";
        }

        @Override
        public void run() {
            try (var sel = Selector.open()) {
                selector = sel;
                while (!closing) {
                    while (inFlight < settings.rampInFlight() && started < settings.streams()) {
                        startOne();
                    }
                    sel.select(200);
                    for (var key : sel.selectedKeys()) {
                        handle(key);
                    }
                    sel.selectedKeys().clear();
                    long now = System.nanoTime();
                    for (var key : sel.keys()) {
                        var s = (SseStream) key.attachment();
                        if (!s.headDone && key.isValid() && now - s.startNanos > CONNECT_TIMEOUT_NANOS) {
                            fail(key, "no answer head within " + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NANOS) + " s");
                        }
                    }
                }
                for (var key : sel.keys()) {
                    key.channel().close();
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        private void startOne() throws IOException {
            int number = started++;
            inFlight++;
            String request = "GET /fastapi/events?n=" + settings.events() + "&pause=1 HTTP/1.1\r\nHost: 127.0.0.1:" + settings.port()
                    + "\r\nAccept: text/event-stream\r\n\r\n";
            var s = new SseStream(number, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            var channel = SocketChannel.open();
            channel.configureBlocking(false);
            try {
                if (channel.connect(settings.address())) {
                    channel.register(selector, SelectionKey.OP_WRITE, s);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, s);
                }
            } catch (IOException e) {
                channel.close();
                inFlight--;
                failed.incrementAndGet();
                reason("connect: " + e.getMessage());
            }
        }

        private void handle(SelectionKey key) throws IOException {
            var s = (SseStream) key.attachment();
            var channel = (SocketChannel) key.channel();
            try {
                if (key.isConnectable()) {
                    channel.finishConnect();
                    key.interestOps(SelectionKey.OP_WRITE);
                }
                if (key.isValid() && key.isWritable()) {
                    channel.write(s.request);
                    if (!s.request.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    buffer.clear();
                    int n = channel.read(buffer);
                    if (n < 0) {
                        fail(key, s.headDone ? "closed by the server" : "closed before the answer's head");
                        return;
                    }
                    buffer.flip();
                    read(key, s);
                }
            } catch (IOException e) {
                fail(key, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }

        /** The bytes in buffer, line by line: the answer's head, then chunk sizes and event lines. */
        private void read(SelectionKey key, SseStream s) {
            while (buffer.hasRemaining()) {
                char c = (char) (buffer.get() & 0xff);
                if (c != '\n') {
                    if (s.line.length() < 4096) {
                        s.line.append(c);
                    }
                    continue;
                }
                String line = s.line.toString();
                s.line.setLength(0);
                if (!s.headDone) {
                    if (line.startsWith("HTTP/1.1 ") && !line.startsWith("HTTP/1.1 200")) {
                        fail(key, "answered " + line.strip());
                        return;
                    }
                    if (line.equals("\r") || line.isEmpty()) {
                        s.headDone = true;
                        s.open = true;
                        inFlight--;
                        opened.incrementAndGet();
                    }
                } else if (line.startsWith("data: ")) {
                    s.events++;
                    events.increment();
                    if (measuringDelays) {
                        int at = line.lastIndexOf(" at ");
                        if (at > 0) {
                            try {
                                double sent = Double.parseDouble(line.substring(at + 4).strip());
                                long delay = Math.max(0, Math.min(MAX_DELAY_MILLIS, Math.round(System.currentTimeMillis() - sent * 1000)));
                                synchronized (delayMillis) {
                                    delayMillis[(int) delay]++;
                                }
                            } catch (NumberFormatException ignored) {
                                // a line cut by a chunk boundary: counted, not timed
                            }
                        }
                    }
                } else if (line.equals("0\r")) {
                    // The last chunk: the stream ended.
                    s.open = false;
                    ended.incrementAndGet();
                    reason("ended by the server after " + s.events + " events");
                    close(key);
                    return;
                }
            }
        }

        private void fail(SelectionKey key, String why) {
            var s = (SseStream) key.attachment();
            if (s.open) {
                s.open = false;
                broken.incrementAndGet();
            } else if (!s.headDone) {
                inFlight--;
                failed.incrementAndGet();
            }
            reason(why);
            close(key);
        }

        private void reason(String why) {
            synchronized (reasons) {
                reasons.merge(why, 1, Integer::sum);
            }
        }

        private static void close(SelectionKey key) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
