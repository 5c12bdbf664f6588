package dev.dejavm.platform.dev.ich9;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.platform.dev.pci.BarFunction;

/**
 * ICH9's SATA controller in AHCI mode, function 00:1F.2 of QEMU's {@code q35}: vendor 8086, device 2922, revision
 * 02, class 010601 (SATA, AHCI 1.0), interrupt pin A, an MSI capability at 0x80 and the SATA capability at 0xA8,
 * BAR 4 (32 bytes of I/O, the index/data pair, not decoded here) and BAR 5, the 4 KiB AHCI register block (ABAR).
 * Six ports, none with a drive: firmware finds the controller, resets it and probes each port, and sees no
 * device behind any of them.
 *
 * <p>The register block (Serial ATA AHCI 1.3.1, section 3): CAP as QEMU reports it (64-bit addressing, NCQ, AHCI
 * only, Gen 1 speed, 32 command slots, 6 ports), GHC with HBA reset (completes at once) and AE fixed to 1, IS and
 * each port's IS/SERR write-one-to-clear, PI 0x3F, VS 1.0. Per port: command list and FIS base addresses stored
 * (1 KiB / 256-byte aligned), CMD with the engines' running bits (CR, FR) following ST and FRE immediately,
 * TFD 0x7F and SIG 0xFFFFFFFF (no device), SSTS 0 (no device detected), SCTL stored, SACT and CI set by the guest
 * and never completed (there is nothing to execute a command).
 */
public final class Ich9Ahci extends BarFunction implements Resettable, Snapshottable {
    public static final int PORTS = 6;
    public static final int ABAR_SIZE = 0x1000;
    public static final int ABAR = 5;
    public static final int IDP_BAR = 4;
    static final int CAP = 0x00, GHC = 0x04, IS = 0x08, PI = 0x0C, VS = 0x10;
    static final int CAP_VALUE = (PORTS - 1) | (31 << 8) | (1 << 18) | (1 << 20) | (1 << 30) | (1 << 31);
    static final int GHC_AE = 1 << 31, GHC_IE = 1 << 1, GHC_HR = 1;
    static final int PORT_BASE = 0x100, PORT_STRIDE = 0x80;
    static final int P_CLB = 0x00, P_CLBU = 0x04, P_FB = 0x08, P_FBU = 0x0C, P_IS = 0x10, P_IE = 0x14, P_CMD = 0x18,
            P_TFD = 0x20, P_SIG = 0x24, P_SSTS = 0x28, P_SCTL = 0x2C, P_SERR = 0x30, P_SACT = 0x34, P_CI = 0x38;
    static final int CMD_ST = 1, CMD_SUD = 1 << 1, CMD_POD = 1 << 2, CMD_FRE = 1 << 4, CMD_FR = 1 << 14, CMD_CR = 1 << 15;

    private int ghc;
    private int is;
    private final int[][] port = new int[PORTS][16];

    public Ich9Ahci() {
        super(0x8086, 0x2922, 0x02, 0x010601, 0x80); // header type: multi-function bit set, as QEMU reports it on every 1f.x
        config[0x06] = 0x10; // status: capabilities list
        config[0x34] = (byte) 0x80;
        config[0x3D] = 0x01; // INTA
        // MSI (PCI 3.0, 6.8.1): 64-bit address capable, disabled; then the SATA capability (ICH9 14.1.33).
        config[0x80] = 0x05;
        config[0x81] = (byte) 0xA8;
        config[0x82] = (byte) 0x80;
        config[0xA8] = 0x12;
        config[0xAA] = 0x10;
        config[0xAC] = 0x48; // SATACR1 as the datasheet's default: the index/data pair is in BAR 4 (location 1000b)
        declareBar(IDP_BAR, 32, true);
        declareBar(ABAR, ABAR_SIZE, false);
        markPowerOn();
        resetHba();
    }

    private void resetHba() {
        ghc = GHC_AE;
        is = 0;
        for (int p = 0; p < PORTS; p++) {
            resetPort(p);
            port[p][P_CLB >> 2] = 0;
            port[p][P_CLBU >> 2] = 0;
            port[p][P_FB >> 2] = 0;
            port[p][P_FBU >> 2] = 0;
        }
    }

