package dev.httpy.dispatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandlerTimesTest {

    private static HandlerTimes afterCalls(int calls, long nanos) {
        var times = new HandlerTimes();
        for (int i = 0; i < calls; i++) {
            times.record(nanos);
        }
        return times;
    }

    @Test
    void aRouteNeverCalledIsNotShort() {
        assertFalse(new HandlerTimes().isShort());
    }

    @Test
    void aRouteIsShortOnlyAfterItsWarmUpCalls() {
        assertFalse(afterCalls(HandlerTimes.WARM_UP_CALLS - 1, 20_000).isShort());
        assertTrue(afterCalls(HandlerTimes.WARM_UP_CALLS, 20_000).isShort());
    }

    @Test
    void aRouteThatWaitsIsNeverShort() {
        assertFalse(afterCalls(100, 500_000_000L).isShort());
    }

    @Test
    void oneLongCallSendsAShortRouteBackToTheWorkersForManyCalls() {
        // given: a route known to be short
        var times = afterCalls(50, 20_000);
        // when: one call waits half a second
        times.record(500_000_000L);
        // then: it is not short, and a handful of quick calls do not make it short again
        assertFalse(times.isShort());
        for (int i = 0; i < 10; i++) {
            times.record(20_000);
        }
        assertFalse(times.isShort());
        // but enough quick calls do
        for (int i = 0; i < 100; i++) {
            times.record(20_000);
        }
        assertTrue(times.isShort());
    }

    @Test
    void aFirstSlowCallSuchAsAnImportDecaysAway() {
        var times = new HandlerTimes();
        times.record(50_000_000L);
        for (int i = 0; i < 40; i++) {
            times.record(30_000);
        }
        assertTrue(times.isShort());
    }
}
