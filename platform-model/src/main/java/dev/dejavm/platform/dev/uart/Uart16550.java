package dev.dejavm.platform.dev.uart;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.platform.dev.IrqLine;

import java.util.function.IntConsumer;

/**
 * National Semiconductor PC16550D UART (datasheet, "Registers", Table II), eight ports. Transmission is instant in
 * virtual time: a byte written to THR goes to the console sink at once and LSR always shows THRE | TEMT. Receive
 * is fed by {@link #inject(int)} into a 16-byte FIFO (LSR.DR, overrun on a full FIFO).
 *
 * <p>Implemented: RBR/THR, IER, IIR (with FIFO bits 0xC0 when FCR enabled the FIFOs), FCR (enable, clear RX/TX),
 * LCR with DLAB and the divisor latch, MCR (loopback not modelled), LSR, MSR (CTS/DSR/DCD reported present when
 * MCR asserts DTR/RTS, as a null-modem peer), SCR. Interrupts: received-data and THR-empty, on the IRQ line.
 */
public final class Uart16550 implements PortDevice, Resettable, Snapshottable {
    public static final int RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    public static final int LCR_DLAB = 0x80;
    public static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    public static final int IER_RDA = 0x01, IER_THRE = 0x02;
    public static final int IIR_NONE = 0x01, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_FIFO = 0xC0;
    private static final int FIFO_SIZE = 16;

    private final IntConsumer out;
    private final IrqLine irq;
    private final int[] rx = new int[FIFO_SIZE];
    private int rxHead;
    private int rxCount;
    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int dll;
    private int dlm;
    private int fcr;
    private boolean overrun;
    /** THR-empty interrupt pending (set by a transmit or IER write, cleared by reading IIR or writing THR). */
    private boolean thrPending;

    public Uart16550(final IntConsumer out, final IrqLine irq) {
        this.out = out;
        this.irq = irq;
    }

    /** Whether the receive FIFO has room for another byte. */
    public boolean canReceive() {
        return rxCount < FIFO_SIZE;
    }

    /** Queues a received byte (serial input). @return false if the FIFO overflowed */
    public boolean inject(final int b) {
        if (rxCount == FIFO_SIZE) {
            overrun = true;
            return false;
        }
        rx[(rxHead + rxCount) % FIFO_SIZE] = b & 0xFF;
        rxCount++;
        updateIrq();
        return true;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        switch (offset) {
            case RBR_THR -> {
                if ((lcr & LCR_DLAB) != 0) {
                    return dll;
                }
                if (rxCount == 0) {
                    return 0;
                }
                final int b = rx[rxHead];
                rxHead = (rxHead + 1) % FIFO_SIZE;
                rxCount--;
                updateIrq();
                return b;
            }
            case IER -> {
                return (lcr & LCR_DLAB) != 0 ? dlm : ier;
            }
            case IIR_FCR -> {
                final int id = interruptId();
                if (id == IIR_THRE) {
                    thrPending = false;
                    updateIrq();
                }
                return id | ((fcr & 1) != 0 ? IIR_FIFO : 0);
            }
            case LCR -> {
                return lcr;
            }
            case MCR -> {
                return mcr;
            }
            case LSR -> {
                int v = LSR_THRE | LSR_TEMT | (rxCount > 0 ? LSR_DR : 0) | (overrun ? LSR_OE : 0);
                overrun = false;
                return v;
            }
            case MSR -> {
                // CTS, DSR, DCD follow RTS/DTR as if looped through a null-modem cable.
                int v = 0;
                if ((mcr & 0x02) != 0) {
                    v |= 0x10;
                }
                if ((mcr & 0x01) != 0) {
                    v |= 0x20 | 0x80;
                }
                return v;
            }
            default -> {
                return scr;
            }
        }
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        final int v = value & 0xFF;
        switch (offset) {
            case RBR_THR -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dll = v;
                } else {
                    out.accept(v);
                    thrPending = true;
                    updateIrq();
                }
            }
            case IER -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = v;
                } else {
                    final boolean enablingThre = (v & IER_THRE) != 0 && (ier & IER_THRE) == 0;
                    ier = v & 0x0F;
                    if (enablingThre) {
                        thrPending = true; // THR is always empty: enabling the interrupt raises it at once
                    }
                    updateIrq();
                }
            }
            case IIR_FCR -> {
                fcr = v & 0xC9;
                if ((v & 0x02) != 0) {
                    rxCount = 0;
                    rxHead = 0;
                    updateIrq();
                }
            }
            case LCR -> lcr = v;
            case MCR -> mcr = v & 0x1F;
            case LSR, MSR -> {
                // read-only (factory test writes ignored)
            }
            default -> scr = v;
        }
    }

    private int interruptId() {
        if ((ier & IER_RDA) != 0 && rxCount > 0) {
            return IIR_RDA;
        }
        if ((ier & IER_THRE) != 0 && thrPending) {
            return IIR_THRE;
        }
        return IIR_NONE;
    }

    private void updateIrq() {
        irq.set(interruptId() != IIR_NONE && (mcr & 0x08) != 0); // OUT2 gates the IRQ on PCs
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    @Override
    public void reset(final ResetKind kind) {
        rxHead = 0;
        rxCount = 0;
        ier = 0;
        lcr = 0;
        mcr = 0;
        scr = 0;
        dll = 0x0C; // 9600 baud, as after a hardware reset on PCs
        dlm = 0;
        fcr = 0;
        overrun = false;
        thrPending = false;
        irq.set(false);
    }

    @Override
    public String stateId() {
        return "uart16550";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        for (final int b : rx) {
            w.putByte(b);
        }
        w.putInt(rxHead).putInt(rxCount).putByte(ier).putByte(lcr).putByte(mcr).putByte(scr).putByte(dll).putByte(dlm)
                .putByte(fcr).putBoolean(overrun).putBoolean(thrPending);
    }

    @Override
    public void load(final StateReader r, final int version) {
        for (int i = 0; i < FIFO_SIZE; i++) {
            rx[i] = r.getByte();
        }
        rxHead = r.getInt();
        rxCount = r.getInt();
        ier = r.getByte();
        lcr = r.getByte();
        mcr = r.getByte();
        scr = r.getByte();
        dll = r.getByte();
        dlm = r.getByte();
        fcr = r.getByte();
        overrun = r.getBoolean();
        thrPending = r.getBoolean();
    }
}
