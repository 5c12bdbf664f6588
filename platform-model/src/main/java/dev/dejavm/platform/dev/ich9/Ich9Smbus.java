package dev.dejavm.platform.dev.ich9;

import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.platform.dev.pci.BarFunction;

/**
 * ICH9's SMBus controller, function 00:1F.3 of QEMU's {@code q35}: vendor 8086, device 2930, revision 02, class
 * 0C0500, interrupt pin A; BAR 4 is the 64-byte SMBus host I/O space (QEMU's size), HOSTC (0x40) stored. No
 * devices are on the bus and the host registers are not decoded: firmware that only enables the function (SeaBIOS,
 * OVMF) sees what it sees under QEMU.
 */
public final class Ich9Smbus extends BarFunction implements Resettable, Snapshottable {
    public static final int HOSTC = 0x40;

    public Ich9Smbus() {
        super(0x8086, 0x2930, 0x02, 0x0C0500, 0x80); // header type: multi-function bit set, as QEMU reports it on every 1f.x
        config[0x3D] = 0x01;
        declareBar(4, 64, true);
        writable[HOSTC] = 0x1F;
        markPowerOn();
    }

    @Override
    public void reset(final ResetKind kind) {
        restorePowerOn();
        publishBars();
    }

    @Override
    public String stateId() {
        return "ich9-smbus";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putBytes(config);
    }

    @Override
    public void load(final StateReader r, final int version) {
        loadConfig(r);
        publishBars();
    }
}
