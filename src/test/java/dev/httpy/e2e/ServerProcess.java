package dev.httpy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real, unpacked Tomcat or Jetty (from {@code target/servers/}, unpacked there by the build) run as
 * a child process on a free loopback port, with its own base directory
 * {@code target/servers/<name>/} (configuration, {@code webapps/}, {@code logs/console.log}).
 *
 * <p>{@link #close()} stops it with SIGTERM and, after 15 s, SIGKILL; a JVM shutdown hook kills
 * whatever a failed or interrupted test run left behind, so no server outlives the build.
 */
public final class ServerProcess implements AutoCloseable {
    public enum Kind { TOMCAT, JETTY }

    /** How a stop went: the time from SIGTERM to the process's end, and whether it needed SIGKILL. */
    public record Stopped(Duration took, boolean killed, int exitCode) {
    }

    static final Path SERVERS = Path.of(System.getProperty("httpy.test.serversDir", "target/servers")).toAbsolutePath();
    private static final Path TOMCAT_HOME = Path.of(System.getProperty("httpy.test.tomcatHome",
            SERVERS.resolve("apache-tomcat-11.0.24").toString())).toAbsolutePath();
    private static final Path JETTY_HOME = Path.of(System.getProperty("httpy.test.jettyHome",
            SERVERS.resolve("jetty-home-12.1.12").toString())).toAbsolutePath();
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    /**
     * The Jetty modules of an ee11 web app; ee11-cdi-decorate lets Weld (in the WAR) inject into servlets,
     * ee11-websocket-jakarta gives ASGI apps their WebSockets (Jakarta WebSocket's ServerContainer), and
     * graceful lets requests in flight finish when Jetty stops (without it Jetty fails them at once).
     */
    private static final String JETTY_MODULES = "ee11-deploy,ee11-annotations,ee11-cdi-decorate,ee11-websocket-jakarta,http,graceful";
    /** Other builds share this 2-core machine: a server that is slow to start is not a failure yet. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Set<ServerProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ServerProcess::kill), "kill-test-servers"));
    }

    private final Kind kind;
    private final String name;
    private final Path base;
    private final int port;
    private final List<String> jvmOptions;
    private Process process;
    private List<ProcessHandle> children = List.of();
    /** Jetty XML files given on its command line after the modules' own (a login service). */
    private final List<String> jettyXml = new ArrayList<>();
    /** Jetty properties given on its command line, {@code name=value}. */
    private final List<String> jettyProperties = new ArrayList<>();

    private ServerProcess(Kind kind, String name, List<String> jvmOptions) {
        this.kind = kind;
        this.name = name;
        this.base = SERVERS.resolve(name);
        this.port = freePort();
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * A Tomcat base over the unpacked distribution: its {@code conf/} with the HTTP connector on a
     * free loopback port, no shutdown port, and the deployer checking {@code webapps/} every second
     * (instead of every 10 s) so redeploys are quick.
     */
    public static ServerProcess tomcat(String name, String... jvmOptions) {
        var server = new ServerProcess(Kind.TOMCAT, name, List.of(jvmOptions));
        server.prepareTomcat();
        return server;
    }

    /** A Tomcat whose connector runs requests on virtual threads ({@code useVirtualThreads="true"}). */
    public static ServerProcess tomcatOnVirtualThreads(String name, String... jvmOptions) {
        var server = tomcat(name, jvmOptions);
        server.editServerXml("<Connector port=\"" + server.port + "\"",
                "<Connector useVirtualThreads=\"true\" port=\"" + server.port + "\"");
        return server;
    }

    /** Replaces the one {@code old} in the base's {@code conf/server.xml}; before {@link #start}. */
    void editServerXml(String old, String replacement) {
        try {
            Path serverXml = base.resolve("conf/server.xml");
            Files.writeString(serverXml, replaceOnce(Files.readString(serverXml), old, replacement));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The name of the server's Java thread whose Linux thread id is {@code nativeId} (Python's
     * {@code threading.get_native_id()}), from {@code jcmd Thread.print}; null when none has it.
     */
    public String threadName(long nativeId) {
        Matcher m = Pattern.compile("^\"([^\"]+)\".*\\bnid=(\\d+)", Pattern.MULTILINE).matcher(jcmd("Thread.print"));
        while (m.find()) {
            if (Long.parseLong(m.group(2)) == nativeId) {
                return m.group(1);
            }
        }
        return null;
    }

    /**
     * A user the container's own login knows, with a password and roles, in the realm
     * {@code realm} (the web app's login-config realm-name): Tomcat's {@code conf/tomcat-users.xml}
     * (its default UserDatabaseRealm, whatever the realm name), or for Jetty a HashLoginService of
     * that name over a properties file in {@code etc/}. Before {@link #start}.
     */
    public ServerProcess addUser(String realm, String user, String password, String... roles) {
        try {
            if (kind == Kind.TOMCAT) {
                Path users = base.resolve("conf/tomcat-users.xml");
                Files.writeString(users, replaceOnce(Files.readString(users), "</tomcat-users>",
                        "  <user username=\"" + user + "\" password=\"" + password + "\" roles=\""
                                + String.join(",", roles) + "\"/>\n</tomcat-users>"));
                return this;
            }
            Path etc = Files.createDirectories(base.resolve("etc"));
            Path properties = etc.resolve("httpy-realm.properties");
            Files.writeString(properties, user + ": " + password + (roles.length == 0 ? "" : "," + String.join(",", roles))
                    + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Path xml = etc.resolve("httpy-realm.xml");
            if (!Files.exists(xml)) {
                Files.writeString(xml, """
                        <?xml version="1.0"?>
                        <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">
                        <Configure id="Server" class="org.eclipse.jetty.server.Server">
                          <Call id="ResourceFactory" class="org.eclipse.jetty.util.resource.ResourceFactory" name="of">
                            <Arg><Ref refid="Server"/></Arg>
                            <Call id="realmResource" name="newResource"><Arg>%s</Arg></Call>
                          </Call>
                          <Call name="addBean">
                            <Arg>
                              <New class="org.eclipse.jetty.security.HashLoginService">
                                <Set name="name">%s</Set>
                                <Set name="config"><Ref refid="realmResource"/></Set>
                              </New>
                            </Arg>
                          </Call>
                        </Configure>
                        """.formatted(properties, realm));
                jettyXml.add(xml.toString());
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A property on Jetty's command line ({@code jetty.server.stopTimeout}, in ms: how long its
     * graceful stop waits for requests in flight), before {@link #start}; nothing for Tomcat.
     */
    public ServerProcess jettyProperty(String name, String value) {
        if (kind == Kind.JETTY) {
            jettyProperties.add(name + "=" + value);
        }
        return this;
    }

    /** An empty Jetty base with the ee11 web app modules; the port is given on the command line. */
    public static ServerProcess jetty(String name, String... jvmOptions) {
        var server = new ServerProcess(Kind.JETTY, name, List.of(jvmOptions));
        server.prepareJetty();
        return server;
    }

    public Kind kind() {
        return kind;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path base() {
        return base;
    }

    /** {@code http://127.0.0.1:<port><path>}; {@code path} starts with the context path. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Puts {@code war} into {@code webapps/} as {@code <context>.war} in one atomic step (no half-copied WAR is ever seen). */
    public void deploy(Path war, String context) {
        try {
            Path staging = base.resolve(context + ".war.copying");
            Files.copy(war, staging, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staging, webapps().resolve(context + ".war"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code <context>.war}; the container's deployer then stops the app and removes its directory. */
    public void undeploy(String context) {
        try {
            Files.delete(webapps().resolve(context + ".war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path webapps() {
        return base.resolve("webapps");
    }

    public ServerProcess start() {
        List<String> command = new ArrayList<>();
        var builder = new ProcessBuilder();
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("CATALINA_") || k.startsWith("JETTY_") || k.equals("JAVA_OPTS")
                || k.equals("JRE_HOME") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        env.put("JAVA_HOME", JAVA_HOME.toString());
        List<String> jvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED",
                // A crash report where the test can find it (the JVM's default is its working directory).
                "-XX:ErrorFile=" + base.resolve("logs/hs_err_pid%p.log")));
        // -Dhttpy.python.malloc=debug on the test run reaches the servers' Python (see CPython).
        String malloc = System.getProperty("httpy.python.malloc");
        if (malloc != null && !malloc.isBlank()) {
            jvm.add("-Dhttpy.python.malloc=" + malloc);
        }
        jvm.addAll(jvmOptions);
        if (kind == Kind.TOMCAT) {
            env.put("CATALINA_HOME", TOMCAT_HOME.toString());
            env.put("CATALINA_BASE", base.toString());
            env.put("CATALINA_OPTS", String.join(" ", jvm));
            // catalina.sh run ends in exec: the process we start is Tomcat's JVM itself.
            command.addAll(List.of("bash", TOMCAT_HOME.resolve("bin/catalina.sh").toString(), "run"));
        } else {
            command.add(JAVA_HOME.resolve("bin/java").toString());
            command.addAll(jvm);
            // Jetty's default is java.io.tmpdir=/tmp; keep the unpacked Python inside this base.
            command.add("-Djava.io.tmpdir=" + base.resolve("temp"));
            command.addAll(List.of("-jar", JETTY_HOME.resolve("start.jar").toString(),
                    "jetty.http.host=127.0.0.1", "jetty.http.port=" + port,
                    // Like the Tomcat bases: webapps/ is checked every second, so a test can deploy and undeploy.
                    "jetty.deploy.scanInterval=1"));
            command.addAll(jettyProperties);
            command.addAll(jettyXml);
        }
        try {
            Files.createDirectories(base.resolve("logs"));
            process = builder.command(command).directory(base.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + this + ": " + command, e);
        }
        RUNNING.add(this);
        return this;
    }

    /** Polls {@code path} until it answers {@code status} (or the server dies, or 120 s pass). */
    public HttpResponse<String> awaitStatus(String path, int status) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(this + " exited with code " + process.exitValue() + " while waiting for "
                        + status + " from " + path + "; its log ends:\n" + logTail(60));
            }
            try {
                var response = CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == status) {
                    return response;
                }
                last = "status " + response.statusCode();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            sleep(100);
        }
        throw new AssertionError(this + ": " + path + " did not answer " + status + " within " + START_TIMEOUT
                + " (last: " + last + "); its log ends:\n" + logTail(60));
    }

    /** SIGTERM, then SIGKILL after 15 s; waits for the process (and any child it started) to end. */
    public Stopped stop() {
        if (process == null) {
            return new Stopped(Duration.ZERO, false, 0);
        }
        children = process.descendants().toList();
        long start = System.nanoTime();
        boolean killed = false;
        try {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                killed = true;
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        children.forEach(ProcessHandle::destroyForcibly);
        RUNNING.remove(this);
        return new Stopped(took, killed, process.isAlive() ? -1 : process.exitValue());
    }

    private void kill() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
        RUNNING.remove(this);
    }

    /** The resident set size of the server's JVM, from {@code /proc/<pid>/status}, in KiB. */
    public long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            throw new IllegalStateException("no VmRSS for " + this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code jcmd <pid> <command...>} and returns its output. */
    public String jcmd(String... command) {
        List<String> line = new ArrayList<>(List.of(JAVA_HOME.resolve("bin/jcmd").toString(), Long.toString(pid())));
        line.addAll(List.of(command));
        try {
            Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
                jcmd.destroyForcibly();
                throw new IllegalStateException(String.join(" ", line) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The number in KiB after {@code label} ... {@code used} in {@code GC.heap_info} output. */
    static long usedKib(String heapInfo, String label) {
        Matcher m = Pattern.compile(label + "[^\\n]*?used (\\d+)K").matcher(heapInfo);
        if (!m.find()) {
            throw new IllegalStateException("no '" + label + " ... used NK' in:\n" + heapInfo);
        }
        return Long.parseLong(m.group(1));
    }

    /** Live instances of {@code className} after a full GC ({@code GC.class_histogram} collects first). */
    public long liveInstances(String className) {
        Matcher m = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "(\\s|$)",
                Pattern.MULTILINE).matcher(jcmd("GC.class_histogram"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Fails with the end of its log and of any JVM crash report when the server process has exited. */
    public void assertAlive() {
        if (process != null && !process.isAlive()) {
            var crash = new StringBuilder();
            try (var files = Files.list(base.resolve("logs"))) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList()) {
                    crash.append("\n").append(file).append(":\n")
                            .append(String.join("\n", Files.readAllLines(file).stream().limit(40).toList()));
                }
            } catch (IOException e) {
                crash.append("\n(no crash report: ").append(e).append(')');
            }
            throw new AssertionError(this + " exited with code " + process.exitValue() + "; its log ends:\n"
                    + logTail(60) + crash);
        }
    }

    public Path consoleLog() {
        return base.resolve("logs/console.log");
    }

    /** Everything the server has printed so far. */
    public String log() {
        try {
            return Files.exists(consoleLog()) ? Files.readString(consoleLog(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Tomcat's per-host log ({@code logs/localhost.<date>.log}), where it writes what the web apps
     * log through their ServletContext and why one failed to start; empty for Jetty.
     */
    public String hostLog() {
        try (var files = Files.list(base.resolve("logs"))) {
            var text = new StringBuilder();
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("localhost.")).sorted().toList()) {
                text.append(Files.readString(file, StandardCharsets.UTF_8));
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString() {
        return kind.name().charAt(0) + kind.name().substring(1).toLowerCase() + " '" + name + "' on port " + port
                + (process == null ? "" : " (pid " + process.pid() + ")");
    }

    private void prepareTomcat() {
        try {
            deleteTree(base);
            for (String dir : List.of("conf", "logs", "temp", "webapps", "work")) {
                Files.createDirectories(base.resolve(dir));
            }
            try (var conf = Files.list(TOMCAT_HOME.resolve("conf"))) {
                for (Path file : conf.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
                }
            }
            Path serverXml = base.resolve("conf/server.xml");
            String xml = Files.readString(serverXml);
            xml = replaceOnce(xml, "<Server port=\"8005\"", "<Server port=\"-1\"");
            xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                    "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
            xml = replaceOnce(xml, "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                    "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
            Files.writeString(serverXml, xml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a Tomcat base at " + base + " from " + TOMCAT_HOME, e);
        }
    }

    private void prepareJetty() {
        try {
            deleteTree(base);
            for (String dir : List.of("logs", "temp", "work")) {
                Files.createDirectories(base.resolve(dir));
            }
            Path log = base.resolve("logs/add-modules.log");
            Process add = new ProcessBuilder(JAVA_HOME.resolve("bin/java").toString(), "-jar",
                    JETTY_HOME.resolve("start.jar").toString(), "--add-modules=" + JETTY_MODULES)
                    .directory(base.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!add.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || add.exitValue() != 0) {
                add.destroyForcibly();
                throw new AssertionError("jetty --add-modules=" + JETTY_MODULES + " failed in " + base + ":\n"
                        + Files.readString(log));
            }
            Files.createDirectories(webapps());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a Jetty base at " + base + " from " + JETTY_HOME, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String replaceOnce(String text, String old, String replacement) {
        int at = text.indexOf(old);
        if (at < 0 || text.indexOf(old, at + 1) >= 0) {
            throw new IllegalStateException("expected exactly one '" + old + "' in Tomcat's server.xml");
        }
        return text.substring(0, at) + replacement + text.substring(at + old.length());
    }

    static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
