package dev.dejavm.core.event;

/**
 * Where execution is when an event happens: read by the event sink for every record. Implemented by the engine
 * that currently runs the guest (the interpreter, or the KVM loop).
 */
public interface ExecutionStamp {
    /** Instructions completed before the current one. */
    long icount();

    /** Virtual time in nanoseconds (the timeline's clock). */
    long cycles();

    /** Linear address (CS base + IP) of the instruction being executed. */
    long rip();

    /** {@link Engine} value. */
    int engine();
}
