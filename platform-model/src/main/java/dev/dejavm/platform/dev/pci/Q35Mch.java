package dev.dejavm.platform.dev.pci;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The Q35 memory controller hub, function 00:00.0 of QEMU's {@code q35}: vendor 8086, device 29C0, host bridge
 * class 0600. Implemented (Intel 3 Series Express Chipset Family datasheet, D0:F0):
 * <ul>
 *   <li>PCIEXBAR (0x60, 64-bit): bit 0 enables the memory-mapped configuration window (ECAM), bits 2:1 give its
 *       length (256, 128 or 64 MiB: 256, 128 or 64 buses), bits 35:26 its base. QEMU's reset value 0xB0000000
 *       (disabled) is kept. The window is reported to an {@link EcamListener} and served by {@link #ecam}.</li>
 *   <li>PAM0-PAM6 (0x90-0x96): the same shadow-RAM control as the i440FX's, reported to a
 *       {@link I440fx.PamListener}.</li>
 *   <li>SMRAM (0x9D) and ESMRAMC (0x9E): stored; SMM is not modelled (QEMU's {@code smm=off}).</li>
 * </ul>
 */
public final class Q35Mch extends ConfigSpace implements Resettable, Snapshottable {
    public static final int PCIEXBAR = 0x60;
    public static final int PAM0 = 0x90;
    public static final int SMRAM = 0x9D;
    public static final int ESMRAMC = 0x9E;
    /** QEMU's PCIEXBAR reset value: base 0xB0000000, not enabled. */
    public static final long PCIEXBAR_DEFAULT = 0xB0000000L;

    /** Told when the ECAM window moves: base -1 when disabled. */
    @FunctionalInterface
    public interface EcamListener {
        void onEcam(long base, long size);
    }

    private final I440fx.PamListener pam;
    private final EcamListener ecamListener;
    private final PciHostBridge host;

    public Q35Mch(final PciHostBridge host, final I440fx.PamListener pam, final EcamListener ecamListener) {
        super(0x8086, 0x29C0, 0x00, 0x060000, 0x00);
        this.host = host;
        this.pam = pam;
        this.ecamListener = ecamListener;
        writable[PCIEXBAR] = 0x07;               // enable, length
        writable[PCIEXBAR + 3] = (byte) 0xFC;    // base bits 31:26
        writable[PCIEXBAR + 4] = 0x0F;           // base bits 35:32
        for (int r = PAM0; r < PAM0 + I440fx.PAM_COUNT; r++) {
            writable[r] = (byte) (r == PAM0 ? 0x30 : 0x33);
        }
        writable[SMRAM] = (byte) 0x78;
        writable[ESMRAMC] = 0x07;
        powerOnValues();
    }

    private void powerOnValues() {
        resetWritable();
        config[PCIEXBAR + 3] = (byte) (PCIEXBAR_DEFAULT >>> 24);
        config[SMRAM] = 0x02;
        config[ESMRAMC] = 0x38;
    }

    /** The ECAM window's size in bytes (0 when disabled or the length field is the reserved value 3). */
    public long ecamSize() {
        if ((config[PCIEXBAR] & 1) == 0) {
            return 0;
        }
        return switch ((config[PCIEXBAR] >> 1) & 3) {
            case 0 -> 256L << 20;
            case 1 -> 128L << 20;
            case 2 -> 64L << 20;
            default -> 0;
        };
    }

    /** The ECAM window's base, aligned to its size. */
    public long ecamBase() {
        final long bar = (configRead(PCIEXBAR, 4) & 0xFFFFFFFFL) | ((long) (config[PCIEXBAR + 4] & 0x0F) << 32);
        final long size = ecamSize();
        return size == 0 ? -1 : bar & ~(size - 1) & 0xFFFFFFFFFL;
    }

    private void publishEcam() {
        final long size = ecamSize();
        ecamListener.onEcam(size == 0 ? -1 : ecamBase(), size);
    }

    @Override
    protected void changed(final int offset, final int oldValue, final int newValue) {
        if (offset >= PCIEXBAR && offset < PCIEXBAR + 8) {
            publishEcam();
        }
        I440fx.pamChanged(pam, PAM0, offset, oldValue, newValue);
    }

    /**
     * The memory-mapped configuration window (PCI Express Base 3.0, 7.2.2): offset bits 27:20 bus, 19:15 device,
     * 14:12 function, 11:0 register. Accesses of 1, 2 or 4 bytes within one register dword; others read all-ones.
     */
    public final MmioDevice ecam = new MmioDevice() {
        @Override
        public long mmioRead(final long offset, final int size) {
            final int reg = (int) (offset & 0xFFF);
            if ((reg & 3) + size > 4) {
                return -1L;
            }
            return host.configRead((int) (offset >>> 20) & 0xFF, (int) (offset >>> 12) & 0xFF, reg, size) & 0xFFFFFFFFL;
        }

        @Override
        public void mmioWrite(final long offset, final int size, final long value) {
            final int reg = (int) (offset & 0xFFF);
            if ((reg & 3) + size <= 4) {
                host.configWrite((int) (offset >>> 20) & 0xFF, (int) (offset >>> 12) & 0xFF, reg, size, (int) value);
            }
        }

        @Override
        public int maxAccessSize() {
            return 4;
        }
    };

    @Override
    public void reset(final ResetKind kind) {
        powerOnValues();
        pam.onPam(0xC0000, 0x40000, 0);
        publishEcam();
    }

    @Override
    public String stateId() {
        return "q35-mch";
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
        publishEcam();
        I440fx.applyAllPam(pam, PAM0, config);
    }
}
