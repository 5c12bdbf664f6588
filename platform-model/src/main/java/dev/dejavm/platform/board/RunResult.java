package dev.dejavm.platform.board;

/**
 * The end of a run.
 *
 * @param outcome      how it ended
 * @param instructions instructions executed in all boots
 * @param virtualNs    virtual time at the end, nanoseconds
 * @param resets       guest resets gone through (including the one that ended the run, if any)
 * @param detail       extra text for the report (e.g. the CPU state at a triple fault), or ""
 */
public record RunResult(Outcome outcome, long instructions, long virtualNs, int resets, String detail) {
}
