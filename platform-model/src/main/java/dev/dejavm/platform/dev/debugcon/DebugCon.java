package dev.dejavm.platform.dev.debugcon;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

import java.util.function.IntConsumer;

/**
 * QEMU's ISA debug console ({@code isa-debugcon}), one port: a byte written is a character of firmware debug
 * output; a read returns the configured readback value (QEMU's default 0xE9, which SeaBIOS checks before it
 * enables its log). Stateless.
 */
public final class DebugCon implements PortDevice, Resettable, Snapshottable {
    /** @param readback value returned by reads (0xE9 as QEMU) */
    public record Config(int readback) {
        public static final Config QEMU = new Config(0xE9);

        public Config {
            if (readback < 0 || readback > 0xFF) {
                throw new IllegalArgumentException("debugcon readback " + readback + " is not a byte");
            }
        }
    }

    private final Config config;
    private final IntConsumer out;

    public DebugCon(final Config config, final IntConsumer out) {
        this.config = config;
        this.out = out;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        return config.readback();
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        out.accept(value & 0xFF);
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    @Override
    public void reset(final ResetKind kind) {
    }

    @Override
    public String stateId() {
        return "debugcon";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
    }

    @Override
    public void load(final StateReader r, final int version) {
    }
}
