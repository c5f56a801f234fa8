package dev.httpy.dispatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** httpy's own answers: each names its status and the setting behind it, and a traceback shows only in debug mode. */
class HttpyAnswersTest {

    @Test
    void aTracebackReachesTheClientOnlyInDebugMode() {
        String traceback = "Traceback (most recent call last):\n  File \"app.py\", line 3\nKeyError: 'secret'";
        assertEquals("500 Internal Server Error\n", HttpyAnswers.internalError(false, traceback));
        assertFalse(HttpyAnswers.internalError(false, traceback).contains("secret"));
        assertTrue(HttpyAnswers.internalError(true, traceback).endsWith(traceback + "\n"));
    }

    @Test
    void eachAnswerStartsWithItsStatusAndNamesItsLimit() {
        assertTrue(HttpyAnswers.tooLarge(1024).startsWith("413 ") && HttpyAnswers.tooLarge(1024).contains("1024 bytes (python.max-body)"));
        assertTrue(HttpyAnswers.bodyStalled().startsWith("408 "));
        assertTrue(HttpyAnswers.busy().startsWith("503 "));
        assertTrue(HttpyAnswers.stopping("the web app").startsWith("503 "));
        assertTrue(HttpyAnswers.timedOut("handler").startsWith("504 "));
        assertTrue(HttpyAnswers.badRequest("bad %-escape").startsWith("400 "));
        assertEquals("x\n", HttpyAnswers.body("x"));
        assertEquals("x\n", HttpyAnswers.body("x\n"));
    }
}
