package dev.dejavm.core.bus;

/**
 * A device on the MMIO bus. Like {@link PortDevice} it sees offsets within its own region and only the access
 * sizes it declares; the bus splits or rejects the rest.
 */
public interface MmioDevice {
    /** @param size 1, 2, 4 or 8 bytes */
    long mmioRead(long offset, int size);

    void mmioWrite(long offset, int size, long value);

    default int minAccessSize() {
        return 1;
    }

    default int maxAccessSize() {
        return 8;
    }
}
