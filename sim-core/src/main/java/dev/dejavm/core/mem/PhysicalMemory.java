package dev.dejavm.core.mem;

import dev.dejavm.core.bus.MmioBus;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The guest-physical address space below 4 GiB, page by page (4 KiB): RAM (read/write, backed by
 * {@link GuestRam}), ROM (read-only: writes are dropped, as on QEMU's ROM regions), or neither, in which case the
 * access goes to the {@link MmioBus} (devices, or unassigned). The board decides the map; this class only applies
 * it. The A20 gate masks bit 20 of every address when disabled.
 *
 * <p>Multi-byte accesses are little-endian; one that crosses a page boundary is split into bytes.
 */
public final class PhysicalMemory {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = PAGE_SIZE - 1;
    /** Pages covered by the table: 4 GiB. Addresses above go to the MMIO bus. */
    public static final int PAGES = 1 << 20;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MmioBus mmio;
    private final MemorySegment[] pageSegment = new MemorySegment[PAGES];
    private final long[] pageOffset = new long[PAGES];
    private final boolean[] pageWritable = new boolean[PAGES];
    /** Read-only pages whose writes go to the MMIO bus instead of being dropped ({@link #mapRomDevice}). */
    private final boolean[] writeToMmio = new boolean[PAGES];
    private final byte[] codePage = new byte[PAGES];
    private CodeWriteListener codeWriteListener = (pa, size) -> {
    };
    private long a20Mask = -1L;

    public PhysicalMemory(final MmioBus mmio) {
        this.mmio = mmio;
    }

    public MmioBus mmio() {
        return mmio;
    }

    /** Maps {@code size} bytes of {@code backing} starting at {@code offset} at guest-physical {@code base}. */
    public void mapRam(final long base, final long size, final MemorySegment backing, final long offset) {
        map(base, size, backing, offset, true);
    }

    /** Maps read-only memory (firmware ROM, or RAM made read-only by PAM). */
    public void mapRom(final long base, final long size, final MemorySegment backing, final long offset) {
        map(base, size, backing, offset, false);
    }

    /**
     * Maps a ROM device in its read mode (QEMU's "romd"): reads come from {@code backing} as for ROM, writes go to
     * the MMIO bus, where the device is mapped over the same range (a flash chip taking commands). When the device
     * leaves read mode it {@link #unmap}s the range so that reads reach it too.
     */
    public void mapRomDevice(final long base, final long size, final MemorySegment backing, final long offset) {
        map(base, size, backing, offset, false);
        for (long a = base; a < base + size; a += PAGE_SIZE) {
            writeToMmio[(int) (a >>> PAGE_SHIFT)] = true;
        }
    }

    /** Removes RAM/ROM from {@code [base, base+size)}: accesses go to the MMIO bus. */
    public void unmap(final long base, final long size) {
        checkRange(base, size);
        for (long a = base; a < base + size; a += PAGE_SIZE) {
            final int pn = (int) (a >>> PAGE_SHIFT);
            pageSegment[pn] = null;
            pageOffset[pn] = 0;
            pageWritable[pn] = false;
            writeToMmio[pn] = false;
        }
    }

    private void map(final long base, final long size, final MemorySegment backing, final long offset, final boolean writable) {
        checkRange(base, size);
        if (offset < 0 || offset + size > backing.byteSize()) {
            throw new IllegalArgumentException("backing segment too small for mapping at 0x" + Long.toHexString(base));
        }
        for (long a = 0; a < size; a += PAGE_SIZE) {
            final int pn = (int) ((base + a) >>> PAGE_SHIFT);
            pageSegment[pn] = backing;
            pageOffset[pn] = offset + a;
            pageWritable[pn] = writable;
            writeToMmio[pn] = false;
        }
    }

    private static void checkRange(final long base, final long size) {
        if ((base & PAGE_MASK) != 0 || (size & PAGE_MASK) != 0 || size <= 0 || base < 0 || base + size > ((long) PAGES << PAGE_SHIFT)) {
            throw new IllegalArgumentException("memory range 0x" + Long.toHexString(base) + "+0x" + Long.toHexString(size)
                    + " is not page-aligned or not below 4 GiB");
        }
    }

    // ---- A20 and self-modifying-code support -------------------------------------------------------------

    public void setA20(final boolean enabled) {
        a20Mask = enabled ? -1L : ~(1L << 20);
    }

    public boolean a20() {
        return a20Mask == -1L;
    }

    /** The mask the CPU applies to every physical address (bit 20 cleared while A20 is disabled). */
    public long a20Mask() {
        return a20Mask;
    }

    public void setCodeWriteListener(final CodeWriteListener listener) {
        this.codeWriteListener = listener;
    }

    /** Marks a page as holding cached decoded code; writes to it are reported to the listener. */
    public void markCodePage(final long pa) {
        if (pa >>> PAGE_SHIFT < PAGES) {
            codePage[(int) (pa >>> PAGE_SHIFT)] = 1;
        }
    }

    public void clearCodePage(final long pa) {
        if (pa >>> PAGE_SHIFT < PAGES) {
            codePage[(int) (pa >>> PAGE_SHIFT)] = 0;
        }
    }

    // ---- page lookup for callers that cache translations (the interpreter's TLB, KVM memslots) -----------

    /** @return the backing segment of page {@code pageNumber}, or null if the page is MMIO/unassigned */
    public MemorySegment pageSegment(final long pageNumber) {
        return pageNumber >= 0 && pageNumber < PAGES ? pageSegment[(int) pageNumber] : null;
    }

    public long pageOffset(final long pageNumber) {
        return pageOffset[(int) pageNumber];
    }

    public boolean pageWritable(final long pageNumber) {
        return pageNumber >= 0 && pageNumber < PAGES && pageWritable[(int) pageNumber];
    }

    /** True if the page is RAM or ROM (not MMIO). */
    public boolean isMemory(final long pa) {
        final long pn = pa >>> PAGE_SHIFT;
        return pn < PAGES && pageSegment[(int) pn] != null;
    }

    // ---- accesses ----------------------------------------------------------------------------------------

    public int readByte(long pa) {
        pa &= a20Mask;
        final long pn = pa >>> PAGE_SHIFT;
        if (pn < PAGES) {
            final MemorySegment s = pageSegment[(int) pn];
            if (s != null) {
                return s.get(ValueLayout.JAVA_BYTE, pageOffset[(int) pn] + (pa & PAGE_MASK)) & 0xff;
            }
        }
        return (int) mmio.read(pa, 1);
    }

    public int readWord(final long pa) {
        final long a = pa & a20Mask;
        if ((a & PAGE_MASK) <= PAGE_SIZE - 2) {
            final long pn = a >>> PAGE_SHIFT;
            if (pn < PAGES) {
                final MemorySegment s = pageSegment[(int) pn];
                if (s != null) {
                    return s.get(SHORT, pageOffset[(int) pn] + (a & PAGE_MASK)) & 0xffff;
                }
                return (int) mmio.read(a, 2);
            }
            return (int) mmio.read(a, 2);
        }
        return readByte(pa) | readByte(pa + 1) << 8;
    }

    public int readDword(final long pa) {
        final long a = pa & a20Mask;
        if ((a & PAGE_MASK) <= PAGE_SIZE - 4) {
            final long pn = a >>> PAGE_SHIFT;
            if (pn < PAGES) {
                final MemorySegment s = pageSegment[(int) pn];
                if (s != null) {
                    return s.get(INT, pageOffset[(int) pn] + (a & PAGE_MASK));
                }
            }
            return (int) mmio.read(a, 4);
        }
        return readWord(pa) | readWord(pa + 2) << 16;
    }

    public long readQword(final long pa) {
        final long a = pa & a20Mask;
        if ((a & PAGE_MASK) <= PAGE_SIZE - 8) {
            final long pn = a >>> PAGE_SHIFT;
            if (pn < PAGES) {
                final MemorySegment s = pageSegment[(int) pn];
                if (s != null) {
                    return s.get(LONG, pageOffset[(int) pn] + (a & PAGE_MASK));
                }
            }
            return mmio.read(a, 8);
        }
        return (readDword(pa) & 0xffffffffL) | (long) readDword(pa + 4) << 32;
    }

    public void writeByte(long pa, final int value) {
        pa &= a20Mask;
        final long pn = pa >>> PAGE_SHIFT;
        if (pn < PAGES) {
            final int p = (int) pn;
            final MemorySegment s = pageSegment[p];
            if (s != null) {
                if (pageWritable[p]) {
                    s.set(ValueLayout.JAVA_BYTE, pageOffset[p] + (pa & PAGE_MASK), (byte) value);
                    if (codePage[p] != 0) {
                        codeWriteListener.onCodeWrite(pa, 1);
                    }
                } else if (writeToMmio[p]) {
                    mmio.write(pa, 1, value & 0xffL);
                }
                return;
            }
        }
        mmio.write(pa, 1, value & 0xffL);
    }

    public void writeWord(final long pa, final int value) {
        final long a = pa & a20Mask;
        if ((a & PAGE_MASK) <= PAGE_SIZE - 2) {
            final long pn = a >>> PAGE_SHIFT;
            if (pn < PAGES) {
                final int p = (int) pn;
                final MemorySegment s = pageSegment[p];
                if (s != null) {
                    if (pageWritable[p]) {
                        s.set(SHORT, pageOffset[p] + (a & PAGE_MASK), (short) value);
                        if (codePage[p] != 0) {
                            codeWriteListener.onCodeWrite(a, 2);
                        }
                    } else if (writeToMmio[p]) {
                        mmio.write(a, 2, value & 0xffffL);
                    }
                    return;
                }
            }
            mmio.write(a, 2, value & 0xffffL);
            return;
        }
        writeByte(pa, value);
        writeByte(pa + 1, value >>> 8);
    }

    public void writeDword(final long pa, final int value) {
        final long a = pa & a20Mask;
        if ((a & PAGE_MASK) <= PAGE_SIZE - 4) {
            final long pn = a >>> PAGE_SHIFT;
            if (pn < PAGES) {
                final int p = (int) pn;
                final MemorySegment s = pageSegment[p];
                if (s != null) {
                    if (pageWritable[p]) {
                        s.set(INT, pageOffset[p] + (a & PAGE_MASK), value);
                        if (codePage[p] != 0) {
                            codeWriteListener.onCodeWrite(a, 4);
                        }
                    } else if (writeToMmio[p]) {
                        mmio.write(a, 4, value & 0xffffffffL);
                    }
                    return;
                }
            }
            mmio.write(a, 4, value & 0xffffffffL);
            return;
        }
        writeWord(pa, value);
        writeWord(pa + 2, value >>> 16);
    }

    public void writeQword(final long pa, final long value) {
        final long a = pa & a20Mask;
        if ((a & PAGE_MASK) <= PAGE_SIZE - 8) {
            final long pn = a >>> PAGE_SHIFT;
            if (pn < PAGES) {
                final int p = (int) pn;
                final MemorySegment s = pageSegment[p];
                if (s != null) {
                    if (pageWritable[p]) {
                        s.set(LONG, pageOffset[p] + (a & PAGE_MASK), value);
                        if (codePage[p] != 0) {
                            codeWriteListener.onCodeWrite(a, 8);
                        }
                    } else if (writeToMmio[p]) {
                        mmio.write(a, 8, value);
                    }
                    return;
                }
            }
            mmio.write(a, 8, value);
            return;
        }
        writeDword(pa, (int) value);
        writeDword(pa + 4, (int) (value >>> 32));
    }

    /** Copies guest-physical memory into {@code dst} through the normal read path (MMIO included). */
    public void read(final long pa, final byte[] dst, final int off, final int len) {
        for (int i = 0; i < len; i++) {
            dst[off + i] = (byte) readByte(pa + i);
        }
    }

    /** Reads RAM/ROM bytes without touching devices (for disassembly in reports); MMIO bytes read as 0xff. */
    public int peekByte(final long pa) {
        final long pn = pa >>> PAGE_SHIFT;
        if (pn < PAGES && pageSegment[(int) pn] != null) {
            return pageSegment[(int) pn].get(ValueLayout.JAVA_BYTE, pageOffset[(int) pn] + (pa & PAGE_MASK)) & 0xff;
        }
        return 0xff;
    }
}
