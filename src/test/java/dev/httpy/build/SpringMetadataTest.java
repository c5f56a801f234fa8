package dev.httpy.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.httpy.servlet.RuntimeSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The httpy.* metadata comes from docs/parameters.md's Parameters tables, which must name every setting
 * the code reads; README.md's table of the properties is made from them too.
 */
class SpringMetadataTest {
    private static final Path PARAMETERS = Path.of("docs/parameters.md");

    @Test
    void theParametersTablesNameEverySettingTheCodeReadsAndNoOther() throws Exception {
        var documented = SpringMetadata.settings(Files.readString(PARAMETERS)).keySet().stream()
                .map(name -> "python." + name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(RuntimeSettings.names()), documented);
    }

    @Test
    void eachPropertyIsTheSettingUnderHttpyWithItsDefaultAndMeaning() throws Exception {
        String json = SpringMetadata.json(SpringMetadata.settings(Files.readString(PARAMETERS)));
        assertTrue(json.contains("{\"name\": \"httpy.workers\", \"type\": \"java.lang.String\", \"description\": \"Python worker threads kept warm"), json);
        assertTrue(json.contains("\"defaultValue\": \"4\"}"), json);
        assertTrue(json.contains("{\"name\": \"httpy.path\", \"type\": \"java.lang.String\", \"description\": \"Comma-separated classpath:"), json);
        assertTrue(json.contains("\"defaultValue\": \"classpath:/python/\""), json);
        // A default that is prose, "(none)", is left out rather than given as a value.
        assertTrue(json.contains("{\"name\": \"httpy.init\", \"type\": \"java.lang.String\", \"description\""), json);
        assertTrue(!json.contains("\"defaultValue\": \"(none)\""), json);
        for (String name : Set.of("handler", "wsgi", "asgi", "start-timeout", "beans")) {
            assertTrue(json.contains("\"name\": \"httpy." + name + "\""), name);
        }
    }

    @Test
    void theReadmesTableOfPropertiesIsTheOneTheParametersMake() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertEquals(SpringMetadata.withTable(readme, Files.readString(PARAMETERS)), readme,
                "README.md's httpy.* table is stale: run SpringMetadata --readme README.md docs/parameters.md"
                        + " (README.md, \"Repository\")");
        assertTrue(readme.contains("| `httpy.workers` | `4` | `python.workers` |"), readme);
        assertTrue(readme.contains("| `httpy.path` | `classpath:/python/` | `python.path`: "), readme);
    }
}
