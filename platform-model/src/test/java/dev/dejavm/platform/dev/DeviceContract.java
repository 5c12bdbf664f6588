package dev.dejavm.platform.dev;

import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The contract every port device honours (CONVENTIONS.md "Tests"): reset twice equals reset once; save, load,
 * save is byte-identical; a mutating write changes the snapshot; random register fuzz never throws. Each device's
 * test extends this and provides the device, its port count and a mutating write.
 */
public abstract class DeviceContract<D extends PortDevice & Resettable & Snapshottable> {
    protected final Timeline timeline = new Timeline();
    protected final PortBus bus = new PortBus();
    protected int resets;
    protected int powerOffs;
    protected final SystemControl control = new SystemControl() {
        @Override
        public void requestReset(final int cause) {
            resets++;
        }

        @Override
        public void requestPowerOff() {
            powerOffs++;
        }
    };

    /** A fresh device, power-on reset, mapped on {@link #bus} at {@link #base()}. */
    protected abstract D device();

    protected abstract int base();

    protected abstract int ports();

    /** A write through the bus that changes the device's state. */
    protected abstract void mutate();

    /** False for a device without state (the mutation clause then does not apply and is reported as skipped). */
    protected boolean hasState() {
        return true;
    }

    protected D mapped() {
        final D d = device();
        d.reset(ResetKind.POWER_ON);
        bus.map(base(), ports(), d, "device-under-test");
        return d;
    }

    protected void outb(final int port, final int v) {
        bus.write(port, 1, v);
    }

    protected int inb(final int port) {
        return bus.read(port, 1);
    }

    protected void outw(final int port, final int v) {
        bus.write(port, 2, v);
    }

    protected int inw(final int port) {
        return bus.read(port, 2);
    }

    protected int inl(final int port) {
        return bus.read(port, 4);
    }

    /** Advances virtual time and fires due timers, as the CPU would. */
    protected void step(final long ns) {
        timeline.advance(ns);
        timeline.runDue();
    }

    protected static byte[] snapshot(final Snapshottable s) {
        final StateWriter w = new StateWriter();
        s.save(w);
        return w.toByteArray();
    }

    @Test
    void shouldEqualSingleResetWhenResetTwice() {
        final D d = mapped();
        mutate();
        d.reset(ResetKind.WARM);
        final byte[] once = snapshot(d);
        d.reset(ResetKind.WARM);
        assertArrayEquals(once, snapshot(d));
        d.reset(ResetKind.POWER_ON);
        final byte[] cold = snapshot(d);
        d.reset(ResetKind.POWER_ON);
        assertArrayEquals(cold, snapshot(d));
    }

    @Test
    void shouldBeByteIdenticalWhenSavedLoadedAndSavedAgain() {
        final D d = mapped();
        mutate();
        step(1_234_567);
        final byte[] first = snapshot(d);
        final D other = device();
        other.reset(ResetKind.POWER_ON);
        other.load(new StateReader(first), d.stateVersion());
        assertArrayEquals(first, snapshot(other));
    }

    @Test
    void shouldChangeSnapshotWhenMutatingWriteHappens() {
        org.junit.jupiter.api.Assumptions.assumeTrue(hasState(), "the device keeps no state");
        final D d = mapped();
        final byte[] before = snapshot(d);
        mutate();
        assertFalse(java.util.Arrays.equals(before, snapshot(d)), "a mutating write left the snapshot unchanged");
    }

    @Test
    void shouldNeverThrowWhenFuzzedThroughPorts() {
        mapped();
        final Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            final int port = base() + rnd.nextInt(ports());
            final int size = 1 << rnd.nextInt(3);
            if (rnd.nextBoolean()) {
                bus.write(port, size, rnd.nextInt());
            } else {
                bus.read(port, size);
            }
            if (rnd.nextInt(50) == 0) {
                step(rnd.nextInt(2_000_000_000));
            }
        }
    }
}
