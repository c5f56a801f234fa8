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
 * document the {@code httpy.*} properties of a Spring Boot application, from README.md's
 * "Parameters" tables, where each {@code python.<name>} setting has its default and meaning: the
 * properties are those settings under the prefix {@code httpy.}, so the two never drift.
 *
 * <p>Run by {@code exec-maven-plugin} in {@code prepare-package}:
 * {@code SpringMetadata <README.md> <target/classes/META-INF/spring-configuration-metadata.json>}.
 */
public final class SpringMetadata {
    private static final Pattern ROW = Pattern.compile("^\\| `python\\.([a-z-]+)` \\| ([^|]*) \\| (.*) \\|$");
    /** Where a Boot application differs from a WAR. */
    private static final Map<String, String[]> BOOT = Map.of(
            "path", new String[] {"classpath:/python/", "Comma-separated classpath: entries or directories holding"
                    + " the Python app; a classpath: entry inside a jar is copied out once under java.io.tmpdir."},
            "beans", new String[] {"", "Comma-separated Spring bean names exposed to the app's Python as"
                    + " httpy.java(name); only their @PythonExposed methods are callable."});

    private SpringMetadata() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SpringMetadata <README.md> <output .json>");
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json(settings(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8))));
    }

    /** Each setting's name (without {@code python.}) to its default and meaning, as the README's tables give them. */
    static Map<String, String[]> settings(String readme) {
        int start = readme.indexOf("\n## Parameters");
        int end = readme.indexOf("\n## ", start + 1);
        if (start < 0) {
            throw new IllegalArgumentException("README.md has no \"## Parameters\" section");
        }
        Map<String, String[]> settings = new LinkedHashMap<>();
        for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
            var row = ROW.matcher(line);
            if (row.matches()) {
                settings.put(row.group(1), BOOT.getOrDefault(row.group(1),
                        new String[] {plain(row.group(2)), plain(row.group(3))}));
            }
        }
        return settings;
    }

    private static String plain(String markdown) {
        return markdown.replace("`", "").replace("**", "").strip();
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
