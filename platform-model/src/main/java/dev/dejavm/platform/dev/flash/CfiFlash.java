package dev.dejavm.platform.dev.flash;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An Intel-command-set (CFI primary algorithm 0001) parallel flash chip, 8 bits wide with 4 KiB erase blocks, as
 * QEMU's {@code pflash_cfi01} presents OVMF's code and variable stores on x86 (manufacturer 0x89, device 0x18).
 *
 * <p>In read-array mode the board maps the contents as a ROM device (reads from memory, writes here); the first
 * command takes the chip out of it ({@link ModeListener}) and reads come here until the guest returns to read-array
 * mode. Commands (Intel StrataFlash command set; the cycle-by-cycle behaviour is QEMU's, which firmware written
 * for QEMU expects):
 * <ul>
 *   <li>0xFF, 0x00, 0xF0: read array. 0x50: clear status (status becomes 0x00) and read array.</li>
 *   <li>0x70: read status. 0x90: read identifier (offset 0: manufacturer, 1: device). 0x98: CFI query.</li>
 *   <li>0x10/0x40 then data: program. The byte is stored as written (QEMU's model; real cells could only clear
 *       bits, which correct drivers never rely on); status bit 7 (ready) set, bit 4 on a read-only chip.</li>
 *   <li>0x20 then 0xD0: erase the 4 KiB block (QEMU erases on the first cycle); status bit 5 on a read-only chip.
 *       Any other second cycle is a command-sequence error.</li>
 *   <li>0x60 then 0xD0/0x01: block (un)lock, accepted and ignored. 0xE8: buffered write (count, data, 0xD0).</li>
 *   <li>Anything else is logged through the {@link ErrorLog} and the chip returns to read-array mode, as QEMU.</li>
 * </ul>
 * While in a status mode (after program, erase, 0x70 or 0x50's predecessors) every read returns the status byte
 * (replicated into bits 23:16 for 4-byte reads, QEMU's behaviour for a chip without a device width).
 *
 * <p>Modified bytes are reported to a {@link Persistence} (the variable store file). Every offset the guest gives
 * is reduced to the chip's size, so no command reaches outside the chip's contents.
 */
public final class CfiFlash implements MmioDevice, Resettable, Snapshottable {
    public static final int BLOCK_SIZE = 4096;
    public static final int MANUFACTURER = 0x89;
    public static final int DEVICE = 0x18;

    /** Told when the chip enters (true) or leaves (false) read-array mode. */
    @FunctionalInterface
    public interface ModeListener {
        void onReadArray(boolean readArray);
    }

    /** Told which bytes changed (to persist them). */
    @FunctionalInterface
    public interface Persistence {
        Persistence NONE = (offset, length) -> {
        };

        void written(long offset, long length);
    }

    /** Told about command sequences a real driver never sends. */
    @FunctionalInterface
    public interface ErrorLog {
        void unexpected(String message);
    }

    private final String name;
    private final MemorySegment contents;
    private final long size;
    private final boolean readOnly;
    private final byte[] cfi;
    private ModeListener modeListener = readArray -> {
    };
    private Persistence persistence = Persistence.NONE;
    private ErrorLog errorLog = message -> {
    };
    private int cmd;
    private int wcycle;
    private int status;
    private long counter;

    public CfiFlash(final String name, final MemorySegment contents, final boolean readOnly) {
        if (contents.byteSize() % BLOCK_SIZE != 0 || contents.byteSize() == 0) {
            throw new IllegalArgumentException("flash size must be a non-zero multiple of 4 KiB");
        }
        this.name = name;
        this.contents = contents;
        this.size = contents.byteSize();
        this.readOnly = readOnly;
        this.cfi = cfiTable(size);
        this.status = 0x80;
    }

    public void setModeListener(final ModeListener l) {
        this.modeListener = l;
    }

    public void setPersistence(final Persistence p) {
        this.persistence = p;
    }

    public void setErrorLog(final ErrorLog log) {
        this.errorLog = log;
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    public MemorySegment contents() {
        return contents;
    }

    public boolean inReadArrayMode() {
        return wcycle == 0 && (cmd == 0x00 || cmd == 0xFF);
    }

    /**
     * The CFI query table (JEDEC JESD68.01 / Intel AP-646 layout, byte-wide): "QRY", primary command set 0001 with
     * its extended table at 0x31, timing fields, the device size as a power of two, x8 interface, one erase-block
     * region of 4 KiB blocks.
     */
    static byte[] cfiTable(final long size) {
        final byte[] t = new byte[0x40];
        t[0x10] = 'Q';
        t[0x11] = 'R';
        t[0x12] = 'Y';
        t[0x13] = 0x01; // primary algorithm: Intel/Sharp extended
        t[0x15] = 0x31; // primary extended table address
        t[0x1B] = 0x45; // Vcc min 4.5 V
        t[0x1C] = 0x55; // Vcc max 5.5 V
        t[0x1F] = 0x07; // typical byte program 2^7 us
        t[0x20] = 0x07; // typical buffer write 2^7 us
        t[0x21] = 0x0A; // typical block erase 2^10 ms
        t[0x23] = 0x04;
        t[0x24] = 0x04;
        t[0x25] = 0x04;
        t[0x27] = (byte) (63 - Long.numberOfLeadingZeros(Long.highestOneBit(size))); // device size 2^n
        t[0x28] = 0x00; // x8 interface
        t[0x2A] = 0x0B; // max buffered write 2^11 bytes
        t[0x2C] = 0x01; // one erase block region
        final long blocks = size / BLOCK_SIZE - 1;
        t[0x2D] = (byte) blocks;
        t[0x2E] = (byte) (blocks >>> 8);
        t[0x2F] = (byte) ((BLOCK_SIZE / 256) & 0xFF);
        t[0x30] = (byte) ((BLOCK_SIZE / 256) >>> 8);
        t[0x31] = 'P';
        t[0x32] = 'R';
        t[0x33] = 'I';
        t[0x34] = '1';
        t[0x35] = '0';
        return t;
    }

    private long bound(final long offset) {
        return Math.floorMod(offset, size);
    }

    @Override
    public long mmioRead(final long offset, final int width) {
        final long off = bound(offset);
        switch (cmd) {
            case 0x10, 0x20, 0x28, 0x40, 0x50, 0x60, 0x70, 0xE8 -> {
                return width > 2 ? (status | (long) status << 16) : status;
            }
            case 0x90 -> {
                final int b = (int) (off & 0xFF);
                return b == 0 ? MANUFACTURER : b == 1 ? DEVICE : 0;
            }
            case 0x98 -> {
                final int b = (int) (off & 0xFF);
                return b < cfi.length ? cfi[b] & 0xFF : 0;
            }
            default -> {
                long v = 0;
                for (int i = 0; i < width; i++) {
                    v |= (long) (contents.get(ValueLayout.JAVA_BYTE, bound(off + i)) & 0xFF) << (8 * i);
                }
                return v;
            }
        }
    }

    @Override
    public void mmioWrite(final long offset, final int width, final long value) {
        final long off = bound(offset);
        final int c = (int) (value & 0xFF);
        final boolean wasReadArray = inReadArrayMode();
        switch (wcycle) {
            case 0 -> {
                switch (c) {
                    case 0x00, 0xF0, 0xFF -> {
                        readArray();
                        return;
                    }
                    case 0x50 -> {
                        status = 0;
                        readArray();
                        return;
                    }
                    case 0x70, 0x90 -> {
                        cmd = c;
                        leftReadArray(wasReadArray);
                        return;
                    }
                    case 0x10, 0x40, 0x60, 0x98 -> {
                    }
                    case 0x20, 0x28 -> eraseBlock(off);
                    case 0xE8 -> status |= 0x80;
                    default -> {
                        error(off, value);
                        return;
                    }
                }
                wcycle = 1;
                cmd = c;
                leftReadArray(wasReadArray);
            }
            case 1 -> {
                switch (cmd) {
                    case 0x10, 0x40 -> {
                        program(off, width, value);
                        status |= 0x80;
                        wcycle = 0;
                    }
                    case 0x20, 0x28 -> {
                        if (c == 0xD0) {
                            wcycle = 0;
                            status |= 0x80;
                        } else if (c == 0xFF) {
                            readArray();
                        } else {
                            error(off, value);
                        }
                    }
                    case 0x60 -> {
                        if (c == 0xD0 || c == 0x01) {
                            wcycle = 0;
                            status |= 0x80;
                        } else {
                            readArray();
                        }
                    }
                    case 0x98 -> {
                        if (c == 0xFF) {
                            readArray();
                        }
                    }
                    case 0xE8 -> {
                        counter = value & 0xFF;
                        wcycle = 2;
                    }
                    default -> error(off, value);
                }
            }
            case 2 -> {
                if (cmd == 0xE8) {
                    program(off, width, value);
                    status |= 0x80;
                    if (counter == 0) {
                        wcycle = 3;
                    }
                    counter--;
                } else {
                    error(off, value);
                }
            }
            default -> {
                if (cmd == 0xE8 && c == 0xD0) {
                    wcycle = 0;
                    status |= 0x80;
                } else {
                    error(off, value);
                }
            }
        }
    }

    private void leftReadArray(final boolean wasReadArray) {
        if (wasReadArray && !inReadArrayMode()) {
            modeListener.onReadArray(false);
        }
    }

    private void readArray() {
        final boolean was = inReadArrayMode();
        wcycle = 0;
        cmd = 0;
        if (!was) {
            modeListener.onReadArray(true);
        }
    }

    private void error(final long off, final long value) {
        errorLog.unexpected(String.format("%s: unexpected flash command sequence at offset 0x%x: cycle %d, command 0x%02x, value 0x%x;"
                + " back to read-array mode", name, off, wcycle, cmd, value));
        readArray();
    }

    private void eraseBlock(final long off) {
        if (readOnly) {
            status |= 0x20;
        } else {
            final long start = off & ~(long) (BLOCK_SIZE - 1);
            contents.asSlice(start, BLOCK_SIZE).fill((byte) 0xFF);
            persistence.written(start, BLOCK_SIZE);
        }
        status |= 0x80;
    }

    private void program(final long off, final int width, final long value) {
        if (readOnly) {
            status |= 0x10;
            return;
        }
        for (int i = 0; i < width; i++) {
            final long a = bound(off + i);
            contents.set(ValueLayout.JAVA_BYTE, a, (byte) (value >>> (8 * i)));
            persistence.written(a, 1);
        }
    }

    @Override
    public int maxAccessSize() {
        return 4;
    }

    @Override
    public void reset(final ResetKind kind) {
        final boolean was = inReadArrayMode();
        wcycle = 0;
        cmd = 0;
        status = 0x80;
        counter = 0;
        if (!was) {
            modeListener.onReadArray(true);
        }
    }

    @Override
    public String stateId() {
        return "pflash-" + name;
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(cmd);
        w.putInt(wcycle);
        w.putInt(status);
        w.putLong(counter);
        final byte[] b = new byte[(int) size];
        MemorySegment.copy(contents, ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        w.putBytes(b);
    }

    @Override
    public void load(final StateReader r, final int version) {
        cmd = r.getInt();
        wcycle = r.getInt();
        status = r.getInt();
        counter = r.getLong();
        final byte[] b = r.getBytes();
        MemorySegment.copy(b, 0, contents, ValueLayout.JAVA_BYTE, 0, (int) Math.min(b.length, size));
        modeListener.onReadArray(inReadArrayMode());
    }
}
