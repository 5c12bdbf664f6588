package dev.dejavm.core.bus;

/**
 * The narrow interface through which a device asks for a machine-level effect. Requests are latched and acted on
 * by the run loop at the next instruction boundary (the instruction that caused them completes first, as on
 * hardware where a reset or S5 transition takes effect after the I/O write retires).
 */
public interface SystemControl {
    /** @param cause one of {@link dev.dejavm.core.event.ResetCause} */
    void requestReset(int cause);

    void requestPowerOff();

    /**
     * Drives the A20 gate (port 0x92 bit 1, the i8042 output port bit 1); takes effect at once, as the next memory
     * access sees the new address mask. Boards without an A20 gate ignore it.
     */
    default void setA20(final boolean enabled) {
    }
}
