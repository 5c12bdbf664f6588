package dev.dejavm.core.bus;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.EventSink;

import java.util.Arrays;

/**
 * Memory-mapped I/O regions: a sorted array of non-overlapping ranges searched by binary search. Only addresses
 * that {@link dev.dejavm.core.mem.PhysicalMemory} does not back with RAM or ROM reach this bus. Unassigned reads
 * return {@link #unassignedReadValue()} (all-ones unless the board says otherwise) and are journaled with
 * {@link EventKind#FLAG_UNASSIGNED}; unassigned writes are dropped and journaled.
 */
public final class MmioBus {
    private long[] starts = new long[0];
    private long[] ends = new long[0]; // exclusive
    private MmioDevice[] devices = new MmioDevice[0];
    private String[] names = new String[0];
    private EventSink sink = EventSink.NONE;
    private long unassignedRead = -1L;

    /**
     * Maps {@code device} at {@code [base, base+length)}.
     *
     * @throws IllegalArgumentException on overlap or zero length (a board bug)
     */
    public void map(final long base, final long length, final MmioDevice device, final String name) {
        if (length <= 0 || base < 0 || base + length < base) {
            throw new IllegalArgumentException("MMIO range 0x" + Long.toHexString(base) + "+" + length + " of '" + name + "' is empty or wraps");
        }
        int at = 0;
        while (at < starts.length && starts[at] < base) {
            at++;
        }
        if (at > 0 && ends[at - 1] > base) {
            throw new IllegalArgumentException("MMIO range of '" + name + "' overlaps '" + names[at - 1] + "'");
        }
        if (at < starts.length && starts[at] < base + length) {
            throw new IllegalArgumentException("MMIO range of '" + name + "' overlaps '" + names[at] + "'");
        }
        starts = insert(starts, at, base);
        ends = insert(ends, at, base + length);
        devices = insert(devices, at, device);
        names = insert(names, at, name);
    }

    /**
     * Moves {@code device}'s region (a PCI BAR or a chipset window the guest programs): removes its current range,
     * if any, and maps {@code length} bytes at {@code newBase}, or nothing when {@code newBase} is negative.
     *
     * @return false, with the device left unmapped, when the new range would overlap another device (a guest
     *         programming a BAR over a chipset window: QEMU then lets one region win; here the device is simply
     *         not decoded until the guest moves it somewhere free)
     */
    public boolean move(final MmioDevice device, final long length, final long newBase) {
        for (int i = 0; i < devices.length; i++) {
            if (devices[i] == device) {
                starts = remove(starts, i);
                ends = remove(ends, i);
                final String name = names[i];
                devices = remove(devices, i);
                names = remove(names, i);
                if (newBase < 0) {
                    return true;
                }
                return tryMap(newBase, length, device, name);
            }
        }
        return newBase < 0 || tryMap(newBase, length, device, device.getClass().getSimpleName());
    }

    /** Maps {@code device} under {@code name} when the range is free and inside the 64-bit space; false otherwise. */
    public boolean tryMap(final long base, final long length, final MmioDevice device, final String name) {
        try {
            map(base, length, device, name);
            return true;
        } catch (final IllegalArgumentException overlap) {
            return false;
        }
    }

    public void setSink(final EventSink sink) {
        this.sink = sink;
    }

    /** Value returned for reads that hit no device (all-ones by default; QEMU's pc returns 0 for memory). */
    public long unassignedReadValue() {
        return unassignedRead;
    }

    public void setUnassignedReadValue(final long value) {
        this.unassignedRead = value;
    }

    /** @return true if a device claims {@code address} */
    public boolean isMapped(final long address) {
        return find(address) >= 0;
    }

    /** All mapped ranges as {start, endExclusive} pairs, in address order (for the memory map and KVM slots). */
    public long[][] ranges() {
        final long[][] r = new long[starts.length][];
        for (int i = 0; i < starts.length; i++) {
            r[i] = new long[] {starts[i], ends[i]};
        }
        return r;
    }

    public long read(final long address, final int size) {
        final int i = find(address);
        final long value;
        int flags = 0;
        if (i < 0) {
            value = mask(unassignedRead, size);
            flags = EventKind.FLAG_UNASSIGNED;
        } else {
            value = mask(readFrom(i, address, size), size);
        }
        sink.onEvent(EventKind.MMIO_READ, flags, address, size, value);
        return value;
    }

    public void write(final long address, final int size, final long value) {
        final long v = mask(value, size);
        final int i = find(address);
        if (i >= 0) {
            writeTo(i, address, size, v);
        }
        sink.onEvent(EventKind.MMIO_WRITE, i < 0 ? EventKind.FLAG_UNASSIGNED : 0, address, size, v);
    }

    private long readFrom(final int i, final long address, final int size) {
        final MmioDevice d = devices[i];
        if (size < d.minAccessSize()) {
            return -1L;
        }
        if (size <= d.maxAccessSize()) {
            return d.mmioRead(address - starts[i], size);
        }
        final int piece = d.maxAccessSize();
        long result = 0;
        for (int k = 0; k < size; k += piece) {
            final long a = address + k;
            final long part = a < ends[i] ? d.mmioRead(a - starts[i], piece) : -1L;
            result |= mask(part, piece) << (8 * k);
        }
        return result;
    }

    private void writeTo(final int i, final long address, final int size, final long value) {
        final MmioDevice d = devices[i];
        if (size < d.minAccessSize()) {
            return;
        }
        if (size <= d.maxAccessSize()) {
            d.mmioWrite(address - starts[i], size, value);
            return;
        }
        final int piece = d.maxAccessSize();
        for (int k = 0; k < size; k += piece) {
            final long a = address + k;
            if (a < ends[i]) {
                d.mmioWrite(a - starts[i], piece, mask(value >>> (8 * k), piece));
            }
        }
    }

    private int find(final long address) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(address, starts[mid]) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address, ends[mid]) >= 0) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private static long mask(final long v, final int size) {
        return size >= 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    private static long[] remove(final long[] a, final int at) {
        final long[] r = Arrays.copyOf(a, a.length - 1);
        System.arraycopy(a, at + 1, r, at, a.length - at - 1);
        return r;
    }

    private static <T> T[] remove(final T[] a, final int at) {
        final T[] r = Arrays.copyOf(a, a.length - 1);
        System.arraycopy(a, at + 1, r, at, a.length - at - 1);
        return r;
    }

    private static long[] insert(final long[] a, final int at, final long v) {
        final long[] r = Arrays.copyOf(a, a.length + 1);
        System.arraycopy(a, at, r, at + 1, a.length - at);
        r[at] = v;
        return r;
    }

    private static <T> T[] insert(final T[] a, final int at, final T v) {
        final T[] r = Arrays.copyOf(a, a.length + 1);
        System.arraycopy(a, at, r, at + 1, a.length - at);
        r[at] = v;
        return r;
    }
}
