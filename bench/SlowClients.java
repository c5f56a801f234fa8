import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The slow-client benchmark's load (bench/slow.sh runs it against Tomcat with the example WAR). It talks
 * only to 127.0.0.1:PORT, in four steps:
 *
 * <ol>
 *   <li>non-readers: each POSTs a whole body of ANSWER_MB MiB to /echo/binary (which answers it back),
 *       with a 64 KiB receive buffer so that the answer cannot vanish into socket buffers, and then does
 *       not read; then tricklers: each POSTs /echo/binary with a Content-Length of TRICKLE_BYTES, sends
 *       the head and a few bytes of the body, then 1-3 bytes every 2-5 s (well inside Tomcat's 20 s
 *       between reads);</li>
 *   <li>while they are held for HOLD seconds, loops of GET /python and GET /java, one request after
 *       the other on a keep-alive connection, each with a timeout (a timeout is an error), measure
 *       what other clients see;</li>
 *   <li>the tricklers send the rest of their bodies at once and the non-readers read;</li>
 *   <li>every slow client's answer must be status 200 with exactly the body it sent: each client's body
 *       is made from its number, so no two are alike and none needs keeping in memory.</li>
 * </ol>
 *
 * Threads: one selector thread for all the slow clients, one per GET loop, and main. Every wait is
 * bounded, so the program always ends. Prints Markdown on stdout and progress on stderr; the exit
 * status is 0 when every slow client got exactly its answer, 1 when one did not, 2 on a usage error,
 * 3 when the program itself failed.
 *
 * <pre>java bench/SlowClients.java --port 18098 [--tricklers 1000] [--non-readers 100] [--answer-mb 8]
 *     [--hold 20] [--trickle-bytes 1000] [--probe-loops 4] [--probe-timeout 15] [--finish-timeout 120]</pre>
 */
public final class SlowClients {

