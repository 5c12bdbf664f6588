package dev.dejavm.platform.board;

import java.util.function.IntConsumer;

/**
 * Where the guest's console bytes go: the debugcon port and COM1. Each receives one byte per guest write, in
 * execution order.
 *
 * @param debugcon bytes written to the debug console port (0x402)
 * @param com1     bytes transmitted by COM1
 */
public record Consoles(IntConsumer debugcon, IntConsumer com1) {
    public static final Consoles NONE = new Consoles(b -> { }, b -> { });
}
