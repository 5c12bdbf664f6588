package dev.dejavm.platform.dev.dma;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The PC/AT's two 8237A DMA controllers and their page registers (Intel 8237A datasheet; IBM PC/AT Technical
 * Reference): the master (8-bit channels 0-3) at 0x00-0x0F, the slave (16-bit channels 4-7, channel 4 the cascade)
 * at 0xC0-0xDF on even ports, and the page registers at 0x81-0x83, 0x87 (channels 2, 3, 1, 0) and 0x89-0x8B, 0x8F
 * (channels 6, 7, 5, 4), the ranges {@link #PAGE_RANGES} QEMU decodes (the bytes between them stay unassigned).
 *
 * <p>Implemented: base/current address and word count written and read through the byte-pointer flip-flop,
 * command, mode (per channel), request, single and all-mask registers, status (terminal count bits cleared by the
 * read), clear flip-flop, master clear (0x0D: command, status, request and flip-flop cleared, every channel masked),
 * clear mask (0x0E), and all-mask read back at 0x0F (as the PIIX/ICH DMA function reads it). Reads of write-only
 * registers return 0.
 *
 * <p>No transfers happen: these boards have no ISA device that requests DMA (no floppy controller, no sound card),
 * so no guest-programmed address is ever used to touch memory.
 */
public final class I8237Pair implements Resettable, Snapshottable {
    public static final int MASTER_BASE = 0x00;
    public static final int SLAVE_BASE = 0xC0;
    public static final int CONTROLLER_PORTS = 16;
    public static final int PAGE_BASE = 0x81;
    static final int PAGE_PORTS = 15;
    /** The page register ranges, {first port, count}. */
    public static final int[][] PAGE_RANGES = {{0x81, 3}, {0x87, 1}, {0x89, 3}, {0x8F, 1}};
    /** The page register port of each channel 0-7 (IBM PC/AT). */
    static final int[] PAGE_PORT = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

    /** One 8237A. */
    private static final class Controller {
        final int[] baseAddress = new int[4];
        final int[] currentAddress = new int[4];
        final int[] baseCount = new int[4];
        final int[] currentCount = new int[4];
        final int[] mode = new int[4];
        int command;
        int status;
        int request;
        int mask;
        boolean flipFlop;

        void masterClear() {
            command = 0;
            status = 0;
            request = 0;
            mask = 0xF;
            flipFlop = false;
        }

        int read(final int reg) {
            if (reg < 8) {
                final int ch = reg >> 1;
                final int v = (reg & 1) == 0 ? currentAddress[ch] : currentCount[ch];
                final boolean high = flipFlop;
                flipFlop = !flipFlop;
                return high ? (v >> 8) & 0xFF : v & 0xFF;
            }
            return switch (reg) {
                case 0x8 -> {
                    final int s = status;
                    status &= 0xF0; // reading clears the terminal-count bits
                    yield s;
                }
                case 0xF -> 0xF0 | mask;
                default -> 0; // temporary register (no memory-to-memory transfers) and write-only registers
            };
        }

        void write(final int reg, final int v) {
            if (reg < 8) {
                final int ch = reg >> 1;
                final int[] base = (reg & 1) == 0 ? baseAddress : baseCount;
                final int[] current = (reg & 1) == 0 ? currentAddress : currentCount;
                base[ch] = flipFlop ? (base[ch] & 0x00FF) | (v << 8) : (base[ch] & 0xFF00) | v;
                current[ch] = base[ch];
                flipFlop = !flipFlop;
                return;
            }
            switch (reg) {
                case 0x8 -> command = v;
                case 0x9 -> request = (v & 4) != 0 ? request | (1 << (v & 3)) : request & ~(1 << (v & 3));
                case 0xA -> mask = (v & 4) != 0 ? mask | (1 << (v & 3)) : mask & ~(1 << (v & 3));
                case 0xB -> mode[v & 3] = v & 0xFC;
                case 0xC -> flipFlop = false;
                case 0xD -> masterClear();
                case 0xE -> mask = 0;
                case 0xF -> mask = v & 0xF;
                default -> {
                }
            }
        }
    }

    private final Controller master = new Controller();
    private final Controller slave = new Controller();
    private final int[] page = new int[PAGE_PORTS];

    public I8237Pair() {
        reset(ResetKind.POWER_ON);
    }

    /** The master's ports, 0x00-0x0F. */
    public PortDevice masterPorts() {
        return ports(master, 1);
    }

    /** The slave's ports, 0xC0-0xDF: register n at 0xC0 + 2n; odd ports do not decode. */
    public PortDevice slavePorts() {
        return ports(slave, 2);
    }

    private static PortDevice ports(final Controller c, final int stride) {
        return new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return offset % stride == 0 ? c.read(offset / stride) : 0xFF;
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                if (offset % stride == 0) {
                    c.write(offset / stride, value & 0xFF);
                }
            }

            @Override
            public int maxAccessSize() {
                return 1;
            }
        };
    }

    /** The page registers of the range starting at port {@code first} (one of {@link #PAGE_RANGES}). */
    public PortDevice pagePorts(final int first) {
        final int at = first - PAGE_BASE;
        return new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return page[at + offset];
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                page[at + offset] = value & 0xFF;
            }

            @Override
            public int maxAccessSize() {
                return 1;
            }
        };
    }

    /** The 24-bit address channel {@code ch} would transfer at next (for inspection): page and current address. */
    public int channelAddress(final int ch) {
        final int pageValue = page[PAGE_PORT[ch] - PAGE_BASE];
        return ch < 4 ? (pageValue << 16) | master.currentAddress[ch]
                : ((pageValue & 0xFE) << 16) | (slave.currentAddress[ch - 4] << 1);
    }

    /** Whether channel {@code ch} is masked. */
    public boolean masked(final int ch) {
        return ((ch < 4 ? master.mask : slave.mask) & (1 << (ch & 3))) != 0;
    }

    @Override
    public void reset(final ResetKind kind) {
        for (final Controller c : new Controller[] {master, slave}) {
            c.masterClear();
            java.util.Arrays.fill(c.baseAddress, 0);
            java.util.Arrays.fill(c.currentAddress, 0);
            java.util.Arrays.fill(c.baseCount, 0);
            java.util.Arrays.fill(c.currentCount, 0);
            java.util.Arrays.fill(c.mode, 0);
        }
        java.util.Arrays.fill(page, 0);
    }

    @Override
    public String stateId() {
        return "isa-dma";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        for (final Controller c : new Controller[] {master, slave}) {
            for (int ch = 0; ch < 4; ch++) {
                w.putInt(c.baseAddress[ch]).putInt(c.currentAddress[ch]).putInt(c.baseCount[ch]).putInt(c.currentCount[ch])
                        .putInt(c.mode[ch]);
            }
            w.putInt(c.command).putInt(c.status).putInt(c.request).putInt(c.mask).putInt(c.flipFlop ? 1 : 0);
        }
        for (final int p : page) {
            w.putInt(p);
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        for (final Controller c : new Controller[] {master, slave}) {
            for (int ch = 0; ch < 4; ch++) {
                c.baseAddress[ch] = r.getInt();
                c.currentAddress[ch] = r.getInt();
                c.baseCount[ch] = r.getInt();
                c.currentCount[ch] = r.getInt();
                c.mode[ch] = r.getInt();
            }
            c.command = r.getInt();
            c.status = r.getInt();
            c.request = r.getInt();
            c.mask = r.getInt();
            c.flipFlop = r.getInt() != 0;
        }
        for (int i = 0; i < page.length; i++) {
            page[i] = r.getInt();
        }
    }
}
