package dev.dejavm.platform.dev.fwcfg;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * QEMU's firmware configuration device (QEMU docs/specs/fw_cfg.rst), traditional port I/O interface: a 16-bit
 * selector at offset 0 (port 0x510) and an 8-bit data register at offset 1 (0x511); each read returns the next
 * byte of the selected item, 0 past its end or for an absent key. Writes to the data register are ignored (as in
 * QEMU since 2.4).
 *
 * <p>With guest memory given ({@link DmaMemory}), the DMA interface is offered too (id bit 1): an 8-byte
 * big-endian address register at 0x514 (high half) and 0x518 (low half; writing it starts the transfer), which
 * reads back the signature "QEMU CFG". The descriptor at that address is {u32 BE control, u32 BE length, u64 BE
 * address}; control bits: 0x08 select (key in bits 31:16), 0x02 read, 0x04 skip, 0x10 write (items are
 * read-only here, so a write fails); the device writes the control word back as 0 on success or 0x01 on error.
 * Every guest address and length is checked against guest RAM first: a descriptor or buffer outside it is an
 * error, and nothing outside RAM is ever touched.
 *
 * <p>Items: signature "QEMU" (0x0000), id (0x0001), UUID (0x0002, zeros), RAM size (0x0003, u64 LE), CPU count
 * (0x0005, u16 LE), max CPUs (0x000F), the file directory (0x0019: u32 BE count, then 64-byte entries
 * {u32 BE size, u16 BE select, u16 reserved, char name[56]}) and files at keys from 0x0020 in name order. Item
 * contents are configuration (fixed when the board is built); the selected key and read offset are state.
 */
public final class FwCfg implements PortDevice, Resettable, Snapshottable {
    public static final int SIGNATURE = 0x00, ID = 0x01, UUID = 0x02, RAM_SIZE = 0x03, NB_CPUS = 0x05, MAX_CPUS = 0x0F,
            FILE_DIR = 0x19, FILE_FIRST = 0x20;
    /** Keys per bank; bit 15 of a selector picks the architecture-local bank, bit 14 is the (legacy) write flag. */
    public static final int KEYS = 0x4000;
    public static final int ARCH_LOCAL = 0x8000;
    public static final int ID_TRADITIONAL = 1;
    public static final int ID_DMA = 2;
    /** "QEMU CFG", read back from the DMA address register. */
    public static final long DMA_SIGNATURE = 0x51454D5520434647L;
    static final int DMA_ERROR = 0x01, DMA_READ = 0x02, DMA_SKIP = 0x04, DMA_SELECT = 0x08, DMA_WRITE = 0x10;

    /** Guest memory as the DMA interface sees it. */
    public interface DmaMemory {
        /** True if {@code [address, address + length)} is guest RAM. */
        boolean isRam(long address, long length);

        int read(long address);

        void write(long address, int value);
    }
    public static final int NAME_LENGTH = 56;

    /** Told about every selector write and DMA transfer (for the journal's higher-level events). */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (key, size) -> {
        };

        /** @param size the selected item's size, 0 if it does not exist */
        void onSelect(int key, int size);

