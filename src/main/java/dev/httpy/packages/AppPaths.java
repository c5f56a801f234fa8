package dev.httpy.packages;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a web app's Python code and packages are, in their {@code sys.path} order, all before the
 * standard library.
 *
 * @param code     the app's own directories ({@code python.path}); in the main interpreter their
 *                 modules are dropped when the app stops
 * @param siteDirs installed packages ({@code WEB-INF/python-packages}), added as site directories
 *                 so that their {@code .pth} files work
 * @param packages package trees from jars ({@link JarPackages})
 */
public record AppPaths(List<Path> code, List<Path> siteDirs, List<Path> packages) {
    public AppPaths {
        code = normal(code);
        siteDirs = normal(siteDirs);
        packages = normal(packages);
    }

    /** Only the app's own directories. */
    public static AppPaths of(List<Path> code) {
        return new AppPaths(code, List.of(), List.of());
    }

    public List<String> strings(List<Path> paths) {
        return paths.stream().map(Path::toString).toList();
    }

    public List<String> all() {
        return strings(Stream.of(code, siteDirs, packages).flatMap(List::stream).toList());
    }

    private static List<Path> normal(List<Path> paths) {
        return paths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }
}
