package dev.dejavm.decoder;

/** Outcome of one decode. */
public final class DecodeStatus {
    public static final int OK = 0;
    /** The bytes do not form a valid instruction in this mode (the CPU raises #UD). */
    public static final int INVALID = 1;
    /** The buffer ended before the instruction did. */
    public static final int TRUNCATED = 2;
    /** The instruction would be longer than 15 bytes (the CPU raises #GP). */
    public static final int TOO_LONG = 3;

    private DecodeStatus() {
    }

    public static String name(final int status) {
        return switch (status) {
            case OK -> "ok";
            case INVALID -> "invalid";
            case TRUNCATED -> "truncated";
            case TOO_LONG -> "too-long";
            default -> "status-" + status;
        };
    }
}
