package dev.dejavm.platform.dev.pci;

/** One PCI function's 256-byte configuration space, accessed by offset with sizes 1, 2 or 4 (naturally aligned). */
public interface PciFunction {
    int configRead(int offset, int size);

    void configWrite(int offset, int size, int value);
}
