package dev.dejavm.trace.journal;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;

import java.nio.file.Path;

/** How every journal queue is opened: a pinned time provider and one fixed roll cycle, so names and bytes never depend on the clock. */
final class Queues {
    /** Chronicle block size: the data file grows in steps of this (sparse on disk). */
    static final long BLOCK_SIZE = 4L << 20;

    private Queues() {
    }

    static SingleChronicleQueue open(final Path dir, final boolean readOnly) {
        return SingleChronicleQueueBuilder.binary(dir)
                .timeProvider(() -> 0L)
                .rollCycle(LargeRollCycles.HUGE_DAILY)
                .blockSize(BLOCK_SIZE)
                .readOnly(readOnly)
                .build();
    }
}
