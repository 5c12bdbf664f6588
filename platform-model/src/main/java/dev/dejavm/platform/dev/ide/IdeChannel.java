package dev.dejavm.platform.dev.ide;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * One legacy IDE channel of the PIIX3 IDE function with no drives attached, as QEMU's {@code pc} presents it: the
 * command block (8 ports: 0x1F0 primary, 0x170 secondary) and the control block (1 port: 0x3F6 / 0x376).
 *
 * <p>With both drive positions empty, every task-file register and the (alternate) status read 0, so that
 * firmware probing a drive sees it neither busy nor ready and moves on; the data register reads all-ones. Writes
 * (commands, device selection, device control) are accepted and ignored: nothing can answer them. Stateless.
 */
public final class IdeChannel implements PortDevice, Resettable, Snapshottable {
    public static final int PRIMARY_COMMAND = 0x1F0, PRIMARY_CONTROL = 0x3F6;
    public static final int SECONDARY_COMMAND = 0x170, SECONDARY_CONTROL = 0x376;
    public static final int COMMAND_LENGTH = 8;

    private final String id;
    private final boolean control;

    /** @param control true for the one-port control block, false for the eight-port command block */
    public IdeChannel(final String id, final boolean control) {
        this.id = id;
        this.control = control;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        return !control && offset == 0 ? -1 : 0;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        // no drive to take a command
    }

    @Override
    public void reset(final ResetKind kind) {
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
    }

    @Override
    public void load(final StateReader r, final int version) {
    }
}
