package dev.dejavm.platform.board;

import java.util.function.IntConsumer;

/**
 * Where the guest's console bytes go: the debugcon port and COM1. Each receives one byte per guest write, in
 * execution order.
 *
 * @param debugcon bytes written to the debug console port (0x402)
 * @param com1     bytes transmitted by COM1
 * @param post     POST codes, on the {@code bare} board (its POST port)
 */
public record Consoles(IntConsumer debugcon, IntConsumer com1, IntConsumer post) {
    public static final Consoles NONE = new Consoles(b -> { }, b -> { });

    /** Consoles without a POST-code display (the pc board does not show POST codes). */
    public Consoles(final IntConsumer debugcon, final IntConsumer com1) {
        this(debugcon, com1, b -> { });
    }
}
