package dev.dejavm.core.bus;

/**
 * A device on the I/O port bus. It sees offsets relative to the base the board mapped it at, never absolute
 * port numbers, and only access sizes within {@link #minAccessSize()}..{@link #maxAccessSize()}: the bus splits
 * wider accesses into little-endian pieces and rejects narrower ones (reads all-ones, writes dropped), so a device
 * never re-checks widths.
 *
 * <p>Guest errors never throw: an unknown register reads as the device chooses (usually all-ones) and writes to
 * it are ignored.
 */
public interface PortDevice {
    /** @param size 1, 2 or 4 bytes; result is masked by the bus to {@code size} bytes */
    int ioRead(int offset, int size);

    void ioWrite(int offset, int size, int value);

    default int minAccessSize() {
        return 1;
    }

    default int maxAccessSize() {
        return 4;
    }
}
