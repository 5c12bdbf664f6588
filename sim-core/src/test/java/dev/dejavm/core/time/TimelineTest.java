package dev.dejavm.core.time;

import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TimelineTest {
    @Test
    void shouldFireInDeadlineOrderAndFifoAmongEqualDeadlines() {
        final Timeline t = new Timeline();
        final List<String> fired = new ArrayList<>();
        final int a = t.register("a", now -> fired.add("a@" + now));
        final int b = t.register("b", now -> fired.add("b@" + now));
        final int c = t.register("c", now -> fired.add("c@" + now));
        t.schedule(c, 100);
        t.schedule(a, 50);
        t.schedule(b, 100);
        assertEquals(50, t.nextDeadline());
        t.advance(100);
        t.runDue();
        assertEquals(List.of("a@100", "c@100", "b@100"), fired);
        assertEquals(Timeline.NEVER, t.nextDeadline());
    }

    @Test
    void shouldRescheduleAndCancel() {
        final Timeline t = new Timeline();
        final List<Integer> fired = new ArrayList<>();
        final int a = t.register("a", now -> fired.add(1));
        final int b = t.register("b", now -> fired.add(2));
        t.schedule(a, 10);
        t.schedule(b, 20);
        t.schedule(a, 30);
        t.cancel(b);
        assertFalse(t.isScheduled(b));
        t.advanceTo(25);
        t.runDue();
        assertEquals(List.of(), fired);
        t.advanceTo(30);
        t.runDue();
        assertEquals(List.of(1), fired);
    }

    @Test
    void shouldAllowCallbacksToRescheduleThemselves() {
        final Timeline t = new Timeline();
        final int[] count = {0};
        final int[] h = new int[1];
        h[0] = t.register("periodic", now -> {
            count[0]++;
            t.schedule(h[0], now + 10);
        });
        t.schedule(h[0], 10);
        for (int i = 0; i < 100; i++) {
            t.advance(1);
            t.runDue();
        }
        assertEquals(10, count[0]);
    }

    @Test
    void shouldRestoreSameSchedule() {
        final Timeline t = new Timeline();
        final int a = t.register("a", now -> { });
        final int b = t.register("b", now -> { });
        t.advance(7);
        t.schedule(a, 40);
        t.schedule(b, 40);
        final StateWriter w = new StateWriter();
        t.save(w);
        final Timeline u = new Timeline();
        u.register("a", now -> { });
        u.register("b", now -> { });
        u.load(new StateReader(w.toByteArray()), 1);
        final StateWriter w2 = new StateWriter();
        u.save(w2);
        assertArrayEquals(w.toByteArray(), w2.toByteArray());
        assertEquals(40, u.nextDeadline());
        assertEquals(7, u.now());
    }
}
