package dev.httpy.routing;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest {

    /** Builds a table from alternating pattern and comma-separated methods, in that order. */
    private static RouteTable table(String... patternsAndMethods) {
        Map<String, List<String>> routes = new LinkedHashMap<>();
        for (int i = 0; i < patternsAndMethods.length; i += 2) {
            routes.put(patternsAndMethods[i], Arrays.asList(patternsAndMethods[i + 1].split(",")));
        }
        return RouteTable.of(routes);
    }

    private static RouteMatch.Found found(String pattern, Map<String, List<String>> params) {
        return new RouteMatch.Found(pattern, params);
    }

    /** Asserts that building fails and that the message names every given pattern. */
    private static String rejected(Map<String, List<String>> routes, String... named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RouteTable.of(routes));
        for (String pattern : named) {
            assertTrue(e.getMessage().contains("\"" + pattern + "\""),
                    () -> "message should name " + pattern + ": " + e.getMessage());
        }
        return e.getMessage();
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    private static String rejected(String pattern) {
        return rejected(Map.of(pattern, List.of("GET")), pattern);
    }

    private static String conflict(String first, String second) {
        Map<String, List<String>> routes = new LinkedHashMap<>();
        routes.put(first, List.of("GET"));
        routes.put(second, List.of("GET"));
        return rejected(routes, first, second);
    }

    @Nested
    class Paths {

        @Test
        void staticPatternMatchesItsExactPath() {
            // given
            RouteTable routes = table("/python", "GET");
            // when
            RouteMatch match = routes.match("GET", "/python");
            // then
            assertEquals(found("/python", Map.of()), match);
        }

        @Test
        void rootPatternMatchesOnlyTheRoot() {
            // given
            RouteTable routes = table("/", "GET");
            // when / then
            assertEquals(found("/", Map.of()), routes.match("GET", "/"));
            assertSame(RouteMatch.NotFound.INSTANCE, routes.match("GET", "/x"));
        }

        @Test
        void pathMatchingNoPatternIsNotFound() {
            // given
            RouteTable routes = table("/users/:id", "GET", "/python", "GET");
            // when
            RouteMatch match = routes.match("GET", "/static/app.css");
            // then
            assertSame(RouteMatch.NotFound.INSTANCE, match);
        }

        @Test
        void prefixOfAPatternIsNotFound() {
            // given
            RouteTable routes = table("/users/list", "GET");
            // when / then
            assertSame(RouteMatch.NotFound.INSTANCE, routes.match("GET", "/users"));
        }

        @Test
        void trailingSlashMakesADifferentPath() {
            // given
            RouteTable routes = table("/a", "GET");
            // when
            RouteMatch match = routes.match("GET", "/a/");
            // then
            assertSame(RouteMatch.NotFound.INSTANCE, match);
        }

        @Test
        void staticSegmentsAreCaseSensitive() {
            // given
            RouteTable routes = table("/python", "GET");
            // when / then
            assertSame(RouteMatch.NotFound.INSTANCE, routes.match("GET", "/Python"));
        }

        @Test
        void pathWithoutLeadingSlashIsNotFound() {
            // given
            RouteTable routes = table("/", "GET");
            // when / then
            assertSame(RouteMatch.NotFound.INSTANCE, routes.match("GET", ""));
        }
    }

    @Nested
    class Parameters {

        @Test
        void parameterCapturesItsSegment() {
            // given
            RouteTable routes = table("/users/:id", "GET");
            // when
            RouteMatch match = routes.match("GET", "/users/42");
            // then
            assertEquals(found("/users/:id", Map.of("id", List.of("42"))), match);
        }

        @Test
        void parametersComeInPatternOrder() {
            // given
            RouteTable routes = table("/users/:user/posts/:post/:z/:a", "GET");
            // when
            RouteMatch.Found match = assertInstanceOf(RouteMatch.Found.class,
                    routes.match("GET", "/users/ann/posts/7/x/y"));
            // then
            assertEquals(List.of("user", "post", "z", "a"), new ArrayList<>(match.params().keySet()));
            assertEquals(List.of("7"), match.params().get("post"));
        }

        @Test
        void paramsAreUnmodifiable() {
            // given
            RouteTable routes = table("/users/:id", "GET");
            // when
            RouteMatch.Found match = assertInstanceOf(RouteMatch.Found.class, routes.match("GET", "/users/42"));
            // then
            assertThrows(UnsupportedOperationException.class, () -> match.params().put("x", List.of()));
            assertThrows(UnsupportedOperationException.class, () -> match.params().get("id").add("43"));
        }

        @Test
        void parameterDoesNotMatchAnEmptySegment() {
            // given
            RouteTable routes = table("/users/:id", "GET");
            // when
            RouteMatch match = routes.match("GET", "/users/");
            // then
            assertSame(RouteMatch.NotFound.INSTANCE, match);
        }

        @Test
        void parameterDoesNotSpanASlash() {
            // given
            RouteTable routes = table("/users/:id", "GET");
            // when
            RouteMatch match = routes.match("GET", "/users/42/posts");
            // then
            assertSame(RouteMatch.NotFound.INSTANCE, match);
        }

        @Test
        void parameterFollowedByStaticSegment() {
            // given
            RouteTable routes = table("/users/:id/posts", "GET");
            // when
            RouteMatch match = routes.match("GET", "/users/42/posts");
            // then
            assertEquals(found("/users/:id/posts", Map.of("id", List.of("42"))), match);
        }

        @Test
        void decodedAndUnicodeValuesPassThroughUnchanged() {
            // given: the caller passes the already percent-decoded path
            RouteTable routes = table("/users/:name", "GET");
            // when
            RouteMatch match = routes.match("GET", "/users/Zoë 100%20 ✓");
            // then
            assertEquals(found("/users/:name", Map.of("name", List.of("Zoë 100%20 ✓"))), match);
        }

        @Test
        void emptySegmentRouteCoexistsWithParameter() {
            // given: a parameter never matches an empty segment, so these cannot overlap
            RouteTable routes = table("/users/", "GET", "/users/:id", "GET");
            // when / then
            assertEquals(found("/users/", Map.of()), routes.match("GET", "/users/"));
            assertEquals(found("/users/:id", Map.of("id", List.of("7"))), routes.match("GET", "/users/7"));
        }

        @Test
        void rootCoexistsWithRootParameter() {
            // given
            RouteTable routes = table("/", "GET", "/:page", "GET");
            // when / then
            assertEquals(found("/", Map.of()), routes.match("GET", "/"));
            assertEquals(found("/:page", Map.of("page", List.of("about"))), routes.match("GET", "/about"));
        }

        @Test
        void sameParameterNameSharesItsPosition() {
            // given
            RouteTable routes = table("/users/:id", "GET", "/users/:id/posts", "GET");
            // when / then
            assertEquals(found("/users/:id", Map.of("id", List.of("1"))), routes.match("GET", "/users/1"));
            assertEquals(found("/users/:id/posts", Map.of("id", List.of("2"))), routes.match("GET", "/users/2/posts"));
        }
    }

    @Nested
    class CatchAll {

        @Test
        void catchAllCapturesNestedSlashesWithoutTheLeadingOne() {
            // given
            RouteTable routes = table("/files/*path", "GET");
            // when
            RouteMatch match = routes.match("GET", "/files/a/b.txt");
            // then
            assertEquals(found("/files/*path", Map.of("path", List.of("a/b.txt"))), match);
        }

        @Test
        void catchAllCapturesAnEmptyRest() {
            // given
            RouteTable routes = table("/files/*path", "GET");
            // when
            RouteMatch match = routes.match("GET", "/files/");
            // then
            assertEquals(found("/files/*path", Map.of("path", List.of(""))), match);
        }

        @Test
        void catchAllDoesNotMatchItsPrefixWithoutSlash() {
            // given
            RouteTable routes = table("/files/*path", "GET");
            // when
            RouteMatch match = routes.match("GET", "/files");
            // then
            assertSame(RouteMatch.NotFound.INSTANCE, match);
        }

        @Test
        void catchAllKeepsTrailingAndDoubleSlashes() {
            // given
            RouteTable routes = table("/files/*path", "GET");
            // when
            RouteMatch match = routes.match("GET", "/files/a//b/");
            // then
            assertEquals(found("/files/*path", Map.of("path", List.of("a//b/"))), match);
        }

        @Test
        void catchAllAfterParameterGivesBoth() {
            // given
            RouteTable routes = table("/repos/:owner/*rest", "GET");
            // when
            RouteMatch.Found match = assertInstanceOf(RouteMatch.Found.class,
                    routes.match("GET", "/repos/ann/src/main"));
            // then
            assertEquals(List.of("owner", "rest"), new ArrayList<>(match.params().keySet()));
            assertEquals(List.of("src/main"), match.params().get("rest"));
        }

        @Test
        void rootCatchAllMatchesEveryPath() {
            // given
            RouteTable routes = table("/*all", "GET");
            // when / then
            assertEquals(found("/*all", Map.of("all", List.of(""))), routes.match("GET", "/"));
            assertEquals(found("/*all", Map.of("all", List.of("x/y"))), routes.match("GET", "/x/y"));
        }

        @Test
        void prefixWithoutSlashCoexistsWithCatchAll() {
            // given
            RouteTable routes = table("/files", "POST", "/files/*path", "GET");
            // when / then
            assertEquals(found("/files", Map.of()), routes.match("POST", "/files"));
            assertEquals(found("/files/*path", Map.of("path", List.of("x"))), routes.match("GET", "/files/x"));
        }
    }

    @Nested
    class Methods {

        @Test
        void unlistedMethodIsNotAMatchButReportsAllowedMethods() {
            // given
            RouteTable routes = table("/users/:id", "PUT,DELETE");
            // when
            RouteMatch match = routes.match("POST", "/users/42");
            // then
            assertEquals(new RouteMatch.MethodNotListed("/users/:id", Set.of("PUT", "DELETE")), match);
        }

        @Test
        void unlistedMethodOnStaticRouteReportsAllowedMethods() {
            // given
            RouteTable routes = table("/python", "POST");
            // when
            RouteMatch match = routes.match("GET", "/python");
            // then
            assertEquals(new RouteMatch.MethodNotListed("/python", Set.of("POST")), match);
        }

        @Test
        void headMatchesAGetRoute() {
            // given
            RouteTable routes = table("/users/:id", "GET");
            // when
            RouteMatch match = routes.match("HEAD", "/users/42");
            // then
            assertEquals(found("/users/:id", Map.of("id", List.of("42"))), match);
        }

        @Test
        void allowedMethodsOfAGetRouteIncludeHead() {
            // given
            RouteTable routes = table("/python", "GET,POST");
            // when
            RouteMatch.MethodNotListed match = assertInstanceOf(RouteMatch.MethodNotListed.class,
                    routes.match("DELETE", "/python"));
            // then
            assertEquals(List.of("GET", "POST", "HEAD"), new ArrayList<>(match.allowed()));
        }

        @Test
        void headDoesNotMatchARouteWithoutGet() {
            // given
            RouteTable routes = table("/python", "POST");
            // when
            RouteMatch match = routes.match("HEAD", "/python");
            // then
            assertInstanceOf(RouteMatch.MethodNotListed.class, match);
        }

        @Test
        void methodsAreCaseSensitive() {
            // given
            RouteTable routes = table("/python", "GET");
            // when
            RouteMatch match = routes.match("get", "/python");
            // then
            assertInstanceOf(RouteMatch.MethodNotListed.class, match);
        }

        @Test
        void extensionMethodsAreAllowed() {
            // given
            RouteTable routes = table("/dav/*path", "PROPFIND,M-SEARCH");
            // when / then
            assertInstanceOf(RouteMatch.Found.class, routes.match("PROPFIND", "/dav/x"));
        }
    }

    @Nested
    class Conflicts {

        @Test
        void parameterWithADifferentNameAtTheSamePosition() {
            String message = conflict("/users/:id", "/users/:name");
            assertContains(message, "one parameter name only");
        }

        @Test
        void staticSegmentBesideAParameter() {
            String message = conflict("/users/:id", "/users/new");
            assertContains(message, "cannot share its position with a static segment");
        }

        @Test
        void parameterBesideAStaticSegment() {
            String message = conflict("/users/new", "/users/:id");
            assertContains(message, "cannot share its position with a static segment");
        }

        @Test
        void parameterBesideAStaticSegmentOfALongerRoute() {
            conflict("/users/new/form", "/users/:id");
        }

        @Test
        void staticSegmentBesideACatchAll() {
            String message = conflict("/files/*path", "/files/list");
            assertContains(message, "catch-all");
        }

        @Test
        void catchAllBesideAStaticSegment() {
            String message = conflict("/files/list", "/files/*path");
            assertContains(message, "catch-all");
        }

        @Test
        void parameterBesideACatchAll() {
            conflict("/files/*path", "/files/:name");
        }

        @Test
        void catchAllBesideAParameter() {
            conflict("/files/:name", "/files/*path");
        }

        @Test
        void catchAllBesideTheEmptySegmentItAlsoMatches() {
            conflict("/files/", "/files/*path");
        }

        @Test
        void rootCatchAllBesideTheRoot() {
            conflict("/", "/*all");
        }

        @Test
        void twoCatchAllsAtTheSamePosition() {
            conflict("/files/*path", "/files/*rest");
        }
    }

    @Nested
    class InvalidRoutes {

        @Test
        void patternWithoutLeadingSlash() {
            assertContains(rejected("users"), "\"/users\"");
        }

        @Test
        void emptyPattern() {
            rejected("");
        }

        @Test
        void parameterWithoutName() {
            rejected("/users/:");
        }

        @Test
        void catchAllWithoutName() {
            rejected("/*");
        }

        @Test
        void catchAllBeforeTheEnd() {
            assertContains(rejected("/a/*rest/b"), "last segment");
        }

        @Test
        void catchAllFollowedByTrailingSlash() {
            rejected("/a/*rest/");
        }

        @Test
        void parameterNameUsedTwice() {
            assertContains(rejected("/a/:id/b/:id"), "\"id\" twice");
        }

        @Test
        void parameterAndCatchAllWithTheSameName() {
            rejected("/a/:id/*id");
        }

        @Test
        void wildcardInsideASegment() {
            assertContains(rejected("/a/x:id"), "whole segment");
        }

        @Test
        void twoWildcardsInOneSegment() {
            rejected("/a/:id:x");
        }

        @Test
        void emptyMethodList() {
            assertContains(rejected(Map.of("/a", List.of()), "/a"), "no methods");
        }

        @Test
        void methodThatIsNotAToken() {
            rejected(Map.of("/a", List.of("GET", "BAD METHOD")), "/a");
        }

        @Test
        void emptyMethod() {
            rejected(Map.of("/a", List.of("")), "/a");
        }

        @Test
        void nullMethod() {
            rejected(Map.of("/a", Arrays.asList("GET", null)), "/a");
        }
    }

    @Nested
    class MatchAll {

        @Test
        void matchesEveryPathAndMethodWithoutParams() {
            // given
            RouteTable routes = RouteTable.matchAll();
            // when / then
            for (String path : List.of("/", "/anything/at/all", "", "no-slash")) {
                for (String method : List.of("GET", "PATCH", "BREW")) {
                    RouteMatch.Found match = assertInstanceOf(RouteMatch.Found.class, routes.match(method, path));
                    assertEquals(Map.of(), match.params());
                }
            }
        }
    }

    @Nested
    class Description {

        @Test
        void listsRoutesInDeclarationOrderWithTheirMethods() {
            // given
            RouteTable routes = table("/python", "GET,POST", "/users/:id", "GET");
            // when / then
            assertEquals("GET,POST /python; GET /users/:id", routes.toString());
        }

        @Test
        void emptyTableSaysSo() {
            assertEquals("(no routes)", RouteTable.of(Map.of()).toString());
        }

        @Test
        void emptyTableMatchesNothing() {
            assertSame(RouteMatch.NotFound.INSTANCE, RouteTable.of(Map.of()).match("GET", "/"));
        }
    }
}
