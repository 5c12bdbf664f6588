package dev.dejavm.platform.board;

import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.platform.dev.debugcon.DebugCon;
import dev.dejavm.platform.dev.post.PostPort;

import java.util.function.Consumer;

/**
 * The {@code bare} machine for CPU test programs: no chipset, no interrupt controller, no timer. Two ports are
 * assigned: the POST port (writes are shown as POST codes; reads return the last code) and the debug console port
 * (writes are console text; reads return 0xE9). Every other port is unassigned: reads return all-ones, and every
 * access, assigned or not, is journaled by the bus. Memory (RAM from 0, the ROM at the top of 4 GiB and its last
 * 64 KiB at 0xF0000) is mapped by {@link Machine}.
 */
final class BareBoard {
    /** The part of the ROM that also appears below 1 MiB, ending at 0xFFFFF. */
    static final long LOW_ALIAS_SIZE = 64 * 1024;

    private final PostPort post = new PostPort();

    BareBoard(final MachineConfig config, final PortBus ports, final Consoles consoles, final Consumer<Resettable> devices) {
        final DebugCon debugcon = new DebugCon(DebugCon.Config.QEMU, consoles.debugcon());
        ports.map(config.debugconPort(), 1, debugcon, "debugcon");
        ports.map(config.postPort(), 1, new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return post.ioRead(offset, size);
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                post.ioWrite(offset, size, value);
                consoles.post().accept(value & 0xFF);
            }

            @Override
            public int maxAccessSize() {
                return post.maxAccessSize();
            }
        }, "post");
        devices.accept(debugcon);
        devices.accept(post);
    }

    PostPort post() {
        return post;
    }
}
