package dev.dejavm.platform.dev.pci;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.platform.dev.reset.ResetControl;

/**
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2) at ports 0xCF8-0xCFF:
 * CONFIG_ADDRESS (0xCF8, 32-bit: bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2) and
 * CONFIG_DATA (0xCFC-0xCFF, any size, the low address bits select the byte). Bus 0 only; functions that are not
 * present read all-ones and ignore writes.
 *
 * <p>Byte accesses to 0xCF9 go to the chipset's reset control register (PIIX3/ICH9 place it inside this range;
 * only 32-bit accesses to 0xCF8 reach CONFIG_ADDRESS, as on QEMU's i440FX and Q35).
 */
public final class PciHostBridge implements PortDevice, Resettable, Snapshottable {
    private static final int DEVICES = 32 * 8;

    private final PciFunction[] functions = new PciFunction[DEVICES];
    private final ResetControl resetControl;
    private int address;

    public PciHostBridge(final ResetControl resetControl) {
        this.resetControl = resetControl;
    }

    /** Plugs a function into bus 0 (board build time). */
    public void plug(final int device, final int function, final PciFunction f) {
        final int i = device * 8 + function;
        if (device < 0 || device > 31 || function < 0 || function > 7 || functions[i] != null) {
            throw new IllegalArgumentException("PCI slot 00:" + device + "." + function + " is invalid or taken");
        }
        functions[i] = f;
    }

    /**
     * A configuration access by bus/device/function and register, as the Q35 MCH's memory-mapped window (ECAM)
     * makes them: bus 0 only; absent functions and registers past the 256-byte conventional space read all-ones.
     */
    public int configRead(final int bus, final int devfn, final int reg, final int size) {
        final PciFunction f = bus == 0 ? functions[devfn & 0xFF] : null;
        return f == null || reg + size > 256 ? -1 : f.configRead(reg, size);
    }

    public void configWrite(final int bus, final int devfn, final int reg, final int size, final int value) {
        final PciFunction f = bus == 0 ? functions[devfn & 0xFF] : null;
        if (f != null && reg + size <= 256) {
            f.configWrite(reg, size, value);
        }
    }

    private PciFunction selected() {
        if ((address & 0x80000000) == 0 || ((address >>> 16) & 0xFF) != 0) {
            return null; // disabled, or a bus behind no bridge
        }
        return functions[(address >>> 8) & 0xFF];
    }

    @Override
    public int ioRead(final int offset, final int size) {
        if (offset < 4) {
            if (offset == 0 && size == 4) {
                return address;
            }
            if (offset == 1 && size == 1) {
                return resetControl.ioRead(0, 1);
            }
            return -1;
        }
        final PciFunction f = selected();
        if (f == null) {
            return -1;
        }
        final int reg = (address & 0xFC) + (offset - 4);
        return f.configRead(reg, size);
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        if (offset < 4) {
            if (offset == 0 && size == 4) {
                address = value & 0x80FFFFFC;
            } else if (offset == 1 && size == 1) {
                resetControl.ioWrite(0, 1, value);
            }
            return;
        }
        final PciFunction f = selected();
        if (f != null) {
            f.configWrite((address & 0xFC) + (offset - 4), size, value);
        }
    }

    @Override
    public void reset(final ResetKind kind) {
        address = 0;
        resetControl.reset(kind);
    }

    @Override
    public String stateId() {
        return "pci-host";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(address);
        resetControl.save(w);
    }

    @Override
    public void load(final StateReader r, final int version) {
        address = r.getInt();
        resetControl.load(r, resetControl.stateVersion());
    }
}
