package dev.dejavm.core.cpu;

/** Why {@link Interpreter#run(long)} returned. */
public final class StopReason {
    /** The instruction budget was spent. */
    public static final int BUDGET = 0;
    /** HLT with interrupts disabled, or with nothing left that could wake the CPU (no deadline, no source). */
    public static final int HALT = 1;
    /** An exception could not be delivered while delivering a double fault: the CPU shut down. */
    public static final int TRIPLE_FAULT = 2;
    /** {@link Interpreter#requestStop()} was called (a device asked for a reset or power-off, a limit timer fired). */
    public static final int REQUEST = 3;

    private StopReason() {
    }
}
