package dev.dejavm.platform.dev.ich9;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.platform.dev.pci.ConfigSpace;

/**
 * ICH9 LPC interface bridge, function 00:1F.0 of QEMU's {@code q35}: vendor 8086, device 2918, revision 02, ISA
 * bridge class 0601, multi-function. Implemented (Intel I/O Controller Hub 9 datasheet, 13.1, D31:F0):
 * <ul>
 *   <li>PMBASE (0x40, bits 15:7) and ACPI_CNTL (0x44, bit 7 ACPI_EN): the 128-byte ACPI PM I/O space appears at
 *       PMBASE while ACPI_EN is set (reported to a {@link PmBaseListener}).</li>
 *   <li>PIRQA-D_ROUT (0x60-0x63) and PIRQE-H_ROUT (0x68-0x6B): reset 0x80 (routing disabled); SIRQ_CNTL 0x64;
 *       GPIOBASE 0x48, GC 0x4C, GEN_PMCON_1-3 (0xA0-0xA4): stored.</li>
 *   <li>RCBA (0xF0, bit 0 enable, bits 31:14 base): the 16 KiB chipset configuration register block, reported
 *       to a {@link RcbaListener} and served by {@link #rcbaRegisters} as plain storage (no chipset function
 *       behind its registers is modelled).</li>
 * </ul>
 */
public final class Ich9Lpc extends ConfigSpace implements Resettable, Snapshottable {
    public static final int PMBASE = 0x40;
    public static final int ACPI_CNTL = 0x44;
    public static final int ACPI_EN = 0x80;
    public static final int RCBA = 0xF0;
    public static final int RCBA_SIZE = 16 * 1024;
    /** Length of the ICH9 ACPI PM I/O space at PMBASE. */
    public static final int PM_IO_LENGTH = 128;

    @FunctionalInterface
    public interface PmBaseListener {
        /** @param base the PM I/O base, or -1 when ACPI_EN is clear */
        void onPmBase(int base);
    }

    @FunctionalInterface
    public interface RcbaListener {
        /** @param base the register block's base, or -1 when disabled */
        void onRcba(long base);
    }

    private final PmBaseListener pmListener;
    private final RcbaListener rcbaListener;
    private final byte[] rcba = new byte[RCBA_SIZE];

    public Ich9Lpc(final PmBaseListener pmListener, final RcbaListener rcbaListener) {
        super(0x8086, 0x2918, 0x02, 0x060100, 0x80);
        this.pmListener = pmListener;
        this.rcbaListener = rcbaListener;
        config[PMBASE] = 0x01; // I/O space indicator
        writable[PMBASE] = (byte) 0x80;
        writable[PMBASE + 1] = (byte) 0xFF;
        writable[ACPI_CNTL] = (byte) 0x87; // ACPI_EN, SCI_IRQ_SEL
        config[0x48] = 0x01; // GPIOBASE: I/O space indicator
        writable[0x48] = (byte) 0xC0;
        writable[0x49] = (byte) 0xFF;
        writable[0x4C] = 0x10; // GC: GPIO_EN
        for (int r = 0x60; r <= 0x6B; r++) {
            if (r < 0x64 || r >= 0x68) {
                config[r] = (byte) 0x80;
                writable[r] = (byte) 0x8F;
            }
        }
        config[0x64] = 0x10; // SIRQ_CNTL
        writable[0x64] = (byte) 0xC3;
        for (int r = 0xA0; r <= 0xA6; r++) {
            writable[r] = (byte) 0xFF;
        }
        writable[RCBA] = 0x01;
        writable[RCBA + 1] = (byte) 0xC0;
        writable[RCBA + 2] = (byte) 0xFF;
        writable[RCBA + 3] = (byte) 0xFF;
        markPowerOn();
    }

    /** The PM I/O base while ACPI_EN is set, else -1. */
    public int pmBase() {
        return (config[ACPI_CNTL] & ACPI_EN) != 0 ? configRead(PMBASE, 2) & 0xFF80 : -1;
    }

    /** The RCBA block's base while enabled, else -1. */
    public long rcbaBase() {
        final long v = configRead(RCBA, 4) & 0xFFFFFFFFL;
        return (v & 1) != 0 ? v & 0xFFFFC000L : -1;
    }

    @Override
    protected void changed(final int offset, final int oldValue, final int newValue) {
        if (offset == PMBASE || offset == PMBASE + 1 || offset == ACPI_CNTL) {
            pmListener.onPmBase(pmBase());
        }
        if (offset >= RCBA && offset < RCBA + 4) {
            rcbaListener.onRcba(rcbaBase());
        }
    }

    /** The chipset configuration registers behind RCBA: stored and read back, 1 to 4 bytes at a time. */
    public final MmioDevice rcbaRegisters = new MmioDevice() {
        @Override
        public long mmioRead(final long offset, final int size) {
            long v = 0;
            for (int i = 0; i < size && offset + i < RCBA_SIZE; i++) {
                v |= (long) (rcba[(int) offset + i] & 0xFF) << (8 * i);
            }
            return v;
        }

        @Override
        public void mmioWrite(final long offset, final int size, final long value) {
            for (int i = 0; i < size && offset + i < RCBA_SIZE; i++) {
                rcba[(int) offset + i] = (byte) (value >>> (8 * i));
            }
        }

        @Override
        public int maxAccessSize() {
            return 4;
        }
    };

    @Override
    public void reset(final ResetKind kind) {
        restorePowerOn();
        java.util.Arrays.fill(rcba, (byte) 0);
        pmListener.onPmBase(pmBase());
        rcbaListener.onRcba(rcbaBase());
    }

    @Override
    public String stateId() {
        return "ich9-lpc";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putBytes(config);
        w.putBytes(rcba);
    }

    @Override
    public void load(final StateReader r, final int version) {
        loadConfig(r);
        final byte[] c = r.getBytes();
        System.arraycopy(c, 0, rcba, 0, Math.min(c.length, rcba.length));
        pmListener.onPmBase(pmBase());
        rcbaListener.onRcba(rcbaBase());
    }
}
