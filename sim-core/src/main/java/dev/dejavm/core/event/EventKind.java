package dev.dejavm.core.event;

/**
 * Kinds of journaled events. The numeric values are part of the journal format (docs/journal-format.md): never
 * renumber, only append.
 */
public final class EventKind {
    public static final int PIO_READ = 1;
    public static final int PIO_WRITE = 2;
    public static final int MMIO_READ = 3;
    public static final int MMIO_WRITE = 4;
    /** Machine reset; address = {@link ResetCause}. */
    public static final int RESET = 5;
    /** ACPI S5 or equivalent: the guest asked to be switched off. */
    public static final int POWER_OFF = 6;
    /** Shutdown after a triple fault; address = the vector that could not be delivered, value = error code. */
    public static final int TRIPLE_FAULT = 7;
    /** HLT that nothing can end: value 0 = interrupts disabled, 1 = enabled but no timer or interrupt source left. */
    public static final int HALT = 8;
    /** The instruction limit given by the user was reached. */
    public static final int INSN_LIMIT = 9;
    /** The virtual-time limit given by the user was reached. */
    public static final int TIME_LIMIT = 10;
    /** An exception escalated to a double fault; address = first vector, value = second vector. */
    public static final int DOUBLE_FAULT = 11;

    /**
     * End of the recording, written by the journal after the run's last event: address = number of event records
     * before it. A journal without it was cut off (the recording process died).
     */
    public static final int END = 12;

    /** A value RDRAND (address 0) or RDSEED (address 1) returned; size in bytes. */
    public static final int RANDOM = 13;

    /** A byte typed into a serial port by the input script: address = the port's base, value = the byte. */
    public static final int INPUT = 14;

    /**
     * A checkpoint: the whole machine state at this instruction boundary was saved beside the journal; address =
     * the checkpoint's number (from 1).
     */
    public static final int CHECKPOINT = 15;

    /** fw_cfg item selected (by port or DMA): address = the key, value = the item's size (0 if it does not exist). */
    public static final int FW_CFG_SELECT = 16;

    /**
     * A fw_cfg DMA transfer: address = guest address, value = length << 32 | CRC-32C of the bytes written to guest
     * memory (0 for skip and for errors), size = the control bits (1 error, 2 read, 4 skip, 8 select, 16 write).
     */
    public static final int FW_CFG_DMA = 17;

    /** The CPU took an external interrupt: address = vector, value = 0 local APIC/I/O APIC, 1 the 8259A. */
    public static final int INTERRUPT = 18;

    /** An ISA interrupt line changed level: address = IRQ number, value = the new level (0 or 1). */
    public static final int IRQ_LINE = 19;

    /**
     * The seeded perturbation of a warm reset (run --seed): address = the reset's number (from 1), value = the virtual
     * time in ns the reset took (the timers ran on meanwhile).
     */
    public static final int RESET_LATENCY = 20;

    /** The highest kind this version defines. */
    public static final int LAST = RESET_LATENCY;

    /** Flag bit: the access hit no device (unassigned port or address). */
    public static final int FLAG_UNASSIGNED = 1;

    private EventKind() {
    }

    public static String name(final int kind) {
        return switch (kind) {
            case PIO_READ -> "pio-read";
            case PIO_WRITE -> "pio-write";
            case MMIO_READ -> "mmio-read";
            case MMIO_WRITE -> "mmio-write";
            case RESET -> "reset";
            case POWER_OFF -> "power-off";
            case TRIPLE_FAULT -> "triple-fault";
            case HALT -> "halt";
            case INSN_LIMIT -> "insn-limit";
            case TIME_LIMIT -> "time-limit";
            case DOUBLE_FAULT -> "double-fault";
            case END -> "end";
            case RANDOM -> "random";
            case INPUT -> "input";
            case CHECKPOINT -> "checkpoint";
            case FW_CFG_SELECT -> "fw-cfg-select";
            case FW_CFG_DMA -> "fw-cfg-dma";
            case INTERRUPT -> "interrupt";
            case IRQ_LINE -> "irq-line";
            case RESET_LATENCY -> "reset-latency";
            default -> "kind-" + kind;
        };
    }

    /** @return the kind for a name as printed by {@link #name(int)}, or -1 */
    public static int parse(final String name) {
        for (int k = 1; k <= LAST; k++) {
            if (name(k).equals(name)) {
                return k;
            }
        }
        return -1;
    }
}
