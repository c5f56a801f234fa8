package dev.httpy.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;

/**
 * Checks a manifest against the Kubernetes API's types, offline: the official Java client's models
 * (io.kubernetes:client-java-api), which are generated from the API's OpenAPI spec. Reading a manifest
 * through them refuses a field the type does not have ({@code readinesProbe}), a required field left
 * out, an object or list where the type wants another kind, and text where it wants a number
 * ({@code failureThreshold: many}). The API server refuses the same (kubectl applies with strict field
 * validation by default). One gap of the models is closed here: they read {@code "45"} as the number
 * 45 and {@code true} as the text "true", which the API server refuses.
 */
final class KubernetesApiTypes {
    /** The types of the manifests in tomcat-docker/k8s/, by "apiVersion kind"; add one for a new kind. */
    private static final Map<String, Class<?>> TYPES = Map.of(
            "apps/v1 Deployment", V1Deployment.class,
            "v1 Service", V1Service.class);

    private KubernetesApiTypes() {
    }

    /** What the API server would refuse in this manifest (one YAML document, as SnakeYAML loads it); empty when valid. */
    static List<String> problems(Map<?, ?> manifest) {
        String kind = manifest.get("apiVersion") + " " + manifest.get("kind");
        Class<?> type = TYPES.get(kind);
        if (type == null) {
            return List.of(kind + ": no type for it in KubernetesApiTypes.TYPES; add its model class there");
        }
        JsonElement written = new Gson().toJsonTree(manifest);
        Object read;
        try {
            read = JSON.getGson().fromJson(written, type);
        } catch (RuntimeException refused) {
            // The models' message ends with the whole object in question; the field's name comes before it.
            return List.of(kind + ": " + String.valueOf(refused.getMessage()).replaceFirst("(?s) JSON: .*", ""));
        }
        var problems = new ArrayList<String>();
        sameKinds(kind, written, JSON.getGson().toJsonTree(read), problems);
        return problems;
    }

    /**
     * A value must come back of the JSON kind it was written as: a number as a number, a boolean as a
     * boolean. A number may come back as text, which is how the models keep a quantity ({@code cpu: 1})
     * and a port that may be a name ({@code port: 8080}); the API takes numbers there.
     */
    private static void sameKinds(String where, JsonElement written, JsonElement read, List<String> problems) {
        if (written.isJsonObject() && read.isJsonObject()) {
            for (var field : written.getAsJsonObject().entrySet()) {
                JsonElement back = read.getAsJsonObject().get(field.getKey());
                if (back != null) {
                    sameKinds(where + "." + field.getKey(), field.getValue(), back, problems);
                }
            }
        } else if (written.isJsonArray() && read.isJsonArray()) {
            var writtenItems = written.getAsJsonArray();
            var readItems = read.getAsJsonArray();
            for (int i = 0; i < Math.min(writtenItems.size(), readItems.size()); i++) {
                sameKinds(where + "[" + i + "]", writtenItems.get(i), readItems.get(i), problems);
            }
        } else if (written.isJsonPrimitive() && read.isJsonPrimitive()) {
            JsonPrimitive was = written.getAsJsonPrimitive();
            JsonPrimitive is = read.getAsJsonPrimitive();
            boolean same = is.isNumber() ? was.isNumber() : is.isBoolean() ? was.isBoolean() : !was.isBoolean();
            if (!same) {
                problems.add(where + ": " + was + " is " + kindOf(was) + "; the API wants " + kindOf(is) + " here");
            }
        }
    }

    private static String kindOf(JsonPrimitive value) {
        return value.isNumber() ? "a number" : value.isBoolean() ? "a boolean" : "text";
    }
}
