package dev.httpy.function;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestPartsTest {

    /**
     * A request that answers only getHeaderNames and getHeaders, from header names mapped to their
     * values in the order given; every other method throws.
     */
    private static HttpServletRequest requestWithHeaders(Map<String, List<String>> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(RequestPartsTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                    case "getHeaders" -> Collections.enumeration(headers.getOrDefault((String) args[0], List.of()));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    // query

    @Test
    void nullQueryIsEmpty() {
        assertEquals(Map.of(), RequestParts.query(null));
    }

    @Test
    void emptyQueryIsEmpty() {
        assertEquals(Map.of(), RequestParts.query(""));
    }

    @Test
    void repeatedKeysKeepTheirValuesInOrder() {
        // given / when
        Map<String, List<String>> query = RequestParts.query("tag=a&tag=b&x=1");
        // then
        assertEquals(Map.of("tag", List.of("a", "b"), "x", List.of("1")), query);
        assertEquals(List.of("tag", "x"), new ArrayList<>(query.keySet()));
    }

    @Test
    void keysKeepTheOrderTheyFirstAppearIn() {
        // given / when
        Map<String, List<String>> query = RequestParts.query("z=1&a=2&m=3&a=4");
        // then
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(query.keySet()));
    }

    @Test
    void plusDecodesToSpace() {
        assertEquals(Map.of("q", List.of("hello world")), RequestParts.query("q=hello+world"));
    }

    @Test
    void percentEncodingDecodesAsUtf8() {
        assertEquals(Map.of("name", List.of("é")), RequestParts.query("name=%C3%A9"));
    }

    @Test
    void keysAreDecodedToo() {
        assertEquals(Map.of("caf é", List.of("1")), RequestParts.query("caf+%C3%A9=1"));
    }

    @Test
    void keyWithoutEqualsSignHasEmptyValue() {
        assertEquals(Map.of("flag", List.of("")), RequestParts.query("flag"));
    }

    @Test
    void emptyPairsAreSkipped() {
        // given / when
        Map<String, List<String>> query = RequestParts.query("a=1&&b=2&");
        // then
        assertEquals(Map.of("a", List.of("1"), "b", List.of("2")), query);
    }

    @Test
    void valueKeepsEqualsSignsAfterTheFirst() {
        assertEquals(Map.of("a", List.of("b=c")), RequestParts.query("a=b=c"));
    }

    @Test
    void invalidPercentEscapeIsAnErrorNamingTheBadPart() {
        // given / when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RequestParts.query("a=%zz"));
        // then
        assertContains(e.getMessage(), "%zz");
    }

    @Test
    void truncatedPercentEscapeIsAnErrorNamingTheBadPart() {
        // given / when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RequestParts.query("ok=1&a=%"));
        // then
        assertContains(e.getMessage(), "\"%\"");
    }

    @Test
    void invalidPercentEscapeInKeyIsAnErrorNamingTheBadPart() {
        // given / when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RequestParts.query("%g1=x"));
        // then
        assertContains(e.getMessage(), "%g1");
    }

    @Test
    void thousandParametersAreAllParsed() {
        // given
        var raw = new StringBuilder();
        var expected = new LinkedHashMap<String, List<String>>();
        for (int i = 0; i < 1000; i++) {
            raw.append(i == 0 ? "" : "&").append("k").append(i).append('=').append(i);
            expected.put("k" + i, List.of(String.valueOf(i)));
        }
        // when
        Map<String, List<String>> query = RequestParts.query(raw.toString());
        // then
        assertEquals(expected, query);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(query.keySet()));
    }

    // canonicalName

    @Test
    void lowerCaseNameIsCapitalisedPerWord() {
        assertEquals("Content-Type", RequestParts.canonicalName("content-type"));
    }

    @Test
    void upperCaseNameIsLoweredAfterEachWordStart() {
        assertEquals("X-Forwarded-For", RequestParts.canonicalName("X-FORWARDED-FOR"));
    }

    @Test
    void singleWordNameIsCapitalised() {
        assertEquals("Host", RequestParts.canonicalName("host"));
    }

    // headers

    @Test
    void headerNamesDifferingInCaseMergeUnderTheCanonicalNameInOrder() {
        // given
        var given = new LinkedHashMap<String, List<String>>();
        given.put("x-tag", List.of("a"));
        given.put("X-Tag", List.of("b"));
        HttpServletRequest request = requestWithHeaders(given);
        // when
        Map<String, List<String>> headers = RequestParts.headers(request);
        // then
        assertEquals(Map.of("X-Tag", List.of("a", "b")), headers);
    }

    @Test
    void repeatedHeaderKeepsAllItsValues() {
        // given
        var given = new LinkedHashMap<String, List<String>>();
        given.put("accept", List.of("text/html", "application/json"));
        given.put("host", List.of("example.org"));
        // when
        Map<String, List<String>> headers = RequestParts.headers(requestWithHeaders(given));
        // then
        assertEquals(Map.of("Accept", List.of("text/html", "application/json"), "Host", List.of("example.org")),
                headers);
        assertEquals(List.of("Accept", "Host"), new ArrayList<>(headers.keySet()));
    }
}
