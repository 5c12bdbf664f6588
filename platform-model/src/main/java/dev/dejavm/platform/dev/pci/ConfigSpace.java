package dev.dejavm.platform.dev.pci;

/**
 * A plain 256-byte configuration space with a write mask: the common part of PCI functions. Reads and writes of
 * 1, 2 or 4 bytes are little-endian; bits outside the write mask are read-only.
 */
public class ConfigSpace implements PciFunction {
    public static final int SUBSYSTEM_VENDOR_QEMU = 0x1AF4;
    public static final int SUBSYSTEM_ID_QEMU = 0x1100;

    protected final byte[] config = new byte[256];
    protected final byte[] writable = new byte[256];
    private final byte[] powerOn = new byte[256];

    protected ConfigSpace(final int vendor, final int device, final int revision, final int classCode, final int headerType) {
        set16(0x00, vendor);
        set16(0x02, device);
        config[0x08] = (byte) revision;
        config[0x09] = (byte) classCode;
        config[0x0A] = (byte) (classCode >>> 8);
        config[0x0B] = (byte) (classCode >>> 16);
        config[0x0E] = (byte) headerType;
        if ((headerType & 0x7F) == 0) {
            // QEMU gives every function without its own subsystem IDs Red Hat/Qumranet 1af4:1100 (hw/pci/pci.c
            // pci_init_default_subsystem_id); SeaBIOS recognises QEMU by it.
            set16(0x2C, SUBSYSTEM_VENDOR_QEMU);
            set16(0x2E, SUBSYSTEM_ID_QEMU);
        }
        writable[0x04] = (byte) 0xFF; // command
        writable[0x05] = (byte) 0x07;
        writable[0x0C] = (byte) 0xFF; // cache line size
        writable[0x0D] = (byte) 0xFF; // latency timer
        writable[0x3C] = (byte) 0xFF; // interrupt line
    }

    protected final void set16(final int off, final int v) {
        config[off] = (byte) v;
        config[off + 1] = (byte) (v >>> 8);
    }

    protected final int get8(final int off) {
        return config[off] & 0xFF;
    }

    @Override
    public int configRead(final int offset, final int size) {
        int v = 0;
        for (int i = 0; i < size && offset + i < 256; i++) {
            v |= (config[offset + i] & 0xFF) << (8 * i);
        }
        return v;
    }

    @Override
    public void configWrite(final int offset, final int size, final int value) {
        for (int i = 0; i < size && offset + i < 256; i++) {
            final int o = offset + i;
            final int w = writable[o] & 0xFF;
            final int old = config[o] & 0xFF;
            final int nv = (old & ~w) | ((value >>> (8 * i)) & w);
            config[o] = (byte) nv;
            if (nv != old) {
                changed(o, old, nv);
            }
        }
    }

    /** Records the current contents as the power-on values (a constructor's last step). */
    protected final void markPowerOn() {
        System.arraycopy(config, 0, powerOn, 0, 256);
    }

    /** Back to the contents recorded by {@link #markPowerOn()} (a reset). */
    protected final void restorePowerOn() {
        System.arraycopy(powerOn, 0, config, 0, 256);
    }

    /** Restores the 256 bytes written by a snapshot ({@code StateWriter.putBytes(config)}). */
    protected final void loadConfig(final dev.dejavm.core.state.StateReader r) {
        final byte[] b = r.getBytes();
        System.arraycopy(b, 0, config, 0, Math.min(b.length, config.length));
    }

    /** Called after a byte of configuration space changed. */
    protected void changed(final int offset, final int oldValue, final int newValue) {
    }

    /** Back to the power-on contents of the writable bytes (read-only identification stays). */
    public void resetWritable() {
        for (int i = 0; i < 256; i++) {
            if (writable[i] != 0) {
                config[i] = (byte) (config[i] & ~writable[i]);
            }
        }
    }
}
