package dev.dejavm.platform.dev.kbc;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.event.ResetCause;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * System control port A (0x92, "fast A20"): bit 1 drives the A20 gate, writing bit 0 = 1 resets the CPU. Reads
 * return bit 1 as written and bit 0 clear. (QEMU's {@code port92}.)
 */
public final class Port92 implements PortDevice, Resettable, Snapshottable {
    public static final int PORT = 0x92;

    private final SystemControl control;
    private int value;

    public Port92(final SystemControl control) {
        this.control = control;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        return value & 0x02;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int v) {
        value = v & 0xFF;
        control.setA20((v & 0x02) != 0);
        if ((v & 0x01) != 0) {
            control.requestReset(ResetCause.PORT_92);
        }
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    @Override
    public void reset(final ResetKind kind) {
        value = 0;
    }

    @Override
    public String stateId() {
        return "port92";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(value);
    }

    @Override
    public void load(final StateReader r, final int version) {
        value = r.getInt();
    }
}
