package dev.dejavm.core.event;

/**
 * Receives every journaled event. Implementations must not allocate per call: this is on the hot path of every
 * port and MMIO access. The sink obtains sequence number, instruction count, virtual time and RIP itself from the
 * {@link ExecutionStamp} it was built with.
 */
public interface EventSink {
    /** A sink that drops everything (journal off). */
    EventSink NONE = (kind, flags, address, size, value) -> {
    };

    /**
     * @param kind    an {@link EventKind}
     * @param flags   {@link EventKind#FLAG_UNASSIGNED} and future bits
     * @param address port number, physical address, or a kind-specific value
     * @param size    access size in bytes (0 for non-access events)
     * @param value   value read or written, or a kind-specific value
     */
    void onEvent(int kind, int flags, long address, int size, long value);
}
