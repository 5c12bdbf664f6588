package dev.dejavm.core.mem;

/** Told when the guest writes to a physical page that holds cached decoded code (self-modifying code). */
@FunctionalInterface
public interface CodeWriteListener {
    void onCodeWrite(long physicalAddress, int size);
}
