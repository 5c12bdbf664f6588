package dev.dejavm.platform.dev.acpi;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The APM control (0xB2, the FADT's SMI command port) and status (0xB3) ports of the PIIX4 and ICH9: both are
 * byte registers that read back what was written. A control write would raise an SMI on hardware with SMM; these
 * boards have none (as QEMU with {@code smm=off}), and the only effect is the FADT's ACPI enable/disable commands,
 * passed to the PM block ({@link PmBlock#apmCommand}) as QEMU does.
 */
public final class ApmPorts implements PortDevice, Resettable, Snapshottable {
    public static final int BASE = 0xB2;
    public static final int LENGTH = 2;

    private final PmBlock pm;
    private int control;
    private int status;

    public ApmPorts(final PmBlock pm) {
        this.pm = pm;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        return offset == 0 ? control : status;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        if (offset == 0) {
            control = value & 0xFF;
            pm.apmCommand(control);
        } else {
            status = value & 0xFF;
        }
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    @Override
    public void reset(final ResetKind kind) {
        control = 0;
        status = 0;
    }

    @Override
    public String stateId() {
        return "apm";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(control).putInt(status);
    }

    @Override
    public void load(final StateReader r, final int version) {
        control = r.getInt();
        status = r.getInt();
    }
}
