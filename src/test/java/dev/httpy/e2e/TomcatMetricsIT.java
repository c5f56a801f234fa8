package dev.httpy.e2e;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.servlet.PythonFilterMXBean;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter's figures read as an operator reads them: over JMX from a real Tomcat, after
 * answers of each kind (200, 500, 413).
 */
class TomcatMetricsIT {

    @Test
    void theFiltersMBeanCountsWhatItServed() throws Exception {
        int jmxPort;
        try (var probe = new ServerSocket(0)) {
            jmxPort = probe.getLocalPort();
        }
        try (var server = ServerProcess.tomcat("tomcat-metrics", "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort, "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1")) {
            server.deploy(Wars.itWar(), "it");
            server.start().awaitStatus("/it/python", 200);
            for (int i = 0; i < 20; i++) {
                assertEquals(200, HttpClientSupport.get(server.uri("/it/python")).statusCode());
            }
            assertEquals(500, HttpClientSupport.get(server.uri("/it/fail/exit")).statusCode());
            try (var socket = new Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write(("POST /it/inspect HTTP/1.1\r\nHost: localhost\r\nContent-Length: 20000000\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 413", answer);
            }

            var url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (var connector = JMXConnectorFactory.connect(url)) {
                var name = new ObjectName("dev.httpy:type=PythonDispatchFilter,context=/it,name=python");
                var bean = JMX.newMXBeanProxy(connector.getMBeanServerConnection(), name, PythonFilterMXBean.class);
                long requests = bean.getRequests();
                // awaitStatus's own requests count too: at least the 22 here.
                assertTrue(requests >= 22, "requests " + requests);
                assertEquals(1, bean.getFailed());
                assertEquals(1, bean.getTooLarge());
                assertEquals(0, bean.getRefused());
                assertEquals(0, bean.getTimedOut());
                assertEquals(0, bean.getInFlight());
                assertEquals(0, bean.getQueued());
                assertTrue(bean.getWorkersTotal() >= 4, "workers " + bean.getWorkersTotal());
                double p50 = bean.getLatencyP50Millis();
                double p99 = bean.getLatencyP99Millis();
                assertTrue(p50 > 0 && p50 <= p99 && p99 < 10_000, "p50 " + p50 + ", p99 " + p99);
                assertEquals(requests, bean.getAnswered(), "every request answered");
                assertTrue(bean.getLatencyTotalMillis() > 0);
                // Each request reached Python on a worker or a request thread: a take of the GIL each at least.
                assertTrue(bean.getGilAcquisitions() >= requests - 1, "acquisitions " + bean.getGilAcquisitions());
                assertTrue(bean.getGilWaitMillis() > 0, "waited " + bean.getGilWaitMillis());
            }
            assertFalse(server.log().contains("Micrometer"), "without Micrometer, nothing about it:\n" + server.logTail(30));
        }
    }
}