        /**
         * A DMA transfer carried out: guest address and length from the descriptor, its control word's low bits
         * (with bit 0 = error as written back), and the CRC-32C of the bytes written to guest memory.
         */
        default void onDma(final long address, final long length, final int control, final int crc32c) {
        }
    }

    private int itemSize(final int key) {
        final byte[] item = items[index(key)];
        return item == null ? 0 : item.length;
    }

    /** Generic bank at 0..KEYS-1, architecture-local bank at KEYS..2*KEYS-1. */
    private final byte[][] items = new byte[2 * KEYS][];
    private final Map<String, byte[]> files = new TreeMap<>();
    private Listener listener = Listener.NONE;
    private boolean sealed;
    private int selected;
    private int offset;
    private final DmaMemory dma;
    private long dmaAddress;

    /** @param ramSize bytes of guest RAM; @param cpus CPU count; traditional interface only */
    public FwCfg(final long ramSize, final int cpus) {
        this(ramSize, cpus, null);
    }

    /** @param dma guest memory for the DMA interface, or null to offer the traditional interface only */
    public FwCfg(final long ramSize, final int cpus, final DmaMemory dma) {
        this.dma = dma;
        items[SIGNATURE] = "QEMU".getBytes(StandardCharsets.US_ASCII);
        items[ID] = le(ID_TRADITIONAL | (dma != null ? ID_DMA : 0), 4);
        items[UUID] = new byte[16];
        items[RAM_SIZE] = le(ramSize, 8);
        items[NB_CPUS] = le(cpus, 2);
        items[MAX_CPUS] = le(cpus, 2);
        rebuildDirectory();
    }

    public void setListener(final Listener l) {
        this.listener = l;
    }

    /** Adds a file (board build time only): name at most 55 bytes, unique. */
    public void addFile(final String name, final byte[] data) {
        final byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (sealed || n.length >= NAME_LENGTH || files.containsKey(name) || files.size() >= KEYS - FILE_FIRST) {
            throw new IllegalArgumentException("fw_cfg file '" + name + "' cannot be added (duplicate, too long, or board built)");
        }
        files.put(name, data.clone());
        rebuildDirectory();
    }

    /** Sets a numbered item (board build time only): a generic key below 0x20, or an arch-local key 0x8000.. */
    public void setItem(final int key, final byte[] data) {
        final boolean arch = (key & ARCH_LOCAL) != 0;
        if (sealed || key < 0 || key > 0xFFFF || (!arch && (key >= FILE_FIRST || key == FILE_DIR)) || (key & 0x4000) != 0) {
            throw new IllegalArgumentException("fw_cfg key 0x" + Integer.toHexString(key) + " cannot be set");
        }
        items[index(key)] = data.clone();
    }

    /** QEMU hw/nvram/fw_cfg.c: the selector's bit 15 chooses the bank, the write flag (bit 14) is ignored. */
    private static int index(final int selector) {
        return ((selector & ARCH_LOCAL) != 0 ? KEYS : 0) + (selector & (KEYS - 1));
    }

    private void rebuildDirectory() {
        for (int k = FILE_FIRST; k < KEYS; k++) {
            items[k] = null;
        }
        final ByteBuffer dir = ByteBuffer.allocate(4 + 64 * files.size()).order(ByteOrder.BIG_ENDIAN);
        dir.putInt(files.size());
        int key = FILE_FIRST;
        for (final Map.Entry<String, byte[]> f : files.entrySet()) {
            items[key] = f.getValue();
            dir.putInt(f.getValue().length);
            dir.putShort((short) key);
            dir.putShort((short) 0);
            final byte[] name = new byte[NAME_LENGTH];
            final byte[] n = f.getKey().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, name, 0, n.length);
            dir.put(name);
            key++;
        }
        items[FILE_DIR] = dir.array();
    }

    /** Freezes the contents (called when the board is complete). */
    public void seal() {
        sealed = true;
    }

    private static byte[] le(final long v, final int n) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        if (offset == 1 && size == 1) {
            final byte[] item = items[selected];
            if (item == null || this.offset >= item.length) {
                return 0;
            }
            return item[this.offset++] & 0xFF;
        }
        return -1; // the selector is write-only; wider data reads are not accepted on x86 (QEMU fw_cfg_comb_valid)
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        if (offset == 0 && size == 2) {
            selected = index(value & 0xFFFF);
            this.offset = 0;
            listener.onSelect(value & 0xFFFF, itemSize(value & 0xFFFF));
        }
    }

    @Override
    public int maxAccessSize() {
        return 2;
    }

    /** The DMA address register, 8 ports at 0x514; null when DMA is not offered. */
    public PortDevice dmaPort() {
        return dma == null ? null : dmaPort;
    }

    private final PortDevice dmaPort = new PortDevice() {
        @Override
        public int ioRead(final int off, final int size) {
            int v = 0;
            for (int i = 0; i < size; i++) {
                v |= (int) ((DMA_SIGNATURE >>> (8 * (7 - off - i))) & 0xFF) << (8 * i);
            }
            return v;
        }

        @Override
        public void ioWrite(final int off, final int size, final int value) {
            if (size != 4 || (off != 0 && off != 4)) {
                return; // QEMU takes 32-bit writes of either half (and 64-bit, which x86 port I/O cannot issue)
            }
            final long half = Integer.reverseBytes(value) & 0xFFFF_FFFFL; // the register is big-endian
            if (off == 0) {
                dmaAddress = half << 32 | (dmaAddress & 0xFFFF_FFFFL);
            } else {
                dmaAddress = (dmaAddress & ~0xFFFF_FFFFL) | half;
                transfer(dmaAddress);
                dmaAddress = 0;
            }
        }

        @Override
        public int minAccessSize() {
            return 1;
        }

        @Override
        public int maxAccessSize() {
            return 4;
        }
    };

    private long readBe(final long address, final int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | (dma.read(address + i) & 0xFF);
        }
        return v;
    }

    /** Executes the DMA descriptor at {@code desc} (QEMU docs/specs/fw_cfg.rst, "DMA interface"). */
    private void transfer(final long desc) {
        if (!dma.isRam(desc, 16)) {
            return; // no descriptor to read, and nowhere to report the error
        }
        final int control = (int) readBe(desc, 4);
        final long length = readBe(desc + 4, 4);
        final long address = readBe(desc + 8, 8);
        boolean error = false;
        final java.util.zip.CRC32C moved = new java.util.zip.CRC32C();
        if ((control & DMA_SELECT) != 0) {
            selected = index(control >>> 16);
            offset = 0;
            listener.onSelect(control >>> 16, itemSize(control >>> 16));
        }
        if ((control & DMA_WRITE) != 0) {
            error = true; // every item is read-only
        } else if ((control & DMA_READ) != 0) {
            if (!dma.isRam(address, length)) {
                error = true;
            } else {
                final byte[] item = items[selected];
                for (long i = 0; i < length; i++) {
                    final int b = item != null && offset < item.length ? item[offset] & 0xFF : 0;
                    if (item != null && offset < item.length) {
                        offset++;
                    }
                    dma.write(address + i, b);
                    moved.update(b);
                }
            }
        } else if ((control & DMA_SKIP) != 0) {
            final byte[] item = items[selected];
            offset = (int) Math.min(item == null ? 0 : item.length, offset + length);
        }
        final int result = error ? DMA_ERROR : 0;
        listener.onDma(address, length, (control & 0x1E) | result, error ? 0 : (int) moved.getValue());
        for (int i = 0; i < 4; i++) {
            dma.write(desc + i, (result >>> (8 * (3 - i))) & 0xFF);
        }
    }

    @Override
    public void reset(final ResetKind kind) {
        selected = 0; // QEMU re-selects key 0 on every reset
        offset = 0;
        dmaAddress = 0;
    }

    @Override
    public String stateId() {
        return "fw_cfg";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putShort(selected).putInt(offset).putLong(dmaAddress);
    }

    @Override
    public void load(final StateReader r, final int version) {
        selected = r.getShort() & (2 * KEYS - 1);
        offset = Math.max(0, r.getInt());
        dmaAddress = r.getLong();
    }
}