    private void resetPort(final int p) {
        final int[] r = port[p];
        r[P_IS >> 2] = 0;
        r[P_IE >> 2] = 0;
        r[P_CMD >> 2] = CMD_SUD | CMD_POD;
        r[P_TFD >> 2] = 0x7F;
        r[P_SIG >> 2] = 0xFFFFFFFF;
        r[P_SSTS >> 2] = 0;
        r[P_SCTL >> 2] = 0;
        r[P_SERR >> 2] = 0;
        r[P_SACT >> 2] = 0;
        r[P_CI >> 2] = 0;
    }

    private int readReg(final int off) {
        if (off < PORT_BASE) {
            return switch (off) {
                case CAP -> CAP_VALUE;
                case GHC -> ghc;
                case IS -> is;
                case PI -> (1 << PORTS) - 1;
                case VS -> 0x00010000;
                default -> 0;
            };
        }
        final int p = (off - PORT_BASE) / PORT_STRIDE;
        final int reg = (off - PORT_BASE) % PORT_STRIDE;
        if (p >= PORTS || reg >= 0x40) {
            return 0;
        }
        return port[p][reg >> 2];
    }

    private void writeReg(final int off, final int v) {
        if (off < PORT_BASE) {
            switch (off) {
                case GHC -> {
                    if ((v & GHC_HR) != 0) {
                        resetHba(); // the reset completes at once: HR reads back 0
                    } else {
                        ghc = GHC_AE | (v & GHC_IE);
                    }
                }
                case IS -> is &= ~v;
                default -> {
                }
            }
            return;
        }
        final int p = (off - PORT_BASE) / PORT_STRIDE;
        final int reg = (off - PORT_BASE) % PORT_STRIDE;
        if (p >= PORTS || reg >= 0x40) {
            return;
        }
        final int[] r = port[p];
        switch (reg) {
            case P_CLB -> r[P_CLB >> 2] = v & ~0x3FF;
            case P_CLBU, P_FBU -> r[reg >> 2] = v;
            case P_FB -> r[P_FB >> 2] = v & ~0xFF;
            case P_IS -> {
                r[P_IS >> 2] &= ~v;
                if (r[P_IS >> 2] == 0) {
                    is &= ~(1 << p);
                }
            }
            case P_IE -> r[P_IE >> 2] = v & 0x7DC0007F;
            case P_CMD -> {
                // Bits 15:8 (CR, FR, MPSS, CCS) are read-only; CLO (bit 3) completes at once and reads 0.
                int cmd = (v & ~0xFF08) | (r[P_CMD >> 2] & 0x1F00);
                if ((cmd & CMD_FRE) != 0) {
                    cmd |= CMD_FR;
                }
                if ((cmd & CMD_ST) != 0) {
                    cmd |= CMD_CR;
                }
                r[P_CMD >> 2] = cmd;
            }
            case P_SCTL -> {
                if ((r[P_SCTL >> 2] & 0xF) == 1 && (v & 0xF) == 0) {
                    resetPort(p); // end of a COMRESET: the port comes back with no device
                }
                r[P_SCTL >> 2] = v;
            }
            case P_SERR -> r[P_SERR >> 2] &= ~v;
            case P_SACT -> r[P_SACT >> 2] |= v;
            case P_CI -> r[P_CI >> 2] |= v;
            default -> {
            }
        }
    }

    /** The ABAR register block: dword registers; narrower accesses read or merge into the containing dword. */
    public final MmioDevice abar = new MmioDevice() {
        @Override
        public long mmioRead(final long offset, final int size) {
            final int off = (int) offset;
            final int v = readReg(off & ~3);
            return (v >>> (8 * (off & 3))) & (size == 4 ? 0xFFFFFFFFL : (1L << (8 * size)) - 1);
        }

        @Override
        public void mmioWrite(final long offset, final int size, final long value) {
            final int off = (int) offset;
            if (size == 4 && (off & 3) == 0) {
                writeReg(off, (int) value);
            } else {
                final int shift = 8 * (off & 3);
                final int mask = (size == 4 ? -1 : (1 << (8 * size)) - 1) << shift;
                final int cur = readReg(off & ~3);
                writeReg(off & ~3, (cur & ~mask) | (((int) value << shift) & mask));
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
        resetHba();
        publishBars();
    }

    @Override
    public String stateId() {
        return "ich9-ahci";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putBytes(config);
        w.putInt(ghc);
        w.putInt(is);
        for (final int[] r : port) {
            for (final int v : r) {
                w.putInt(v);
            }
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        loadConfig(r);
        ghc = r.getInt();
        is = r.getInt();
        for (final int[] p : port) {
            for (int i = 0; i < p.length; i++) {
                p[i] = r.getInt();
            }
        }
        publishBars();
    }
}
