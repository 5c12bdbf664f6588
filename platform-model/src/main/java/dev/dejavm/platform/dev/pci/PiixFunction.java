package dev.dejavm.platform.dev.pci;

import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The PIIX3/PIIX4 functions of QEMU's {@code pc} at 00:01.x, modelled at the configuration-space level: the
 * identification firmware probes and the registers it programs, with the write masks of the datasheets so that
 * BAR sizing and base programming read back as on hardware.
 * <ul>
 *   <li>{@link #isaBridge()} 00:01.0 PIIX3 PCI-to-ISA bridge 8086:7000, class 0601, multi-function: PIRQ route
 *       control 0x60-0x63 (reset 0x80 = disabled), other ISA-bridge registers stored.</li>
 *   <li>{@link #ide()} 00:01.1 PIIX3 IDE 8086:7010, class 0101 prog-if 0x80 (legacy ports): bus-master BAR 4 (16
 *       bytes of I/O), IDE timing registers 0x40-0x43. No drives are attached.</li>
 *   <li>{@link #pm()} 00:01.3 PIIX4 power management 8086:7113 rev 03, class 0680: PMBA 0x40 (64-byte I/O base),
 *       PMREGMISC 0x80 (I/O enable), SMBus base 0x90 and SMBHSTCFG 0xD2, DEVACTB 0x58 with APMC_EN preset (no
 *       SMM, as QEMU's smm=off). The ACPI PM register block appears at PMBA while PMREGMISC enables it (reported to
 *       a {@link PmBaseListener}).</li>
 * </ul>
 */
public final class PiixFunction extends ConfigSpace implements Resettable, Snapshottable {
    /** Told when PIIX4 PM's I/O base or enable changes: base is -1 when the PM I/O space is disabled. */
    @FunctionalInterface
    public interface PmBaseListener {
        PmBaseListener NONE = base -> {
        };

        void onPmBase(int base);
    }

    private final String id;
    private PmBaseListener pmBaseListener = PmBaseListener.NONE;

    private PiixFunction(final String id, final int device, final int revision, final int classCode, final int headerType) {
        super(0x8086, device, revision, classCode, headerType);
        this.id = id;
    }

    private PiixFunction done() {
        markPowerOn();
        return this;
    }

    public static PiixFunction isaBridge() {
        final PiixFunction f = new PiixFunction("piix3-isa", 0x7000, 0x00, 0x060100, 0x80);
        for (int r = 0x60; r <= 0x63; r++) {
            f.config[r] = (byte) 0x80; // PIRQRC: routing disabled
            f.writable[r] = (byte) 0x8F;
        }
        for (final int r : new int[] {0x4C, 0x4E, 0x4F, 0x69, 0x6A, 0x70, 0x76, 0x77, 0x78, 0x79, 0x80, 0x82, 0xA0, 0xA2, 0xA5, 0xA6, 0xA7, 0xA8, 0xAA, 0xAB, 0xAC, 0xAE}) {
            f.writable[r] = (byte) 0xFF;
        }
        return f.done();
    }

    public static PiixFunction ide() {
        final PiixFunction f = new PiixFunction("piix3-ide", 0x7010, 0x00, 0x010180, 0x00);
        f.config[0x20] = 0x01; // BAR4: I/O space
        f.writable[0x20] = (byte) 0xF0;
        f.writable[0x21] = (byte) 0xFF;
        f.writable[0x22] = (byte) 0xFF;
        f.writable[0x23] = (byte) 0xFF;
        for (int r = 0x40; r <= 0x44; r++) {
            f.writable[r] = (byte) 0xFF;
        }
        f.writable[0x3C] = (byte) 0xFF;
        return f.done();
    }

    /** @param listener told where the PM register block must appear (PMBA when PMREGMISC enables it) */
    public static PiixFunction pm(final PmBaseListener listener) {
        final PiixFunction f = new PiixFunction("piix4-pm", 0x7113, 0x03, 0x068000, 0x00);
        f.pmBaseListener = listener;
        f.config[0x3D] = 0x01; // interrupt pin INTA
        f.config[0x40] = 0x01; // PMBA: I/O space indicator
        f.writable[0x40] = (byte) 0xC0;
        f.writable[0x41] = (byte) 0xFF;
        f.writable[0x80] = 0x01; // PMREGMISC: PM I/O space enable
        f.config[0x90] = 0x01; // SMBBA: I/O space indicator
        f.writable[0x90] = (byte) 0xF0;
        f.writable[0x91] = (byte) 0xFF;
        f.writable[0xD2] = 0x0F; // SMBHSTCFG
        for (final int r : new int[] {0x58, 0x59, 0x5A, 0x5B, 0x5F, 0x63, 0x67}) {
            f.writable[r] = (byte) 0xFF;
        }
        // DEVACTB (0x58) bit 25, APMC_EN, set at power-on: this board has no SMM, and like QEMU's pc with smm=off it
        // tells firmware that SMM initialisation is already done (SeaBIOS then skips its SMI relocation).
        f.config[0x5B] = 0x02;
        return f.done();
    }

    /** PIIX4 datasheet 3.3: PMBA (0x40, bits 15:6) decodes 64 bytes of PM I/O when PMREGMISC (0x80) bit 0 is set. */
    private int pmBase() {
        return (config[0x80] & 1) != 0 ? configRead(0x40, 2) & 0xFFC0 : -1;
    }

    @Override
    protected void changed(final int offset, final int oldValue, final int newValue) {
        if (offset == 0x40 || offset == 0x41 || offset == 0x80) {
            pmBaseListener.onPmBase(pmBase());
        }
    }

    @Override
    public void reset(final ResetKind kind) {
        restorePowerOn();
        pmBaseListener.onPmBase(pmBase());
    }

    @Override
    public String stateId() {
        return id;
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
        pmBaseListener.onPmBase(pmBase()); // the restored PMBA decides where the PM block is decoded
    }
}
