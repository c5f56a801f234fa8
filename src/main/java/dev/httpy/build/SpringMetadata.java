package dev.httpy.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes {@code META-INF/spring-configuration-metadata.json}, which IDEs read to complete and
 * document the {@code httpy.*} properties of a Spring Boot application, from the "Parameters"
 * tables of docs/parameters.md, where each {@code python.<name>} setting has its default and
 * meaning: the properties are those settings under the prefix {@code httpy.}, so the two never drift.
 *
 * <p>Run by {@code exec-maven-plugin} in {@code prepare-package}:
 * {@code SpringMetadata <docs/parameters.md> <target/classes/META-INF/spring-configuration-metadata.json>};
 * and by hand, {@code SpringMetadata --readme README.md docs/parameters.md}, for README.md's table of them.
 */
public final class SpringMetadata {
    private static final Pattern ROW = Pattern.compile("^\\| `python\\.([a-z-]+)` \\| ([^|]*) \\| (.*) \\|$");
    private static final Pattern SECTION = Pattern.compile("^## Parameters[ \\t]*$", Pattern.MULTILINE);
    private static final Pattern NEXT_SECTION = Pattern.compile("^## ", Pattern.MULTILINE);
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");
    /** Where a Boot application differs from a WAR. */
    private static final Map<String, String[]> BOOT = Map.of(
            "path", new String[] {"classpath:/python/", "Comma-separated classpath: entries or directories holding"
                    + " the Python app; a classpath: entry inside a jar is copied out once under java.io.tmpdir."},
            "beans", new String[] {"", "Comma-separated Spring bean names exposed to the app's Python as"
                    + " httpy.java(name); only their @PythonExposed methods are callable."},
            "packages", new String[] {"classpath:/python-packages/", "The installed packages' directory: a"
                    + " classpath: entry (where the build step installs requirements.txt in a Boot project, copied out"
                    + " of a fat jar once) or a directory; by default used when the class path has it."});
    /** The lines around README.md's table of {@code httpy.*} properties, which {@link #markdown} writes. */
    static final String TABLE_START = "<!-- The httpy.* properties, generated from docs/parameters.md by"
            + " dev.httpy.build.SpringMetadata --readme README.md docs/parameters.md; do not edit. -->";
    static final String TABLE_END = "<!-- end of the generated table -->";

    private SpringMetadata() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("--readme")) {
            Path readme = Path.of(args[1]);
            Files.writeString(readme, withTable(Files.readString(readme, StandardCharsets.UTF_8),
                    Files.readString(Path.of(args[2]), StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            return;
        }
        if (args.length != 2 || args[0].equals("--readme")) {
            throw new IllegalArgumentException("usage: SpringMetadata <docs/parameters.md> <output .json>"
                    + " | SpringMetadata --readme <README.md> <docs/parameters.md>");
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json(settings(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8))));
    }

    /**
     * Each setting's name (without {@code python.}) to its default and meaning, as the tables of the
     * "## Parameters" section of {@code parameters} (docs/parameters.md) give them, up to the next
     * "## " heading or the end.
     */
    static Map<String, String[]> settings(String parameters) {
        var heading = SECTION.matcher(parameters);
        if (!heading.find()) {
            throw new IllegalArgumentException("docs/parameters.md has no \"## Parameters\" section");
        }
        var next = NEXT_SECTION.matcher(parameters);
        int end = next.find(heading.end()) ? next.start() : parameters.length();
        Map<String, String[]> settings = new LinkedHashMap<>();
        for (String line : parameters.substring(heading.start(), end).split("\n")) {
            var row = ROW.matcher(line);
            if (row.matches()) {
                settings.put(row.group(1), BOOT.getOrDefault(row.group(1),
                        new String[] {plain(row.group(2)), plain(row.group(3))}));
            }
        }
        return settings;
    }

    /**
     * The table of {@code httpy.*} properties for README.md's Spring Boot section: each setting's
     * property, its default in a Boot application and the context-param it is.
     */
    static String markdown(Map<String, String[]> settings) {
        var table = new StringBuilder("| property | default | the WAR's setting |\n| --- | --- | --- |\n");
        settings.forEach((name, row) -> table.append("| `httpy.").append(name).append("` | ")
                .append(row[0].isEmpty() ? "(none)" : row[0].startsWith("(") ? row[0]
                        : row[0].replaceFirst("^(\\S+)", "`$1`"))
                .append(" | `python.").append(name).append('`')
                .append(BOOT.containsKey(name) ? ": " + BOOT.get(name)[1] : "").append(" |\n"));
        return table.toString();
    }

    /**
     * {@code readme} with the table between {@link #TABLE_START} and {@link #TABLE_END} made from
     * the Parameters of {@code parameters} (docs/parameters.md).
     */
    static String withTable(String readme, String parameters) {
        int start = readme.indexOf(TABLE_START);
        int end = readme.indexOf(TABLE_END);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("README.md lacks the lines " + TABLE_START + " and " + TABLE_END);
        }
        return readme.substring(0, start + TABLE_START.length()) + "\n" + markdown(settings(parameters))
                + readme.substring(end);
    }

    private static String plain(String markdown) {
        return LINK.matcher(markdown).replaceAll("\"$1\"").replace("`", "").replace("**", "").strip();
    }

    static String json(Map<String, String[]> settings) {
        var json = new StringBuilder("{\n  \"groups\": [\n    {\"name\": \"httpy\", \"description\": \"httpy: Python apps in")
                .append(" this application's servlet container; each property is the WAR's python.<name> setting.\"}\n")
                .append("  ],\n  \"properties\": [\n");
        var rows = settings.entrySet().iterator();
        while (rows.hasNext()) {
            var setting = rows.next();
            String defaultValue = setting.getValue()[0];
            json.append("    {\"name\": \"httpy.").append(setting.getKey()).append("\", \"type\": \"java.lang.String\"")
                    .append(", \"description\": \"").append(escape(setting.getValue()[1])).append('"');
            if (!defaultValue.isEmpty() && !defaultValue.startsWith("(")) {
                json.append(", \"defaultValue\": \"").append(escape(defaultValue)).append('"');
            }
            json.append('}').append(rows.hasNext() ? ",\n" : "\n");
        }
        return json.append("  ]\n}\n").toString();
    }

    private static String escape(String text) {
        var out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
