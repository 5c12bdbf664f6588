package dev.dejavm.core.bus;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.EventSink;

import java.util.ArrayList;
import java.util.List;

/**
 * The x86 I/O port space: 65,536 byte-wide ports. Lookup is a 64K table of device indices (no maps, no boxing per
 * access). Devices are mapped only while the board is built; overlapping or empty ranges fail at that point.
 *
 * <p>Every access is reported to the {@link EventSink} after the device has answered, with the absolute port,
 * size and value. Accesses to unassigned ports read all-ones and are reported with
 * {@link EventKind#FLAG_UNASSIGNED}.
 */
public final class PortBus {
    private static final int PORTS = 0x10000;

    private final short[] owner = new short[PORTS]; // 0 = unassigned, else index + 1 into devices
    private final List<PortDevice> deviceList = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private PortDevice[] devices = new PortDevice[0];
    private int[] bases = new int[0];
    private EventSink sink = EventSink.NONE;

    /**
     * Maps {@code device} at ports {@code base .. base+length-1}.
     *
     * @throws IllegalArgumentException on overlap, zero length or a range beyond 0xFFFF (a board bug)
     */
    public void map(final int base, final int length, final PortDevice device, final String name) {
        if (length <= 0 || base < 0 || base + length > PORTS) {
            throw new IllegalArgumentException("port range " + hex(base) + "+" + length + " of '" + name + "' is empty or beyond 0xffff");
        }
        for (int p = base; p < base + length; p++) {
            if (owner[p] != 0) {
                throw new IllegalArgumentException("port " + hex(p) + " of '" + name + "' overlaps '" + names.get(owner[p] - 1) + "'");
            }
        }
        int index = deviceList.indexOf(device);
        if (index < 0 || bases[index] != base) {
            deviceList.add(device);
            names.add(name);
            index = deviceList.size() - 1;
            devices = deviceList.toArray(new PortDevice[0]);
            bases = java.util.Arrays.copyOf(bases, devices.length);
            bases[index] = base;
        }
        for (int p = base; p < base + length; p++) {
            owner[p] = (short) (index + 1);
        }
    }

    /**
     * Moves a mapped device to {@code newBase} (a PCI BAR or a chipset base register was reprogrammed by the guest),
     * or unmaps it when {@code newBase} is negative. Ports of another device are never taken over: if the new range
     * overlaps one, the device is left unmapped and false is returned (a guest error, as on hardware where decode
     * conflicts give undefined results).
     */
    public boolean move(final PortDevice device, final int length, final int newBase) {
        final int index = deviceList.indexOf(device);
        if (index < 0) {
            throw new IllegalArgumentException("device was never mapped");
        }
        for (int p = 0; p < PORTS; p++) {
            if (owner[p] == index + 1) {
                owner[p] = 0;
            }
        }
        if (newBase < 0 || newBase + length > PORTS) {
            return newBase < 0;
        }
        for (int p = newBase; p < newBase + length; p++) {
            if (owner[p] != 0) {
                return false;
            }
        }
        bases[index] = newBase;
        for (int p = newBase; p < newBase + length; p++) {
            owner[p] = (short) (index + 1);
        }
        return true;
    }

    public void setSink(final EventSink sink) {
        this.sink = sink;
    }

    /** @return the name of the device at {@code port}, or null */
    public String deviceName(final int port) {
        final int o = owner[port & 0xffff];
        return o == 0 ? null : names.get(o - 1);
    }

    /** Port read of 1, 2 or 4 bytes; returns the zero-extended value. */
    public int read(final int port, final int size) {
        final int p = port & 0xffff;
        final int o = owner[p];
        final int value;
        int flags = 0;
        if (o == 0) {
            value = mask(-1, size);
            flags = EventKind.FLAG_UNASSIGNED;
        } else {
            value = mask(readFrom(o - 1, p, size), size);
        }
        sink.onEvent(EventKind.PIO_READ, flags, p, size, value & 0xffffffffL);
        return value;
    }

    /** Port write of 1, 2 or 4 bytes. */
    public void write(final int port, final int size, final int value) {
        final int p = port & 0xffff;
        final int v = mask(value, size);
        final int o = owner[p];
        if (o != 0) {
            writeTo(o - 1, p, size, v);
        }
        sink.onEvent(EventKind.PIO_WRITE, o == 0 ? EventKind.FLAG_UNASSIGNED : 0, p, size, v & 0xffffffffL);
    }

    private int readFrom(final int index, final int port, final int size) {
        final PortDevice d = devices[index];
        final int offset = port - bases[index];
        if (size < d.minAccessSize()) {
            return -1;
        }
        if (size <= d.maxAccessSize()) {
            return d.ioRead(offset, size);
        }
        // Split into little-endian pieces of the widest size the device takes; pieces beyond its range read as
        // whatever owns those ports (usually nothing: all-ones).
        final int piece = d.maxAccessSize();
        int result = 0;
        for (int i = 0; i < size; i += piece) {
            final int p = (port + i) & 0xffff;
            final int o = owner[p];
            final int part = o == 0 ? -1 : (o - 1 == index ? d.ioRead(offset + i, piece) : readFrom(o - 1, p, piece));
            result |= mask(part, piece) << (8 * i);
        }
        return result;
    }

    private void writeTo(final int index, final int port, final int size, final int value) {
        final PortDevice d = devices[index];
        final int offset = port - bases[index];
        if (size < d.minAccessSize()) {
            return;
        }
        if (size <= d.maxAccessSize()) {
            d.ioWrite(offset, size, value);
            return;
        }
        final int piece = d.maxAccessSize();
        for (int i = 0; i < size; i += piece) {
            final int p = (port + i) & 0xffff;
            final int o = owner[p];
            final int part = mask(value >>> (8 * i), piece);
            if (o - 1 == index) {
                d.ioWrite(offset + i, piece, part);
            } else if (o != 0) {
                writeTo(o - 1, p, piece, part);
            }
        }
    }

    private static int mask(final int v, final int size) {
        return size >= 4 ? v : v & ((1 << (8 * size)) - 1);
    }

    private static String hex(final int v) {
        return "0x" + Integer.toHexString(v);
    }
}
