package dev.dejavm.core.event;

/** Why a machine reset happened; journaled in the RESET record's address field. Values are part of the format. */
public final class ResetCause {
    public static final int POWER_ON = 0;
    /** Reset control register 0xCF9. */
    public static final int PORT_CF9 = 1;
    /** Port 0x92 bit 0 (fast reset). */
    public static final int PORT_92 = 2;
    /** i8042 output-port pulse (command 0xFE). */
    public static final int KBC = 3;
    /** ACPI FADT reset register. */
    public static final int ACPI = 4;
    /** The CPU shut down after a triple fault and the board turned that into a reset. */
    public static final int TRIPLE_FAULT = 5;

    private ResetCause() {
    }

    public static String name(final int cause) {
        return switch (cause) {
            case POWER_ON -> "power-on";
            case PORT_CF9 -> "cf9";
            case PORT_92 -> "port92";
            case KBC -> "kbc";
            case ACPI -> "acpi";
            case TRIPLE_FAULT -> "triple-fault";
            default -> "cause-" + cause;
        };
    }
}
