package dev.dejavm.platform.dev.reset;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.event.ResetCause;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * Reset Control Register at 0xCF9 (Intel PIIX3 datasheet 4.1.5 "RC—Reset Control Register"; the same register in
 * ICH9, 13.7.5). Bit 1 SYS_RST selects a hard reset, bit 2 RST_CPU initiates the reset. As in QEMU's
 * piix3/ich9 models, any write with RST_CPU set resets the whole machine, and only SYS_RST is kept.
 */
public final class ResetControl implements PortDevice, Resettable, Snapshottable {
    public static final int SYS_RST = 0x02;
    public static final int RST_CPU = 0x04;

    private final SystemControl control;
    private int value;

    public ResetControl(final SystemControl control) {
        this.control = control;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        return value;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int v) {
        if ((v & RST_CPU) != 0) {
            control.requestReset(ResetCause.PORT_CF9);
            return;
        }
        value = v & SYS_RST;
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
        return "reset-control";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putByte(value);
    }

    @Override
    public void load(final StateReader r, final int version) {
        value = r.getByte();
    }
}
