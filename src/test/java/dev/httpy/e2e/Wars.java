package dev.httpy.e2e;

import java.nio.file.Path;

import dev.httpy.it.ItWar;

/** The WAR files the end-to-end tests copy into the servers' {@code webapps/}. */
final class Wars {
    private static Path itWar;

    private Wars() {
    }

    /** The integration-test WAR ({@link ItWar}) as a file, written once per test run. */
    static synchronized Path itWar() {
        if (itWar == null) {
            itWar = ItWar.export(ServerProcess.SERVERS.resolve("wars/it.war"));
        }
        return itWar;
    }
}