    static final long TRICKLE_MIN_MILLIS = 2_000;
    static final long TRICKLE_MAX_MILLIS = 5_000;
    static final int TRICKLE_MAX_BYTES = 3;
    static final int NON_READER_RECEIVE_BUFFER = 64 * 1024;
    static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);
    /** How long each set-up step (non-readers sending, tricklers connecting) may take before the hold starts anyway. */
    static final long SETUP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final int MAX_CONNECTS_IN_FLIGHT = 64;

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java bench/SlowClients.java --port N [--tricklers 1000] [--non-readers 100]"
                    + " [--answer-mb 8] [--hold 20] [--trickle-bytes 1000] [--probe-loops 4] [--probe-timeout 15]"
                    + " [--finish-timeout 120]");
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

    /** The four steps; true when every slow client got exactly its answer. */
    static boolean run(Settings settings) throws Exception {
        var slow = new SlowClientLoop(settings);
        var loopThread = new Thread(slow, "slow-clients");
        loopThread.setDaemon(true);
        loopThread.start();
        if (!slow.held.await(2 * SETUP_TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("the slow clients' set-up did not end");
        }
        if (slow.failure != null) {
            throw new IllegalStateException("the slow clients' loop failed", slow.failure);
        }
        log("holding them for %d s while GET /python and GET /java are measured", settings.holdSeconds());
        var python = new ProbeResults("/python");
        var java = new ProbeResults("/java");
        long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.holdSeconds());
        var probes = new ArrayList<Thread>();
        for (var results : List.of(python, java)) {
            for (int i = 0; i < settings.probeLoops(); i++) {
                var probe = new Probe(settings, results, holdEnd);
                probes.add(Thread.ofPlatform().name("get" + results.path.replace('/', '-') + "-" + i).daemon().start(probe));
            }
        }
        for (var probe : probes) {
            probe.join(TimeUnit.SECONDS.toMillis(settings.holdSeconds() + settings.probeTimeoutSeconds() + 5));
        }
        log("releasing: the tricklers send the rest, the non-readers read");
        slow.release();
        if (!slow.finished.await(settings.finishTimeoutSeconds() + 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the slow clients did not finish");
        }
        if (slow.failure != null) {
            throw new IllegalStateException("the slow clients' loop failed", slow.failure);
        }
        return new Report(settings, slow, python, java).print();
    }

    static void log(String format, Object... args) {
        System.err.printf("[slow %s] %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), String.format(Locale.ROOT, format, args));
    }

    record Settings(int port, int tricklers, int nonReaders, int answerMb, int holdSeconds, int trickleBytes,
                    int probeLoops, int probeTimeoutSeconds, int finishTimeoutSeconds) {

        static Settings parse(String[] args) {
            var values = new HashMap<String, Integer>(Map.of("tricklers", 1000, "non-readers", 100, "answer-mb", 8,
                    "hold", 20, "trickle-bytes", 1000, "probe-loops", 4, "probe-timeout", 15, "finish-timeout", 120));
            for (int i = 0; i < args.length; i += 2) {
                String name = args[i].startsWith("--") ? args[i].substring(2) : "";
                if (!values.containsKey(name) && !name.equals("port")) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                try {
                    int value = Integer.parseInt(args[i + 1]);
                    if (value < 0) {
                        throw new NumberFormatException();
                    }
                    values.put(name, value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(args[i] + " " + args[i + 1] + ": give a whole number of 0 or more");
                }
            }
            if (!values.containsKey("port")) {
                throw new IllegalArgumentException("--port is required");
            }
            var settings = new Settings(values.get("port"), values.get("tricklers"), values.get("non-readers"),
                    values.get("answer-mb"), values.get("hold"), values.get("trickle-bytes"), values.get("probe-loops"),
                    values.get("probe-timeout"), values.get("finish-timeout"));
            if (settings.trickleBytes() < 2) {
                throw new IllegalArgumentException("--trickle-bytes " + settings.trickleBytes()
                        + ": give at least 2 (the last byte is only sent at the release)");
            }
            if (settings.probeTimeoutSeconds() < 1) {
                throw new IllegalArgumentException("--probe-timeout 0: give at least 1 second");
            }
            return settings;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }

        long answerBytes() {
            return answerMb * 1024L * 1024L;
        }
    }

    enum Outcome { RIGHT, WRONG, FAILED }

    /** One slow connection: what it sends, how far it got, and what it was answered. */
    static final class SlowClient implements ResponseReader.BodySink {
        final int id;
        final boolean trickler;
        final byte[] head;
        final long bodyLength;
        final ResponseReader reader = new ResponseReader(this);
        SocketChannel channel;
        SelectionKey key;
        long connectStartedNanos;
        /** Counted among the connects in flight. */
        boolean connecting;
        boolean connected;
        /** Bytes of the request (head and body) sent so far. */
        long sent;
        long trickleAtNanos;
        long received;
        long firstDifference = -1;
        Outcome outcome;
        /** Why it is not RIGHT, the same words for every client it happened to; details name the numbers. */
        String reason;
        String details;
        long doneNanos;

        SlowClient(int id, boolean trickler, long bodyLength, int port) {
            this.id = id;
            this.trickler = trickler;
            this.bodyLength = bodyLength;
            this.head = ("POST /echo/binary HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + bodyLength
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        long requestLength() {
            return head.length + bodyLength;
        }

        boolean sentAll() {
            return sent == requestLength();
        }

        String name() {
            return (trickler ? "trickler " : "non-reader ") + id;
        }

        @Override
        public void accept(ByteBuffer bytes) {
            if (firstDifference < 0) {
                firstDifference = Body.firstDifference(id, received, bytes);
            }
            received += bytes.remaining();
        }

        /** The answer is complete: right only with status 200 and exactly the body sent. */
        void judge(long now) {
            if (reader.status() != 200) {
                end(Outcome.WRONG, "status " + reader.status(), null, now);
            } else if (received != bodyLength) {
                end(Outcome.WRONG, "a body of another length", received + " bytes instead of " + bodyLength, now);
            } else if (firstDifference >= 0) {
                end(Outcome.WRONG, "a body that differs from the one sent", "from byte " + firstDifference, now);
            } else {
                end(Outcome.RIGHT, null, null, now);
            }
        }

        void end(Outcome outcome, String reason, String details, long now) {
            this.outcome = outcome;
            this.reason = reason;
            this.details = details;
            this.doneNanos = now;
            if (channel != null) {
                try {
                    channel.close();   // also cancels its key
                } catch (IOException ignored) {
                    // closing is all that is left to do with it
                }
            }
        }
    }

    /**
     * All the slow clients on one selector thread: the non-readers connect and send, then the tricklers
     * connect and start trickling ({@link #held} counts down), until {@link #release()}; then the rest
     * is sent and every answer read, for at most the finish timeout ({@link #finished} counts down).
     */
    static final class SlowClientLoop implements Runnable {
        enum Phase { NON_READERS_SEND, TRICKLERS_CONNECT, HOLD, RELEASED, DONE }

        final Settings settings;
        final List<SlowClient> nonReaders = new ArrayList<>();
        final List<SlowClient> tricklers = new ArrayList<>();
        /** The tricklers, then the non-readers. */
        final List<SlowClient> all = new ArrayList<>();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        volatile boolean releaseAsked;
        volatile Throwable failure;
        long startNanos;
        long nonReadersSentNanos;
        long holdStartNanos;
        long releaseNanos;

        private final Selector selector;
        private final InetSocketAddress address;
        private final ArrayDeque<SlowClient> toConnect = new ArrayDeque<>();
        private final PriorityQueue<SlowClient> trickles = new PriorityQueue<>(Comparator.comparingLong(c -> c.trickleAtNanos));
        private final SplittableRandom random = new SplittableRandom(4);
        private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        private Phase phase = Phase.NON_READERS_SEND;
        private long phaseDeadline;
        private long finishDeadline;
        private long nextConnectCheck;
        private int connectsInFlight;

        SlowClientLoop(Settings settings) throws IOException {
            this.settings = settings;
            this.selector = Selector.open();
            this.address = settings.address();
            for (int i = 0; i < settings.tricklers(); i++) {
                tricklers.add(new SlowClient(i, true, settings.trickleBytes(), settings.port()));
            }
            for (int i = 0; i < settings.nonReaders(); i++) {
                nonReaders.add(new SlowClient(settings.tricklers() + i, false, settings.answerBytes(), settings.port()));
            }
            all.addAll(tricklers);
            all.addAll(nonReaders);
        }

        void release() {
            releaseAsked = true;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                loop();
            } catch (Throwable t) {
                failure = t;
            } finally {
                long now = System.nanoTime();
                for (var c : all) {
                    if (c.outcome == null) {
                        c.end(Outcome.FAILED, "not finished when the load stopped", null, now);
                    }
                }
                held.countDown();
                finished.countDown();
            }
        }

        private void loop() throws IOException {
            startNanos = System.nanoTime();
            phaseDeadline = startNanos + SETUP_TIMEOUT_NANOS;
            toConnect.addAll(nonReaders);
            log("%d non-readers connect and send %d MiB each", nonReaders.size(), settings.answerMb());
            while (true) {
                long now = System.nanoTime();
                connectMore(now);
                failSlowConnects(now);
                trickleDue(now);
                advance(now);
                if (phase == Phase.DONE) {
                    return;
                }
                long waitNanos = TimeUnit.MILLISECONDS.toNanos(200);
                if (!trickles.isEmpty() && phase != Phase.RELEASED) {
                    waitNanos = Math.min(waitNanos, trickles.peek().trickleAtNanos - now);
                }
                long waitMillis = TimeUnit.NANOSECONDS.toMillis(waitNanos);
                if (waitMillis > 0) {
                    selector.select(waitMillis);
                } else {
                    selector.selectNow();
                }
                now = System.nanoTime();
                for (var key : selector.selectedKeys()) {
                    handle((SlowClient) key.attachment(), key, now);
                }
                selector.selectedKeys().clear();
            }
        }

        /** Moves to the next phase once this one's clients are where they should be, or its time is up. */
        private void advance(long now) {
            switch (phase) {
                case NON_READERS_SEND -> {
                    long sending = nonReaders.stream().filter(c -> c.outcome == null && !c.sentAll()).count();
                    if (sending == 0 || now > phaseDeadline) {
                        nonReadersSentNanos = now;
                        if (sending > 0) {
                            log("%d non-readers have not sent their whole body after %d s; going on", sending,
                                    TimeUnit.NANOSECONDS.toSeconds(SETUP_TIMEOUT_NANOS));
                        }
                        log("%d tricklers connect", tricklers.size());
                        toConnect.addAll(tricklers);
                        phase = Phase.TRICKLERS_CONNECT;
                        phaseDeadline = now + SETUP_TIMEOUT_NANOS;
                    }
                }
                case TRICKLERS_CONNECT -> {
                    long connecting = tricklers.stream().filter(c -> c.outcome == null && !c.connected).count();
                    if (connecting == 0 || now > phaseDeadline) {
                        holdStartNanos = now;
                        phase = Phase.HOLD;
                        held.countDown();
                    }
                }
                case HOLD -> {
                    if (releaseAsked) {
                        releaseAll(now);
                    }
                }
                case RELEASED -> {
                    boolean open = all.stream().anyMatch(c -> c.outcome == null);
                    if (!open) {
                        phase = Phase.DONE;
                    } else if (now > finishDeadline) {
                        for (var c : all) {
                            if (c.outcome == null) {
                                c.end(Outcome.FAILED, "no complete answer within " + settings.finishTimeoutSeconds()
                                        + " s of the release", progress(c), now);
                            }
                        }
                        phase = Phase.DONE;
                    }
                }
                case DONE -> { }
            }
        }

        private void connectMore(long now) {
            while (connectsInFlight < MAX_CONNECTS_IN_FLIGHT && !toConnect.isEmpty()) {
                var c = toConnect.poll();
                c.connecting = true;
                connectsInFlight++;
                c.connectStartedNanos = now;
                try {
                    c.channel = SocketChannel.open();
                    c.channel.configureBlocking(false);
                    c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    if (!c.trickler) {
                        c.channel.setOption(StandardSocketOptions.SO_RCVBUF, NON_READER_RECEIVE_BUFFER);
                    }
                    c.key = c.channel.register(selector, 0, c);
                    if (c.channel.connect(address)) {
                        connected(c, now);
                    } else {
                        c.key.interestOps(SelectionKey.OP_CONNECT);
                    }
                } catch (IOException e) {
                    fail(c, "could not connect", e, now);
                }
            }
        }

        private void failSlowConnects(long now) {
            if (now < nextConnectCheck) {
                return;
            }
            nextConnectCheck = now + TimeUnit.MILLISECONDS.toNanos(500);
            for (var c : all) {
                if (c.connecting && c.outcome == null && now - c.connectStartedNanos > CONNECT_TIMEOUT_NANOS) {
                    stopConnecting(c);
                    c.end(Outcome.FAILED, "no connection within " + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NANOS) + " s", null, now);
                }
            }
        }

        private void handle(SlowClient c, SelectionKey key, long now) {
            if (c.outcome != null || !key.isValid()) {
                return;
            }
            try {
                if (key.isConnectable()) {
                    if (c.channel.finishConnect()) {
                        connected(c, now);
                    }
                    return;
                }
                if (key.isReadable()) {
                    read(c, now);
                }
                if (c.outcome == null && key.isValid() && key.isWritable() && send(c, c.requestLength())) {
                    key.interestOps(phase == Phase.RELEASED || phase == Phase.DONE || c.trickler ? SelectionKey.OP_READ : 0);
                }
            } catch (ProtocolException e) {
                c.end(Outcome.WRONG, "not an HTTP answer", e.getMessage(), now);
            } catch (IOException e) {
                fail(c, c.connected ? "the connection broke " + (c.sentAll() ? "while reading the answer" : "while sending") : "could not connect", e, now);
            }
        }

        /** A non-reader sends all of its request; a trickler its head and a few body bytes, then one trickle every 2-5 s. */
        private void connected(SlowClient c, long now) throws IOException {
            stopConnecting(c);
            c.connected = true;
            boolean released = phase == Phase.RELEASED;
            if (c.trickler && !released) {
                send(c, c.head.length + 1 + random.nextInt(TRICKLE_MAX_BYTES));
                c.trickleAtNanos = now + nextTrickleIn();
                trickles.add(c);
                c.key.interestOps(SelectionKey.OP_READ);   // an early answer or close is noticed at once
            } else {
                int reading = c.trickler || released ? SelectionKey.OP_READ : 0;
                c.key.interestOps(send(c, c.requestLength()) ? reading : reading | SelectionKey.OP_WRITE);
            }
        }

        private void trickleDue(long now) {
            while (phase != Phase.RELEASED && !trickles.isEmpty() && trickles.peek().trickleAtNanos <= now) {
                var c = trickles.poll();
                if (c.outcome != null) {
                    continue;
                }
                long limit = Math.min(c.requestLength() - 1, c.sent + 1 + random.nextInt(TRICKLE_MAX_BYTES));
                try {
                    send(c, limit);
                    c.trickleAtNanos = now + nextTrickleIn();
                    trickles.add(c);
                } catch (IOException e) {
                    fail(c, "the connection broke during the trickle", e, now);
                }
            }
        }

        private long nextTrickleIn() {
            return TimeUnit.MILLISECONDS.toNanos(random.nextLong(TRICKLE_MIN_MILLIS, TRICKLE_MAX_MILLIS + 1));
        }

        private void releaseAll(long now) {
            releaseNanos = now;
            phase = Phase.RELEASED;
            finishDeadline = now + TimeUnit.SECONDS.toNanos(settings.finishTimeoutSeconds());
            trickles.clear();
            for (var c : all) {
                if (c.outcome != null || !c.connected) {
                    continue;   // one still connecting sends everything once connected
                }
                try {
                    c.key.interestOps(send(c, c.requestLength()) ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                } catch (IOException e) {
                    fail(c, "the connection broke while sending the rest", e, now);
                }
            }
        }

        /**
         * Sends the request's bytes (head and body counted together) up to {@code limit}, as far as the
         * socket takes them now; true once all up to the limit are sent. The body is made again from the
         * client's number each time, so nothing is kept per client.
         */
        private boolean send(SlowClient c, long limit) throws IOException {
            while (c.sent < limit) {
                out.clear();
                int length = (int) Math.min(out.capacity(), limit - c.sent);
                if (c.sent < c.head.length) {
                    out.put(c.head, (int) c.sent, (int) Math.min(length, c.head.length - c.sent));
                }
                int bodyPart = length - out.position();
                if (bodyPart > 0) {
                    Body.fill(c.id, c.sent + out.position() - c.head.length, out, bodyPart);
                }
                out.flip();
                int written = c.channel.write(out);
                c.sent += written;
                if (written < length) {
                    return false;
                }
            }
            return true;
        }

        private void read(SlowClient c, long now) throws IOException {
            while (true) {
                in.clear();
                int n = c.channel.read(in);
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    if (c.reader.closed()) {
                        c.judge(now);
                    } else {
                        c.end(Outcome.FAILED, "the server closed the connection " + c.reader.stage(), progress(c), now);
                    }
                    return;
                }
                in.flip();
                if (c.reader.feed(in)) {
                    c.judge(now);
                    return;
                }
            }
        }

        private void stopConnecting(SlowClient c) {
            if (c.connecting) {
                c.connecting = false;
                connectsInFlight--;
            }
        }

        private void fail(SlowClient c, String reason, IOException e, long now) {
            stopConnecting(c);
            c.end(Outcome.FAILED, reason, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "; " + progress(c), now);
        }

        private String progress(SlowClient c) {
            return String.format(Locale.ROOT, "%,d of %,d request bytes sent, %,d answer body bytes read", c.sent, c.requestLength(), c.received);
        }
    }

    /** The bytes client {@code id} sends at each position: made from both, so every client's body is its own. */
    static final class Body {
        private Body() {
        }

        static void fill(int client, long offset, ByteBuffer into, int length) {
            long word = word(client, offset >>> 3);
            for (int i = 0; i < length; i++) {
                long position = offset + i;
                if ((position & 7) == 0) {
                    word = word(client, position >>> 3);
                }
                into.put(byteOf(word, position));
            }
        }

        /** The position of the first byte of {@code bytes} (at {@code offset} of the body) that is not the client's, or -1. */
        static long firstDifference(int client, long offset, ByteBuffer bytes) {
            long word = word(client, offset >>> 3);
            for (int i = 0; i < bytes.remaining(); i++) {
                long position = offset + i;
                if ((position & 7) == 0) {
                    word = word(client, position >>> 3);
                }
                if (bytes.get(bytes.position() + i) != byteOf(word, position)) {
                    return position;
                }
            }
            return -1;
        }

        private static byte byteOf(long word, long position) {
            return (byte) (word >>> ((position & 7) << 3));
        }

        /** SplitMix64's finaliser over the client and the word's index. */
        private static long word(int client, long index) {
            long z = client * 0x9E3779B97F4A7C15L + index * 0xD1B54A32D192ED03L + 0x2545F4914F6CDD1DL;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /**
     * An HTTP/1.1 response read as its bytes arrive, from any number of pieces: the status line and
     * headers, then a body framed by Content-Length, by chunks, or by the end of the connection. The body
     * goes to a sink as it comes; nothing else is kept.
     */
    static final class ResponseReader {
        /** Gets each piece of the body as it arrives; it need not consume the buffer. */
        interface BodySink {
            void accept(ByteBuffer bytes);
        }

        private enum State { STATUS_LINE, HEADERS, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, UNTIL_CLOSE, DONE }

        private static final int MAX_LINE = 8192;

        private final BodySink sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private State state = State.STATUS_LINE;
        private int status;
        private long contentLength = -1;
        private boolean chunked;
        private boolean closes;
        private long remaining;

        ResponseReader(BodySink sink) {
            this.sink = sink;
        }

        int status() {
            return status;
        }

        /** The server said it closes the connection after this response. */
        boolean closes() {
            return closes;
        }

        /** Takes what it needs of {@code bytes}; true once the response is complete. */
        boolean feed(ByteBuffer bytes) throws ProtocolException {
            while (state != State.DONE && bytes.hasRemaining()) {
                switch (state) {
                    case STATUS_LINE -> {
                        String text = line(bytes);
                        if (text != null) {
                            status(text);
                        }
                    }
                    case HEADERS -> {
                        String text = line(bytes);
                        if (text != null && text.isEmpty()) {
                            startBody();
                        } else if (text != null) {
                            header(text);
                        }
                    }
                    case FIXED, CHUNK_DATA, UNTIL_CLOSE -> {
                        int take = (int) Math.min(bytes.remaining(), state == State.UNTIL_CLOSE ? Long.MAX_VALUE : remaining);
                        sink.accept(bytes.slice(bytes.position(), take));
                        bytes.position(bytes.position() + take);
                        remaining -= take;
                        if (state != State.UNTIL_CLOSE && remaining == 0) {
                            state = state == State.FIXED ? State.DONE : State.CHUNK_END;
                        }
                    }
                    case CHUNK_SIZE -> {
                        String text = line(bytes);
                        if (text != null) {
                            chunkSize(text);
                        }
                    }
                    case CHUNK_END -> {
                        String text = line(bytes);
                        if (text != null && !text.isEmpty()) {
                            throw new ProtocolException("no line end after a chunk");
                        } else if (text != null) {
                            state = State.CHUNK_SIZE;
                        }
                    }
                    case TRAILER -> {
                        String text = line(bytes);
                        if (text != null && text.isEmpty()) {
                            state = State.DONE;
                        }
                    }
                    case DONE -> { }
                }
            }
            return state == State.DONE;
        }

        /** The connection ended: true when that completes the response (a body that runs to the close). */
        boolean closed() {
            if (state == State.UNTIL_CLOSE) {
                state = State.DONE;
            }
            return state == State.DONE;
        }

        /** Where the response stands, for a message. */
        String stage() {
            return switch (state) {
                case STATUS_LINE -> line.size() == 0 ? "before answering" : "in the status line";
                case HEADERS -> "in the answer's headers";
                case DONE -> "after the answer";
                default -> "in the middle of the answer's body";
            };
        }

        private void status(String text) throws ProtocolException {
            String[] parts = text.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new ProtocolException("status line " + text);
            }
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new ProtocolException("status line " + text);
            }
            state = State.HEADERS;
        }

        private void header(String text) throws ProtocolException {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("header line " + text);
            }
            String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = text.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new ProtocolException("Content-Length " + value);
                    }
                }
                case "transfer-encoding" -> chunked = value.endsWith("chunked");
                case "connection" -> closes = value.contains("close");
                default -> { }
            }
        }

        private void startBody() {
            if (status >= 100 && status < 200) {
                state = State.STATUS_LINE;   // an interim answer; the real one follows
                contentLength = -1;
                chunked = false;
                closes = false;
            } else if (status == 204 || status == 304) {
                state = State.DONE;
            } else if (chunked) {
                state = State.CHUNK_SIZE;
            } else if (contentLength >= 0) {
                remaining = contentLength;
                state = remaining == 0 ? State.DONE : State.FIXED;
            } else {
                state = State.UNTIL_CLOSE;
            }
        }

        private void chunkSize(String text) throws ProtocolException {
            int semicolon = text.indexOf(';');
            try {
                remaining = Long.parseLong((semicolon < 0 ? text : text.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new ProtocolException("chunk size " + text);
            }
            state = remaining == 0 ? State.TRAILER : State.CHUNK_DATA;
        }

        /** The next line without its CRLF once it is all there; null while it is not. */
        private String line(ByteBuffer bytes) throws ProtocolException {
            while (bytes.hasRemaining()) {
                byte b = bytes.get();
                if (b == '\n') {
                    byte[] text = line.toByteArray();
                    line.reset();
                    int length = text.length > 0 && text[text.length - 1] == '\r' ? text.length - 1 : text.length;
                    return new String(text, 0, length, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
                if (line.size() > MAX_LINE) {
                    throw new ProtocolException("a line of the answer's head is longer than " + MAX_LINE + " bytes");
                }
            }
            return null;
        }
    }

    /** The latencies of one route's 200 answers and its errors by kind, from all its loops. */
    static final class ProbeResults {
        final String path;
        private final List<Long> latencies = new ArrayList<>();
        private final Map<String, Integer> errors = new TreeMap<>();

        ProbeResults(String path) {
            this.path = path;
        }

        synchronized void answered(long nanos) {
            latencies.add(nanos);
        }

        synchronized void error(String kind) {
            errors.merge(kind, 1, Integer::sum);
        }

        synchronized List<Long> sortedLatencies() {
            return latencies.stream().sorted().toList();
        }

        synchronized Map<String, Integer> errors() {
            return new TreeMap<>(errors);
        }
    }

    /** One loop of GET requests to a route, one after the other on a keep-alive connection, until the hold ends. */
    static final class Probe implements Runnable {
        private final Settings settings;
        private final ProbeResults results;
        private final long endNanos;
        private final byte[] request;
        private final byte[] buffer = new byte[16 * 1024];
        private Socket socket;

        Probe(Settings settings, ProbeResults results, long endNanos) {
            this.settings = settings;
            this.results = results;
            this.endNanos = endNanos;
            this.request = ("GET " + results.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + settings.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void run() {
            try {
                while (System.nanoTime() < endNanos) {
                    long start = System.nanoTime();
                    try {
                        var reader = get(start + TimeUnit.SECONDS.toNanos(settings.probeTimeoutSeconds()));
                        if (reader.status() == 200) {
                            results.answered(System.nanoTime() - start);
                        } else {
                            results.error("status " + reader.status());
                        }
                        if (reader.closes()) {
                            closeSocket();
                        }
                    } catch (SocketTimeoutException e) {
                        results.error("no answer within " + settings.probeTimeoutSeconds() + " s");
                        closeSocket();
                    } catch (IOException e) {
                        results.error(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                        closeSocket();
                    }
                }
            } finally {
                closeSocket();
            }
        }

        private ResponseReader get(long deadline) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(settings.address(), millisLeft(deadline));
            }
            socket.getOutputStream().write(request);
            var reader = new ResponseReader(bytes -> { });
            InputStream input = socket.getInputStream();
            while (true) {
                socket.setSoTimeout(millisLeft(deadline));
                int n = input.read(buffer);
                if (n < 0) {
                    if (reader.closed()) {
                        return reader;
                    }
                    throw new EOFException("the server closed the connection " + reader.stage());
                }
                if (reader.feed(ByteBuffer.wrap(buffer, 0, n))) {
                    return reader;
                }
            }
        }

        private static int millisLeft(long deadline) throws SocketTimeoutException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            return (int) Math.min(left, Integer.MAX_VALUE);
        }

        private void closeSocket() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                socket = null;
            }
        }
    }

    /** The Markdown report: what was done, the latency table, the answers table and why any answer was not right. */
    record Report(Settings settings, SlowClientLoop slow, ProbeResults python, ProbeResults java) {

        /** Prints it; true when every slow client got exactly its answer. */
        boolean print() {
            var o = System.out;
            o.printf(Locale.ROOT, "%,d tricklers (POST /echo/binary, a %,d-byte body: the head and 1-%d bytes at once, then"
                            + " 1-%d bytes every %d-%d s) and %,d non-readers (POST /echo/binary, %d MiB in full, a %d KiB receive"
                            + " buffer, the answer not read), all to 127.0.0.1:%d. Set-up: the non-readers sent their bodies in %s,"
                            + " then the tricklers connected in %s. Held for %s (HOLD=%d s of GET loops, then the GETs in flight ended):"
                            + " %d loop%s per route sent GET requests one after the other (keep-alive; %d s timeout each, counted"
                            + " as an error). Then the tricklers sent the rest and the non-readers read, for at most %d s.%n%n",
                    settings.tricklers(), settings.trickleBytes(), TRICKLE_MAX_BYTES, TRICKLE_MAX_BYTES, TRICKLE_MIN_MILLIS / 1000,
                    TRICKLE_MAX_MILLIS / 1000, settings.nonReaders(), settings.answerMb(), NON_READER_RECEIVE_BUFFER / 1024,
                    settings.port(), seconds(slow.nonReadersSentNanos - slow.startNanos),
                    seconds(slow.holdStartNanos - slow.nonReadersSentNanos), seconds(slow.releaseNanos - slow.holdStartNanos),
                    settings.holdSeconds(), settings.probeLoops(), settings.probeLoops() == 1 ? "" : "s",
                    settings.probeTimeoutSeconds(), settings.finishTimeoutSeconds());
            o.println("| while held | answered 200 | p50 | p99 | max | errors |");
            o.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            for (var results : List.of(python, java)) {
                var latencies = results.sortedLatencies();
                int errors = results.errors().values().stream().mapToInt(Integer::intValue).sum();
                o.printf(Locale.ROOT, "| GET %s | %,d | %s | %s | %s | %,d |%n", results.path, latencies.size(),
                        millis(percentile(latencies, 50)), millis(percentile(latencies, 99)),
                        millis(latencies.isEmpty() ? -1 : latencies.getLast()), errors);
            }
            for (var results : List.of(python, java)) {
                var errors = results.errors();
                if (!errors.isEmpty()) {
                    var kinds = new ArrayList<String>();
                    errors.forEach((kind, count) -> kinds.add(kind + ": " + count));
                    o.printf("%nGET %s errors: %s.%n", results.path, String.join("; ", kinds));
                }
            }
            o.println();
            o.println("| slow clients | count | right answer | wrong answer | failed | last right answer after the release |");
            o.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            boolean allRight = row("tricklers", slow.tricklers) & row("non-readers", slow.nonReaders);
            o.println();
            explainNotRight();
            long notRight = slow.all.stream().filter(c -> c.outcome != Outcome.RIGHT).count();
            o.println(allRight ? "Every slow client got exactly its answer."
                    : String.format(Locale.ROOT, "%,d of %,d slow clients did not get exactly their answer.", notRight, slow.all.size()));
            return allRight;
        }

        private boolean row(String kind, List<SlowClient> clients) {
            Map<Outcome, Long> counts = new LinkedHashMap<>();
            for (var outcome : Outcome.values()) {
                counts.put(outcome, clients.stream().filter(c -> c.outcome == outcome).count());
            }
            var lastRight = clients.stream().filter(c -> c.outcome == Outcome.RIGHT && c.doneNanos >= slow.releaseNanos)
                    .mapToLong(c -> c.doneNanos - slow.releaseNanos).max();
            System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %s |%n", kind, clients.size(), counts.get(Outcome.RIGHT),
                    counts.get(Outcome.WRONG), counts.get(Outcome.FAILED),
                    lastRight.isPresent() && slow.releaseNanos > 0 ? seconds(lastRight.getAsLong()) : "-");
            return counts.get(Outcome.RIGHT) == clients.size();
        }

        /** One line per kind of client, outcome and reason, with a count and the first example's details. */
        private void explainNotRight() {
            var lines = new LinkedHashMap<String, List<SlowClient>>();
            for (var c : slow.all) {
                if (c.outcome != Outcome.RIGHT) {
                    String kind = (c.trickler ? "tricklers" : "non-readers") + ", " + c.outcome.name().toLowerCase(Locale.ROOT)
                            + ": " + c.reason;
                    lines.computeIfAbsent(kind, k -> new ArrayList<>()).add(c);
                }
            }
            lines.forEach((kind, clients) -> {
                var first = clients.getFirst();
                System.out.printf(Locale.ROOT, "- %s: %,d (e.g. %s%s; %s into the run)%n", kind, clients.size(), first.name(),
                        first.details == null ? "" : ": " + first.details, seconds(first.doneNanos - slow.startNanos));
            });
            if (!lines.isEmpty()) {
                System.out.println();
            }
        }

        private static long percentile(List<Long> sorted, int p) {
            return sorted.isEmpty() ? -1 : sorted.get((int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        }

        private static String millis(long nanos) {
            return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }

        private static String seconds(long nanos) {
            return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
        }
    }
}
