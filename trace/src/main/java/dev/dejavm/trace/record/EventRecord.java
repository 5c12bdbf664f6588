package dev.dejavm.trace.record;

import dev.dejavm.core.event.Engine;
import dev.dejavm.core.event.EventKind;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Flyweight over one journal event record: 56 bytes, little-endian, one Chronicle document each.
 *
 * <pre>
 *  0               8               16              24              32
 *  +---------------+---------------+---------------+---------------+
 *  | seq      u64  | icount   u64  | cycles   u64  | rip      u64  |
 *  +---------------+---------------+---------------+---------------+
 *  32              40              48   49   50   51   52          56
 *  +---------------+---------------+----+----+----+----+-----------+
 *  | address  u64  | value    u64  |kind|flag|size|eng | crc32c u32|
 *  +---------------+---------------+----+----+----+----+-----------+
 * </pre>
 *
 * seq counts records from 0; icount is the number of instructions completed before the one that caused the
 * event; cycles is virtual time in nanoseconds; rip the linear address of that instruction; kind an
 * {@link EventKind}; flags {@link EventKind#FLAG_UNASSIGNED}; size the access size in bytes (0 for machine
 * events); eng an {@link Engine}. Reserved bytes are zero.
 */
public final class EventRecord {
    public static final int SEQ_OFFSET = 0;
    public static final int ICOUNT_OFFSET = 8;
    public static final int CYCLES_OFFSET = 16;
    public static final int RIP_OFFSET = 24;
    public static final int ADDRESS_OFFSET = 32;
    public static final int VALUE_OFFSET = 40;
    public static final int KIND_OFFSET = 48;
    public static final int FLAGS_OFFSET = 49;
    public static final int SIZE_OFFSET = 50;
    public static final int ENGINE_OFFSET = 51;
    public static final int CRC_OFFSET = 52;
    public static final int LENGTH = 56;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final byte[] bytes = new byte[LENGTH];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private final CRC32C crc = new CRC32C();

    /** The backing array (exactly {@link #LENGTH} bytes). */
    public byte[] bytes() {
        return bytes;
    }

    public EventRecord set(final long seq, final long icount, final long cycles, final long rip, final int kind,
                           final int flags, final long address, final int size, final long value, final int engine) {
        buffer.putLong(SEQ_OFFSET, seq, LE);
        buffer.putLong(ICOUNT_OFFSET, icount, LE);
        buffer.putLong(CYCLES_OFFSET, cycles, LE);
        buffer.putLong(RIP_OFFSET, rip, LE);
        buffer.putLong(ADDRESS_OFFSET, address, LE);
        buffer.putLong(VALUE_OFFSET, value, LE);
        buffer.putByte(KIND_OFFSET, (byte) kind);
        buffer.putByte(FLAGS_OFFSET, (byte) flags);
        buffer.putByte(SIZE_OFFSET, (byte) size);
        buffer.putByte(ENGINE_OFFSET, (byte) engine);
        buffer.putInt(CRC_OFFSET, computeCrc(), LE);
        return this;
    }

    private int computeCrc() {
        crc.reset();
        crc.update(bytes, 0, CRC_OFFSET);
        return (int) crc.getValue();
    }

    /** True if the stored checksum matches the contents. */
    public boolean checksumValid() {
        return buffer.getInt(CRC_OFFSET, LE) == computeCrc();
    }

    public void copyFrom(final EventRecord other) {
        System.arraycopy(other.bytes, 0, bytes, 0, LENGTH);
    }

    public long seq() {
        return buffer.getLong(SEQ_OFFSET, LE);
    }

    public long icount() {
        return buffer.getLong(ICOUNT_OFFSET, LE);
    }

    public long cycles() {
        return buffer.getLong(CYCLES_OFFSET, LE);
    }

    public long rip() {
        return buffer.getLong(RIP_OFFSET, LE);
    }

    public long address() {
        return buffer.getLong(ADDRESS_OFFSET, LE);
    }

    public long value() {
        return buffer.getLong(VALUE_OFFSET, LE);
    }

    public int kind() {
        return buffer.getByte(KIND_OFFSET) & 0xFF;
    }

    public int flags() {
        return buffer.getByte(FLAGS_OFFSET) & 0xFF;
    }

    public int size() {
        return buffer.getByte(SIZE_OFFSET) & 0xFF;
    }

    public int engine() {
        return buffer.getByte(ENGINE_OFFSET) & 0xFF;
    }

    /** Equal in every field except the sequence number. */
    public boolean sameEvent(final EventRecord o) {
        return java.util.Arrays.equals(bytes, ICOUNT_OFFSET, CRC_OFFSET, o.bytes, ICOUNT_OFFSET, CRC_OFFSET);
    }
}
