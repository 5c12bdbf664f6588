package dev.dejavm.core.mem;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Guest RAM: one page-aligned native segment allocated with anonymous {@code mmap}, so pages the guest never
 * touches cost nothing and the same segment can later be registered with KVM as a memslot without a copy.
 */
public final class GuestRam implements AutoCloseable {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        final Linker linker = Linker.nativeLinker();
        MMAP = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MUNMAP = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    }

    private final MemorySegment segment;
    private final long size;
    private boolean closed;
    /** Nothing was written since mmap: the pages are already zero and untouched. */
    private boolean pristine = true;

    /** @param size bytes, a multiple of 4 KiB */
    public GuestRam(final long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("RAM size " + size + " is not a positive multiple of 4 KiB");
        }
        this.size = size;
        final MemorySegment addr;
        try {
            addr = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (final Throwable t) {
            throw new IllegalStateException("mmap of guest RAM failed", t);
        }
        if (addr.address() == -1L || addr.address() == 0L) {
            throw new IllegalStateException("mmap of " + size + " bytes of guest RAM failed");
        }
        this.segment = addr.reinterpret(size, Arena.global(), null);
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return size;
    }

    /** Fills RAM with zeros (power-on). Free right after allocation, when the anonymous mapping is still all zero. */
    public void clear() {
        if (!pristine) {
            segment.fill((byte) 0);
        }
    }

    /** Marks the RAM as possibly written (call once the guest or a loader may have touched it). */
    public void markUsed() {
        pristine = false;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                final int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(segment.address()), size);
                if (rc != 0) {
                    throw new IllegalStateException("munmap failed");
                }
            } catch (final RuntimeException e) {
                throw e;
            } catch (final Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
