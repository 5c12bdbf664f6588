package dev.dejavm.platform.dev.pci;

/**
 * A configuration space with base address registers that the board decodes: each BAR is declared with its size
 * (a power of two) and space, so that sizing (writing all-ones) reads back the size mask and the base the guest
 * programs is reported to a {@link BarListener} while the command register enables that space (bit 0 I/O, bit 1
 * memory). 32-bit BARs only.
 */
public class BarFunction extends ConfigSpace {
    /** Told where a BAR is decoded: base -1 while the space is disabled in the command register. */
    @FunctionalInterface
    public interface BarListener {
        void onBar(int bar, long base);
    }

    private final long[] size = new long[6];
    private final boolean[] io = new boolean[6];
    private final long[] decoded = {-1, -1, -1, -1, -1, -1};
    private BarListener listener = (bar, base) -> {
    };

    protected BarFunction(final int vendor, final int device, final int revision, final int classCode, final int headerType) {
        super(vendor, device, revision, classCode, headerType);
    }

    /** Declares BAR {@code bar} (0-5) of {@code bytes} bytes, I/O or 32-bit memory (board build time). */
    protected final void declareBar(final int bar, final long bytes, final boolean ioSpace) {
        size[bar] = bytes;
        io[bar] = ioSpace;
        final int off = 0x10 + 4 * bar;
        final long mask = ~(bytes - 1) & (ioSpace ? 0xFFFFFFFCL : 0xFFFFFFF0L); // all 32 bits, as QEMU's write mask
        config[off] = (byte) (ioSpace ? 1 : 0);
        for (int i = 0; i < 4; i++) {
            writable[off + i] = (byte) (mask >>> (8 * i));
        }
    }

    public final void setBarListener(final BarListener l) {
        this.listener = l;
    }

    /** Where BAR {@code bar} is decoded now, or -1. */
    public final long barBase(final int bar) {
        if (size[bar] == 0) {
            return -1;
        }
        final int cmd = config[0x04] & 0xFF;
        if ((cmd & (io[bar] ? 1 : 2)) == 0) {
            return -1;
        }
        final long v = configRead(0x10 + 4 * bar, 4) & 0xFFFFFFFFL;
        final long base = v & (io[bar] ? 0xFFFFFFFCL : 0xFFFFFFF0L);
        return base == 0 || (io[bar] && base + size[bar] > 0x10000) ? -1 : base;
    }

    public final long barSize(final int bar) {
        return size[bar];
    }

    /** Re-reports every BAR whose decoded base changed (call after the configuration space was reloaded). */
    protected final void publishBars() {
        for (int b = 0; b < 6; b++) {
            final long base = barBase(b);
            if (size[b] != 0 && base != decoded[b]) {
                decoded[b] = base;
                listener.onBar(b, base);
            }
        }
    }

    @Override
    protected void changed(final int offset, final int oldValue, final int newValue) {
        if (offset == 0x04 || (offset >= 0x10 && offset < 0x28)) {
            publishBars();
        }
    }
}
