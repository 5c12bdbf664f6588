package dev.dejavm.platform.dev.ich9;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The part of ICH9's ACPI PM I/O space after the fixed PM1 block and timer (ICH9 datasheet 13.8.3), at PMBASE +
 * 0x20: GPE0_STS (+0x20, 8 bytes, write one to clear), GPE0_EN (+0x28, 8 bytes), SMI_EN (+0x30) and SMI_STS
 * (+0x34, write one to clear). No SMI is ever generated (no SMM). As QEMU does when SMM is off, SMI_EN comes out
 * of reset with APMC_EN (bit 5) set, which tells firmware that SMM initialisation is already done.
 */
public final class Ich9PmExtra implements PortDevice, Resettable, Snapshottable {
    /** Offset of this block in the PM I/O space. */
    public static final int OFFSET = 0x20;
    public static final int LENGTH = 0x18;
    public static final int SMI_EN_APMC_EN = 1 << 5;

    private final byte[] regs = new byte[LENGTH];

    public Ich9PmExtra() {
        reset(ResetKind.POWER_ON);
    }

    @Override
    public int ioRead(final int offset, final int size) {
        int v = 0;
        for (int i = 0; i < size && offset + i < LENGTH; i++) {
            v |= (regs[offset + i] & 0xFF) << (8 * i);
        }
        return v;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        for (int i = 0; i < size && offset + i < LENGTH; i++) {
            final int o = offset + i;
            final byte b = (byte) (value >>> (8 * i));
            final boolean writeOneToClear = o < 0x08 || (o >= 0x14 && o < 0x18); // GPE0_STS, SMI_STS
            regs[o] = writeOneToClear ? (byte) (regs[o] & ~b) : b;
        }
    }

    @Override
    public void reset(final ResetKind kind) {
        java.util.Arrays.fill(regs, (byte) 0);
        regs[0x10] = (byte) SMI_EN_APMC_EN;
    }

    @Override
    public String stateId() {
        return "ich9-pm-gpe-smi";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putBytes(regs);
    }

    @Override
    public void load(final StateReader r, final int version) {
        final byte[] b = r.getBytes();
        System.arraycopy(b, 0, regs, 0, Math.min(b.length, regs.length));
    }
}
