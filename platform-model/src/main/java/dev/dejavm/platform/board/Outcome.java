package dev.dejavm.platform.board;

/** How a run ended. The exit status follows ARCHITECTURE.md: 0 for a clean end, 1 for a crash or hang. */
public enum Outcome {
    POWER_OFF("power-off", 0),
    RESET("reset", 0),
    TRIPLE_FAULT("triple fault", 1),
    HALT("halt with interrupts off", 1),
    /** HLT with interrupts enabled but no timer deadline or interrupt source left that could wake the CPU. */
    IDLE("halted with nothing left to wake the CPU", 1),
    INSN_LIMIT("instruction limit reached", 1),
    TIME_LIMIT("virtual time limit reached", 1),
    /** Stopped from outside (e.g. a replay that found a divergence). */
    ABORTED("stopped", 1),
    /** Reached the instruction count {@link Machine#runUntil} asked for; the machine can run on. */
    PAUSED("paused", 0);

    private final String text;
    private final int exitStatus;

    Outcome(final String text, final int exitStatus) {
        this.text = text;
        this.exitStatus = exitStatus;
    }

    public String text() {
        return text;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
