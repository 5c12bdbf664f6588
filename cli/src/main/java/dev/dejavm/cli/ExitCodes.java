package dev.dejavm.cli;

/** Process exit statuses (ARCHITECTURE.md, "Command line"). */
public final class ExitCodes {
    /** Success: the guest ended cleanly, the replay matched. */
    public static final int OK = 0;
    /** The guest crashed or hung, or a replay diverged (reported). */
    public static final int GUEST_FAILURE = 1;
    /** Bad usage or a bad input file (one-line message, nothing half-written). */
    public static final int BAD_INPUT = 2;
    /** The environment lacks something (e.g. /dev/kvm for --accel kvm). */
    public static final int ENVIRONMENT = 3;

    private ExitCodes() {
    }
}
