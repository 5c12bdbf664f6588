package dev.dejavm.platform.dev.ioapic;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The I/O APIC of QEMU's {@code pc} and {@code q35} machines: an 82093AA-style controller with 24 inputs at
 * 0xFEC00000, version 0x20 (the version with a directed-EOI register, as QEMU 7.2 reports it).
 *
 * <p>Registers (Intel 82093AA datasheet, 3.0): IOREGSEL at +0x00 (8-bit index, reads back), IOWIN at +0x10 (32-bit
 * window onto the indexed register), EOI at +0x40 (write a vector: clears Remote IRR of every level-triggered entry
 * with that vector). Indexed: 0x00 ID (bits 27:24), 0x01 version 0x00170020 (24 entries, version 0x20), 0x02
 * arbitration ID (reads 0, as QEMU), 0x10-0x3F the redirection table, two dwords per entry. Entries reset masked.
 *
 * <p>Inputs are logical levels ({@link #setInput}): asserted means "interrupt requested", whatever the entry's
 * polarity bit says, which is how QEMU wires ISA and PCI lines; the polarity bit is stored only. An edge-triggered
 * entry latches a rising edge and delivers it when unmasked (a latched edge survives masking, as in QEMU; the
 * 82093AA would drop it). A level-triggered entry delivers while its input is asserted, sets Remote IRR and waits
 * for the EOI (from the local APIC's EOI of that vector, or the EOI register) before delivering again.
 *
 * <p>Delivery goes to the one local APIC through {@link Sink}: fixed and lowest-priority as a vector, NMI,
 * ExtINT (the vector comes from the 8259A). INIT and SMI messages are not delivered: there is no other CPU to
 * start and no SMM. Destination matching is the local APIC's ({@link Sink#accepts}).
 */
public final class IoApic implements MmioDevice, Resettable, Snapshottable {
    public static final long BASE = 0xFEC0_0000L;
    public static final int SIZE = 0x1000;
    public static final int PINS = 24;
    public static final int VERSION = 0x0017_0020;
    static final int IOREGSEL = 0x00;
    static final int IOWIN = 0x10;
    static final int EOI = 0x40;
    static final long MASKED = 1L << 16;
    static final long LEVEL = 1L << 15;
    static final long REMOTE_IRR = 1L << 14;
    static final long DELIVERY_STATUS = 1L << 12;
    /** Writable bits of an entry: vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
    static final long WRITABLE = 0xFF00_0000_0001_AFFFL;

    /** Delivery modes (82093AA table 3-5). */
    public static final int FIXED = 0, LOWEST = 1, SMI = 2, NMI = 4, INIT = 5, EXTINT = 7;

    /** Where the I/O APIC's interrupt messages go. */
    public interface Sink {
        /** Whether the local APIC is a destination of {@code dest} (8 bits) in physical or logical mode. */
        boolean accepts(int dest, boolean logical);

        /** A message: {@code mode} FIXED/LOWEST (vector, level or edge), NMI or EXTINT. */
        void deliver(int vector, int mode, boolean level);
    }

    private final Sink sink;
    private int ioregsel;
    private int id;
    private final long[] table = new long[PINS];
    /** Logical input levels. */
    private int inputs;
    /** Latched edges (and asserted levels) not yet delivered. */
    private int irr;

    public IoApic(final Sink sink) {
        this.sink = sink;
        reset(ResetKind.POWER_ON);
    }

    @Override
    public void reset(final ResetKind kind) {
        ioregsel = 0;
        id = 0;
        java.util.Arrays.fill(table, MASKED);
        irr = 0;
        // The input levels are the wires' state: the devices driving them lower them on their own reset.
    }

    /** Sets input {@code pin} to a logical level (asserted = true). Pins outside 0-23 are ignored. */
    public void setInput(final int pin, final boolean level) {
        if (pin < 0 || pin >= PINS) {
            return;
        }
        final int bit = 1 << pin;
        final boolean was = (inputs & bit) != 0;
        if (level) {
            inputs |= bit;
        } else {
            inputs &= ~bit;
        }
        if ((table[pin] & LEVEL) != 0) {
            if (level) {
                irr |= bit;
                service(pin);
            } else {
                irr &= ~bit;
            }
        } else if (level && !was) {
            irr |= bit;
            service(pin);
        }
    }

    /** The local APIC retired a level-triggered {@code vector} (EOI broadcast), or EOI register write. */
    public void eoi(final int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            final long e = table[pin];
            if ((e & REMOTE_IRR) != 0 && (int) (e & 0xFF) == (vector & 0xFF)) {
                table[pin] = e & ~REMOTE_IRR;
                if ((inputs & (1 << pin)) != 0 && (e & LEVEL) != 0) {
                    irr |= 1 << pin;
                    service(pin);
                }
            }
        }
    }

    private void service(final int pin) {
        final long e = table[pin];
        final int bit = 1 << pin;
        if ((irr & bit) == 0 || (e & MASKED) != 0) {
            return;
        }
        final boolean level = (e & LEVEL) != 0;
        if (level && (e & REMOTE_IRR) != 0) {
            return;
        }
        irr &= ~bit;
        final int mode = (int) (e >> 8) & 7;
        final boolean logical = (e & (1L << 11)) != 0;
        final int dest = (int) (e >>> 56);
        if (!sink.accepts(dest, logical)) {
            return; // a message nobody accepts is lost
        }
        switch (mode) {
            case FIXED, LOWEST -> {
                if (level) {
                    table[pin] = e | REMOTE_IRR;
                }
                sink.deliver((int) (e & 0xFF), mode, level);
            }
            case NMI, EXTINT -> sink.deliver((int) (e & 0xFF), mode, false);
            default -> {
                // SMI, INIT, reserved modes: no SMM, no other CPU; dropped.
            }
        }
    }

    // ---- registers ---------------------------------------------------------------------------------------

    @Override
    public int minAccessSize() {
        return 1;
    }

    @Override
    public int maxAccessSize() {
        return 4;
    }

    @Override
    public long mmioRead(final long offset, final int size) {
        final int off = (int) (offset & 0xFF);
        if (off == IOREGSEL) {
            return ioregsel;
        }
        if (off == IOWIN && size == 4) {
            return readIndexed(ioregsel) & 0xFFFF_FFFFL;
        }
        return 0;
    }

    private int readIndexed(final int index) {
        if (index == 0x00) {
            return id << 24;
        }
        if (index == 0x01) {
            return VERSION;
        }
        if (index >= 0x10 && index < 0x10 + 2 * PINS) {
            final long e = table[(index - 0x10) >> 1];
            return (int) ((index & 1) == 0 ? e : e >>> 32);
        }
        return 0; // 0x02 arbitration ID (QEMU: 0) and reserved indices
    }

    @Override
    public void mmioWrite(final long offset, final int size, final long value) {
        final int off = (int) (offset & 0xFF);
        if (off == IOREGSEL) {
            ioregsel = (int) value & 0xFF;
        } else if (off == IOWIN && size == 4) {
            writeIndexed(ioregsel, (int) value);
        } else if (off == EOI && size == 4) {
            eoi((int) value & 0xFF);
        }
    }

    private void writeIndexed(final int index, final int v) {
        if (index == 0x00) {
            id = (v >>> 24) & 0xF;
        } else if (index >= 0x10 && index < 0x10 + 2 * PINS) {
            final int pin = (index - 0x10) >> 1;
            final long old = table[pin];
            final long merged = (index & 1) == 0
                    ? (old & 0xFFFF_FFFF_0000_0000L) | (v & 0xFFFF_FFFFL)
                    : (old & 0xFFFF_FFFFL) | ((long) v << 32);
            long e = (merged & WRITABLE) | (old & REMOTE_IRR);
            if ((e & LEVEL) == 0) {
                e &= ~REMOTE_IRR; // Remote IRR is undefined for edge entries; keep it clear
            }
            table[pin] = e;
            if ((e & LEVEL) != 0 && (inputs & (1 << pin)) != 0) {
                irr |= 1 << pin;
            }
            service(pin);
        }
    }

    /** Redirection entry {@code pin} (for tests and inspection). */
    public long entry(final int pin) {
        return table[pin];
    }

    // ---- state -------------------------------------------------------------------------------------------

    @Override
    public String stateId() {
        return "ioapic";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(ioregsel).putInt(id).putInt(inputs).putInt(irr);
        for (final long e : table) {
            w.putLong(e);
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        ioregsel = r.getInt();
        id = r.getInt();
        inputs = r.getInt();
        irr = r.getInt();
        for (int i = 0; i < PINS; i++) {
            table[i] = r.getLong();
        }
    }
}
