package dev.dejavm.platform.dev.pic;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.cpu.InterruptSource;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The PC's two cascaded Intel 8259A interrupt controllers (master at 0x20/0x21, slave at 0xA0/0xA1 on the master's
 * IR2) plus the edge/level control registers ELCR1/ELCR2 (PIIX3 0x4D0/0x4D1). Implemented (8259A datasheet):
 * ICW1-ICW4 initialisation, IMR (OCW1), non-specific and specific EOI (OCW2), IRR/ISR read select and poll
 * (OCW3), auto-EOI, fully nested priority with IR0 highest, spurious IR7, edge-triggered inputs (level-triggered
 * where ELCR says so). Not implemented: priority rotation, special mask mode, buffered mode (accepted, no effect).
 * Devices drive inputs 0-15 with {@link #setIrq(int, boolean)}; the CPU side is {@link InterruptSource}.
 */
public final class I8259Pair implements PortDevice, InterruptSource, Resettable, Snapshottable {
    /** One 8259A. */
    private static final class Chip {
        int irr;
        int isr;
        int imr;
        int vectorBase;
        int initStep;      // 0 = operational, else the next ICW expected (2, 3, 4)
        boolean icw4Needed;
        boolean single;
        boolean autoEoi;
        boolean readIsr;
        boolean poll;
        int lines;         // current input levels
        int elcr;

        void reset() {
            irr = 0;
            isr = 0;
            imr = 0;
            vectorBase = 0;
            initStep = 0;
            icw4Needed = false;
            single = false;
            autoEoi = false;
            readIsr = false;
            poll = false;
            lines = 0;
        }

        /** Highest-priority bit in {@code mask} (IR0 highest), or -1. */
        static int highest(final int mask) {
            return mask == 0 ? -1 : Integer.numberOfTrailingZeros(mask);
        }

        /** The IR line that would be delivered now, or -1 (fully nested: not blocked by an equal or higher ISR). */
        int pendingIr() {
            final int req = highest(irr & ~imr);
            if (req < 0) {
                return -1;
            }
            final int inService = highest(isr);
            return inService >= 0 && inService <= req ? -1 : req;
        }

        void setLine(final int ir, final boolean level) {
            final int bit = 1 << ir;
            final boolean was = (lines & bit) != 0;
            if (level) {
                lines |= bit;
                if (!was || (elcr & bit) != 0) {
                    irr |= bit; // rising edge, or level-triggered and high
                }
            } else {
                lines &= ~bit;
                if ((elcr & bit) != 0) {
                    irr &= ~bit;
                }
            }
        }

        int acknowledge(final int ir) {
            final int bit = 1 << ir;
            if ((elcr & bit) == 0) {
                irr &= ~bit;
            }
            if (!autoEoi) {
                isr |= bit;
            }
            return vectorBase + ir;
        }

        void writeCommand(final int v) {
            if ((v & 0x10) != 0) { // ICW1
                icw4Needed = (v & 1) != 0;
                single = (v & 2) != 0;
                initStep = 2;
                imr = 0;
                isr = 0;
                irr = 0;
                readIsr = false;
                autoEoi = false;
                return;
            }
            if ((v & 0x18) == 0x08) { // OCW3
                if ((v & 0x02) != 0) {
                    readIsr = (v & 0x01) != 0;
                }
                poll = (v & 0x04) != 0;
                return;
            }
            // OCW2
            final int cmd = v >> 5;
            if (cmd == 1) { // non-specific EOI
                final int h = highest(isr);
                if (h >= 0) {
                    isr &= ~(1 << h);
                }
            } else if (cmd == 3) { // specific EOI
                isr &= ~(1 << (v & 7));
            }
            // rotation commands (0, 2, 4-7) are not modelled
        }

        void writeData(final int v) {
            switch (initStep) {
                case 2 -> {
                    vectorBase = v & 0xF8;
                    initStep = single ? (icw4Needed ? 4 : 0) : 3;
                }
                case 3 -> initStep = icw4Needed ? 4 : 0; // ICW3: cascade wiring, fixed on a PC
                case 4 -> {
                    autoEoi = (v & 0x02) != 0;
                    initStep = 0;
                }
                default -> imr = v;
            }
        }

        int readCommand() {
            if (poll) {
                poll = false;
                final int ir = pendingIr();
                if (ir < 0) {
                    return 0;
                }
                acknowledge(ir);
                return 0x80 | ir;
            }
            return readIsr ? isr : irr;
        }

        void save(final StateWriter w) {
            w.putByte(irr).putByte(isr).putByte(imr).putByte(vectorBase).putByte(initStep).putBoolean(icw4Needed)
                    .putBoolean(single).putBoolean(autoEoi).putBoolean(readIsr).putBoolean(poll).putByte(lines).putByte(elcr);
        }

        void load(final StateReader r) {
            irr = r.getByte();
            isr = r.getByte();
            imr = r.getByte();
            vectorBase = r.getByte();
            initStep = r.getByte();
            icw4Needed = r.getBoolean();
            single = r.getBoolean();
            autoEoi = r.getBoolean();
            readIsr = r.getBoolean();
            poll = r.getBoolean();
            lines = r.getByte();
            elcr = r.getByte();
        }
    }

    private final Chip master = new Chip();
    private final Chip slave = new Chip();
    private final PortDevice masterPort = chipPort(master);
    private final PortDevice slavePort = chipPort(slave);
    private final PortDevice elcrPort = new PortDevice() {
        @Override
        public int ioRead(final int offset, final int size) {
            return offset == 0 ? master.elcr : slave.elcr;
        }

        @Override
        public void ioWrite(final int offset, final int size, final int value) {
            if (offset == 0) {
                master.elcr = value & 0xF8; // IRQ0-2 are always edge-triggered (PIIX3 ELCR1)
            } else {
                slave.elcr = value & 0xDE;  // IRQ8 and IRQ13 are always edge-triggered (ELCR2)
            }
        }

        @Override
        public int maxAccessSize() {
            return 1;
        }
    };

    /** The master's two ports (0x20/0x21); the pair itself answers as the master too. */
    public PortDevice masterPorts() {
        return masterPort;
    }

    /** The slave's two ports (0xA0/0xA1). */
    public PortDevice slavePorts() {
        return slavePort;
    }

    /** ELCR1/ELCR2 (0x4D0/0x4D1). */
    public PortDevice elcrPorts() {
        return elcrPort;
    }

    private static PortDevice chipPort(final Chip chip) {
        return new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return offset == 0 ? chip.readCommand() : chip.imr;
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                if (offset == 0) {
                    chip.writeCommand(value & 0xFF);
                } else {
                    chip.writeData(value & 0xFF);
                }
            }

            @Override
            public int maxAccessSize() {
                return 1;
            }
        };
    }

    @Override
    public int ioRead(final int offset, final int size) {
        return masterPort.ioRead(offset, size);
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        masterPort.ioWrite(offset, size, value);
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    /** Drives input {@code irq} (0-7 master, 8-15 slave). */
    public void setIrq(final int irq, final boolean level) {
        if (irq < 8) {
            master.setLine(irq, level);
        } else {
            slave.setLine(irq - 8, level);
            master.setLine(2, slave.pendingIr() >= 0); // the slave's INT output drives master IR2
        }
    }

    @Override
    public boolean pending() {
        return master.pendingIr() >= 0;
    }

    @Override
    public int acknowledge() {
        final int ir = master.pendingIr();
        if (ir < 0) {
            return master.vectorBase + 7; // spurious IRQ7
        }
        if (ir == 2 && !master.single) {
            master.acknowledge(2);
            final int sir = slave.pendingIr();
            final int vector = sir < 0 ? slave.vectorBase + 7 : slave.acknowledge(sir);
            master.setLine(2, slave.pendingIr() >= 0);
            return vector;
        }
        return master.acknowledge(ir);
    }

    @Override
    public void reset(final ResetKind kind) {
        master.reset();
        slave.reset();
        if (kind == ResetKind.POWER_ON) {
            master.elcr = 0;
            slave.elcr = 0;
        }
    }

    @Override
    public String stateId() {
        return "i8259-pair";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        master.save(w);
        slave.save(w);
    }

    @Override
    public void load(final StateReader r, final int version) {
        master.load(r);
        slave.load(r);
    }
}
