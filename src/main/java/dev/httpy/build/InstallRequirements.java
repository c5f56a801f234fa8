package dev.httpy.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.httpy.packages.JarTrees;
import dev.httpy.packages.PythonInstallation;

/**
 * The build step that installs a web app's {@code requirements.txt} into the WAR's
 * {@code WEB-INF/python-packages}, with the embedded CPython's own pip, so the packages are wheels
 * for exactly the Python that runs them (CPython 3.14, Linux x86_64).
 *
 * <p>Run by {@code exec-maven-plugin}'s {@code java} goal in {@code prepare-package} (docs/packages.md,
 * "Python packages"): {@code InstallRequirements <requirements.txt> <WEB-INF/python-packages>}.
 * pip's own environment variables ({@code PIP_INDEX_URL}, {@code PIP_EXTRA_INDEX_URL},
 * {@code PIP_FIND_LINKS}, {@code PIP_NO_INDEX}, ...) reach it, so a private index or an offline
 * wheelhouse works; hash-pinned requirements are checked as pip checks them. Only wheels are
 * taken: nothing is compiled during the build.
 *
 * <p>Without a requirements file it says so and does nothing. It installs again only when the
 * requirements file, those variables or the Python changed: a stamp in the target directory
 * records what the last install was made from. A failed install leaves the previous one in place.
 */
public final class InstallRequirements {
    static final String STAMP = ".httpy-requirements";
    /**
     * Which Python the packages were installed for: its {@code SOABI} ({@code cpython-314-x86_64-linux-gnu}).
     * A web app that runs another Python leaves them off its {@code sys.path} (PythonLifecycleListener).
     */
    public static final String BUILT_FOR = ".httpy-python";
    /** The environment variables that change what pip installs from the same requirements file. */
    static final List<String> PIP_VARIABLES = List.of("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS",
            "PIP_NO_INDEX", "PIP_CONFIG_FILE", "PIP_CONSTRAINT", "PIP_PRE", "PIP_ONLY_BINARY", "PIP_NO_BINARY");

    private InstallRequirements() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: InstallRequirements <requirements.txt> <target directory>,"
                    + " for example python/requirements.txt target/<finalName>/WEB-INF/python-packages");
        }
        Path requirements = Path.of(args[0]).toAbsolutePath().normalize();
        Path target = Path.of(args[1]).toAbsolutePath().normalize();
        if (!Files.isRegularFile(requirements)) {
            System.out.println("httpy: no " + requirements + ", so no Python packages to install");
            if (Files.isRegularFile(target.resolve(STAMP))) {
                JarTrees.deleteTree(target);
                System.out.println("httpy: removed " + target + ", installed from a requirements file that is gone");
            }
            return;
        }
        String stamp = stamp(requirements, System.getenv());
        Path stampFile = target.resolve(STAMP);
        if (Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)) {
            System.out.println("httpy: " + requirements.getFileName() + " is unchanged since the last install into "
                    + target + "; not installing again");
            return;
        }
        String platform = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        if (!platform.equals("Linux amd64")) {
            throw new IllegalStateException("the embedded CPython is built for Linux x86_64 and this build runs on "
                    + platform + "; build the WAR on Linux x86_64 (a container will do)");
        }
        var python = PythonInstallation.embedded(InstallRequirements.class.getClassLoader(),
                Path.of(System.getProperty("java.io.tmpdir")));
        install(python.executable(), requirements, target, stamp);
    }

    /**
     * Installs into a fresh directory beside {@code target} and only then replaces it, so packages
     * dropped from the requirements disappear and a failure keeps the last good install.
     */
    static void install(Path python, Path requirements, Path target, String stamp) throws IOException, InterruptedException {
        Files.createDirectories(target.getParent());
        Path staging = target.resolveSibling(target.getFileName() + ".installing");
        JarTrees.deleteTree(staging);
        List<String> command = List.of(python.toString(), "-I", "-m", "pip", "install",
                "--target", staging.toString(), "--requirement", requirements.toString(),
                "--only-binary", ":all:", "--no-input", "--disable-pip-version-check", "--no-warn-script-location",
                "--root-user-action", "ignore");
        System.out.println("httpy: installing " + requirements + " into " + target + " with " + python + " -m pip"
                + pipSettings(System.getenv()));
        long started = System.nanoTime();
        var builder = new ProcessBuilder(command).inheritIO();
        // The embedded Python must not pick up another Python's settings from the build's environment.
        builder.environment().keySet().removeIf(name -> name.startsWith("PYTHON"));
        int exit = builder.start().waitFor();
        if (exit != 0) {
            JarTrees.deleteTree(staging);
            throw new IllegalStateException("pip could not install " + requirements + " (exit " + exit + ", its"
                    + " message is above). Without PyPI, point pip at a wheel directory with PIP_NO_INDEX=1 and"
                    + " PIP_FIND_LINKS=<dir>, or at a private index with PIP_INDEX_URL; " + target + " is unchanged");
        }
        JarTrees.deleteTree(staging.resolve("bin"));
        Files.writeString(staging.resolve(BUILT_FOR), soabi(python) + "\n");
        Files.writeString(staging.resolve(STAMP), stamp);
        JarTrees.deleteTree(target);
        Files.move(staging, target);
        System.out.printf("httpy: installed %s into %s in %.1f s%n", requirements.getFileName(), target,
                (System.nanoTime() - started) / 1e9);
    }

    /** The Python's SOABI, as its sysconfig gives it. */
    static String soabi(Path python) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(python.toString(), "-I", "-c",
                "import sysconfig; print(sysconfig.get_config_var('SOABI'))").redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("PYTHON"));
        var process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0 || !out.startsWith("cpython-")) {
            throw new IllegalStateException(python + " did not tell its SOABI: " + out);
        }
        return out;
    }

    /** What an install depends on: the requirements file's bytes, pip's variables and this class's Python. */
    static String stamp(Path requirements, Map<String, String> environment) throws IOException {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(requirements));
            for (String name : PIP_VARIABLES) {
                digest.update((name + "=" + environment.getOrDefault(name, "") + "\n").getBytes(StandardCharsets.UTF_8));
            }
            digest.update(PythonInstallation.EMBEDDED_ARTIFACT.getBytes(StandardCharsets.UTF_8));
            digest.update(BUILT_FOR.getBytes(StandardCharsets.UTF_8)); // installs before it wrote none

            return HexFormat.of().formatHex(digest.digest()) + "\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Which of pip's variables are set, by name only: an index URL may carry a password. */
    private static String pipSettings(Map<String, String> environment) {
        List<String> set = PIP_VARIABLES.stream().filter(environment::containsKey).toList();
        return set.isEmpty() ? "" : " (with " + String.join(", ", set) + " set)";
    }
}
