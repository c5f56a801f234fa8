import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waiting handlers against quick ones (bench/waiting.sh runs it): WAITERS requests at once to a
 * handler that sleeps SECONDS (standing for a database or HTTP call), and QUICK quick requests sent
 * one after another while they wait. Prints, per round, how long all the waiters took and the
 * quick requests' latencies, as a Markdown table. JDK only; talks to the URLs it is given, which
 * the script points at a Tomcat it started on 127.0.0.1.
 *
 * Usage: java bench/WaitingHandlers.java SLEEP_URL QUICK_URL WAITERS ROUNDS
 */
public class WaitingHandlers {
    public static void main(String[] args) throws Exception {
        URI sleep = URI.create(args[0]);
        URI quick = URI.create(args[1]);
        int waiters = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        System.out.println("| round | waiters | all waiters done (s) | waiter errors | quick requests | quick p50 (ms) | quick max (ms) | quick errors |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        int failures = 0;
        for (int round = 1; round <= rounds; round++) {
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> sleeping = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                sleeping.add(client.sendAsync(HttpRequest.newBuilder(sleep).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            var all = CompletableFuture.allOf(sleeping.toArray(CompletableFuture[]::new));
            Thread.sleep(100); // the waiters are in their handlers
            List<Double> quickMillis = new ArrayList<>();
            int quickErrors = 0;
            while (!all.isDone() && quickMillis.size() + quickErrors < 1000) {
                long q = System.nanoTime();
                try {
                    var response = client.send(HttpRequest.newBuilder(quick).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        quickMillis.add((System.nanoTime() - q) / 1e6);
                    } else {
                        quickErrors++;
                    }
                } catch (Exception e) {
                    quickErrors++;
                }
                Thread.sleep(20);
            }
            int waiterErrors = 0;
            for (var f : sleeping) {
                try {
                    if (f.get().statusCode() != 200) {
                        waiterErrors++;
                    }
                } catch (Exception e) {
                    waiterErrors++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] sorted = quickMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("| %d | %d | %.2f | %d | %d | %s | %s | %d |%n", round, waiters, seconds, waiterErrors,
                    sorted.length, sorted.length == 0 ? "-" : String.format("%.1f", sorted[sorted.length / 2]),
                    sorted.length == 0 ? "-" : String.format("%.1f", sorted[sorted.length - 1]), quickErrors);
            failures += waiterErrors + quickErrors;
            Thread.sleep(1000);
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
