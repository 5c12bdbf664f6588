package dev.dejavm.platform.dev.pci;

import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * Intel 82441FX PCI and Memory Controller (PMC), function 00:00.0 of QEMU's {@code pc}: vendor 8086, device 1237,
 * revision 02, host bridge class 0600. Implemented (82441FX datasheet, 3.2): the PAM registers 0x59-0x5F that
 * decide, per segment of 0xC0000-0xFFFFF, whether reads and writes go to DRAM or to the ROM/PCI side (reported to
 * a {@link PamListener}), and SMRAM (0x72, stored; SMM is not modelled, as QEMU's {@code smm=off}).
 */
public final class I440fx extends ConfigSpace implements Resettable, Snapshottable {
    public static final int PAM0 = 0x59;
    public static final int PAM_COUNT = 7;
    public static final int SMRAM = 0x72;

    /** Told when a PAM register changes, with the segment's new 2-bit mode (bit 0 read enable, bit 1 write enable). */
    @FunctionalInterface
    public interface PamListener {
        /** @param base segment base (0xC0000.. or 0xF0000); @param size 16 KiB or 64 KiB */
        void onPam(long base, long size, int mode);
    }

    private final PamListener listener;

    /** QEMU's i440FX host bridge identity, and Cloud Hypervisor's (EDK2's CloudHv platform checks for it). */
    public static final int DEVICE_ID = 0x1237, CLOUDHV_DEVICE_ID = 0x0D57;

    public I440fx(final PamListener listener) {
        this(listener, DEVICE_ID);
    }

    /** @param deviceId {@link #DEVICE_ID}, or {@link #CLOUDHV_DEVICE_ID} for firmware built for Cloud Hypervisor */
    public I440fx(final PamListener listener, final int deviceId) {
        super(0x8086, deviceId, 0x02, 0x060000, 0x00);
        this.listener = listener;
        for (int r = PAM0; r < PAM0 + PAM_COUNT; r++) {
            writable[r] = (byte) (r == PAM0 ? 0x30 : 0x33);
        }
        writable[SMRAM] = (byte) 0x78; // D_OPEN, D_CLS, D_LCK, G_SMRAME (C_BASE_SEG is fixed at 010)
        config[SMRAM] = 0x02;
    }

    @Override
    protected void changed(final int offset, final int oldValue, final int newValue) {
        pamChanged(listener, PAM0, offset, oldValue, newValue);
    }

    /**
     * The PAM registers' common layout (82441FX 3.2.18; the Q35 MCH has the same seven registers at 0x90): the
     * first register's high nibble controls 0xF0000-0xFFFFF, then each nibble one 16 KiB segment from 0xC0000.
     */
    static void pamChanged(final PamListener listener, final int pam0, final int offset, final int oldValue, final int newValue) {
        if (offset < pam0 || offset >= pam0 + PAM_COUNT) {
            return;
        }
        if (offset == pam0) {
            listener.onPam(0xF0000, 0x10000, (newValue >> 4) & 3);
            return;
        }
        final long segment = 0xC0000 + (long) (offset - pam0 - 1) * 0x8000;
        if (((oldValue ^ newValue) & 0x03) != 0) {
            listener.onPam(segment, 0x4000, newValue & 3);
        }
        if (((oldValue ^ newValue) & 0x30) != 0) {
            listener.onPam(segment + 0x4000, 0x4000, (newValue >> 4) & 3);
        }
    }

    @Override
    public void reset(final ResetKind kind) {
        resetWritable();
        config[SMRAM] = 0x02;
        listener.onPam(0xC0000, 0x40000, 0); // everything back to ROM/PCI
    }

    @Override
    public String stateId() {
        return "i440fx";
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
        applyAllPam(listener, PAM0, config);
    }

    /** Tells {@code listener} every PAM segment's mode from the registers (after a state restore). */
    static void applyAllPam(final PamListener listener, final int pam0, final byte[] config) {
        listener.onPam(0xF0000, 0x10000, (config[pam0] >> 4) & 3);
        for (int i = 1; i <= 6; i++) {
            final int segment = 0xC0000 + (i - 1) * 0x8000;
            listener.onPam(segment, 0x4000, config[pam0 + i] & 3);
            listener.onPam(segment + 0x4000, 0x4000, (config[pam0 + i] >> 4) & 3);
        }
    }
}
