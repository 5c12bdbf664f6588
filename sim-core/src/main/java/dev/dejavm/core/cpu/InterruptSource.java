package dev.dejavm.core.cpu;

/** The CPU's INTR input (an interrupt controller). Polled at instruction boundaries while RFLAGS.IF = 1. */
public interface InterruptSource {
    /** @return true if a maskable interrupt is pending */
    boolean pending();

    /** Interrupt acknowledge: @return the vector of the highest-priority pending interrupt (consumed) */
    int acknowledge();
}
