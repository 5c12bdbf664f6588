package dev.dejavm.platform.board;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.EventSink;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.platform.dev.uart.Uart16550;

import java.util.function.Supplier;

/**
 * Carries out a {@link SerialScript} against COM1: watches the guest's output for the current step's text (or
 * waits for its time), then types the step's bytes into the UART's receive FIFO, one every
 * {@link SerialScript#BYTE_NS}, while it has room. Each typed byte is journaled as an {@link EventKind#INPUT}
 * event. Everything is driven by guest output and virtual time, so the same run types the same bytes at the same
 * instructions.
 */
final class SerialFeeder implements dev.dejavm.core.state.Snapshottable {
    private final SerialScript script;
    private final Timeline timeline;
    private final Supplier<EventSink> sink;
    private final int port;
    private Uart16550 uart;
    private int next;
    /** The last bytes of output, as many as the current trigger has. */
    private byte[] window = new byte[0];
    private int windowLen;
    private byte[] typing = new byte[0];
    private int typed;
    private final int typeTimer;
    private final int atTimer;

    SerialFeeder(final SerialScript script, final Timeline timeline, final Supplier<EventSink> sink, final int port) {
        this.script = script;
        this.timeline = timeline;
        this.sink = sink;
        this.port = port;
        this.typeTimer = timeline.register("serial-input-type", now -> typeNext());
        this.atTimer = timeline.register("serial-input-at", now -> fire());
    }

    void attach(final Uart16550 com1) {
        this.uart = com1;
        arm();
    }

    /** A byte the guest wrote to COM1. */
    void onOutput(final int b) {
        if (next >= script.steps().size()) {
            return;
        }
        final byte[] want = script.steps().get(next).after();
        if (want == null) {
            return;
        }
        if (windowLen == want.length) {
            System.arraycopy(window, 1, window, 0, windowLen - 1);
            windowLen--;
        }
        window[windowLen++] = (byte) b;
        if (windowLen == want.length && java.util.Arrays.equals(window, want)) {
            fire();
        }
    }

    /** Prepares the current step: a text trigger gets its window, a time trigger its timer. */
    private void arm() {
        windowLen = 0;
        if (next >= script.steps().size()) {
            return;
        }
        final SerialScript.Step step = script.steps().get(next);
        if (step.after() != null) {
            window = new byte[step.after().length];
        } else {
            timeline.schedule(atTimer, Math.max(step.atNs(), timeline.now()));
        }
    }

    /** The current step's trigger happened: queue its bytes and move on. */
    private void fire() {
        final byte[] send = script.steps().get(next).send();
        final byte[] rest = new byte[typing.length - typed + send.length];
        System.arraycopy(typing, typed, rest, 0, typing.length - typed);
        System.arraycopy(send, 0, rest, typing.length - typed, send.length);
        typing = rest;
        typed = 0;
        next++;
        arm();
        timeline.schedule(typeTimer, timeline.now() + SerialScript.BYTE_NS);
    }

    private void typeNext() {
        if (typed >= typing.length || uart == null) {
            return;
        }
        if (uart.canReceive()) {
            final int b = typing[typed++] & 0xFF;
            uart.inject(b);
            sink.get().onEvent(EventKind.INPUT, 0, port, 1, b);
        }
        if (typed < typing.length) {
            timeline.schedule(typeTimer, timeline.now() + SerialScript.BYTE_NS);
        }
    }

    @Override
    public String stateId() {
        return "serial-input";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    /** The script's progress: the current step, the text seen so far for its trigger, and the bytes still to type. */
    @Override
    public void save(final dev.dejavm.core.state.StateWriter w) {
        w.putInt(next).putBytes(java.util.Arrays.copyOf(window, windowLen)).putInt(window.length).putBytes(typing).putInt(typed);
    }

    @Override
    public void load(final dev.dejavm.core.state.StateReader r, final int version) {
        next = r.getInt();
        final byte[] seen = r.getBytes();
        window = new byte[r.getInt()];
        System.arraycopy(seen, 0, window, 0, Math.min(seen.length, window.length));
        windowLen = Math.min(seen.length, window.length);
        typing = r.getBytes();
        typed = r.getInt();
        // Its timers are the timeline's, restored with it.
    }
}
