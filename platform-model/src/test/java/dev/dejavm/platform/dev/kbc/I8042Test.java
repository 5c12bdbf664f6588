package dev.dejavm.platform.dev.kbc;

import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.event.ResetCause;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 8042 and its keyboard through ports 0x60/0x64, as firmware drives them (IBM PC/AT keyboard controller
 * commands; PS/2 keyboard command set; QEMU's pc power-on values).
 */
class I8042Test {
    private final PortBus bus = new PortBus();
    private final List<Integer> resets = new ArrayList<>();
    private final List<Boolean> a20 = new ArrayList<>();
    private boolean irq1;
    private final I8042 kbc = new I8042(new SystemControl() {
        @Override
        public void requestReset(final int cause) {
            resets.add(cause);
        }

        @Override
        public void requestPowerOff() {
        }

        @Override
        public void setA20(final boolean enabled) {
            a20.add(enabled);
        }
    }, level -> irq1 = level, level -> { });

    I8042Test() {
        bus.map(0x60, 1, kbc.dataPort(), "data");
        bus.map(0x64, 1, kbc.commandPort(), "command");
    }

    private List<Integer> drain() {
        final List<Integer> out = new ArrayList<>();
        while ((bus.read(0x64, 1) & 1) != 0) {
            out.add(bus.read(0x60, 1));
        }
        return out;
    }

    @Test
    void shouldStartEmptyAndPassSelfTests() {
        assertEquals(0x18, bus.read(0x64, 1), "status at power-on: command/data, keyboard unlocked, nothing to read");
        bus.write(0x64, 1, 0xAA);
        assertEquals(List.of(0x55), drain(), "controller self-test passed");
        assertEquals(0x04, bus.read(0x64, 1) & 0x04, "system flag set after the self-test");
        bus.write(0x64, 1, 0xAB);
        assertEquals(List.of(0x00), drain(), "keyboard interface test: no error");
    }

    @Test
    void shouldReadAndWriteTheCommandByte() {
        bus.write(0x64, 1, 0x20);
        assertEquals(List.of(0x03), drain());
        bus.write(0x64, 1, 0x60);
        bus.write(0x60, 1, 0x61);
        bus.write(0x64, 1, 0x20);
        assertEquals(List.of(0x61), drain());
    }

    @Test
    void shouldResetAndIdentifyTheKeyboard() {
        bus.write(0x60, 1, 0xFF);
        assertTrue(irq1, "IRQ1 while keyboard bytes wait and the command byte enables it");
        assertEquals(List.of(0xFA, 0xAA), drain(), "ACK, then basic assurance test passed");
        assertFalse(irq1);
        bus.write(0x60, 1, 0xF2);
        assertEquals(List.of(0xFA, 0xAB, 0x83), drain(), "MF2 keyboard, untranslated ID");
        bus.write(0x60, 1, 0xED);
        bus.write(0x60, 1, 0x07);
        assertEquals(List.of(0xFA, 0xFA), drain(), "LED command and its argument acknowledged");
        bus.write(0x60, 1, 0xF0);
        bus.write(0x60, 1, 0x00);
        assertEquals(List.of(0xFA, 0xFA, 0x02), drain(), "current scan-code set");
        bus.write(0x60, 1, 0xEE);
        assertEquals(List.of(0xEE), drain(), "echo");
    }

    @Test
    void shouldDriveA20AndResetThroughTheOutputPort() {
        bus.write(0x64, 1, 0xD0);
        assertEquals(List.of(0xCF), drain(), "output port at power-on: A20 on, reset line high");
        bus.write(0x64, 1, 0xD1);
        bus.write(0x60, 1, 0xCD);
        assertEquals(List.of(false), a20, "bit 1 clear: A20 masked");
        bus.write(0x64, 1, 0xFE);
        assertEquals(List.of(ResetCause.KBC), resets, "pulsing output-port bit 0 resets the CPU");
        bus.write(0x64, 1, 0xFF);
        assertEquals(1, resets.size(), "0xFF pulses nothing");
    }

    @Test
    void shouldRestoreTheSameStateFromASnapshot() {
        bus.write(0x60, 1, 0xF2);
        final StateWriter w = new StateWriter();
        kbc.save(w);
        final byte[] image = w.toByteArray();
        kbc.reset(ResetKind.WARM);
        kbc.load(new StateReader(image), kbc.stateVersion());
        final StateWriter again = new StateWriter();
        kbc.save(again);
        assertArrayEquals(image, again.toByteArray());
        assertEquals(List.of(0xFA, 0xAB, 0x83), drain());
    }
}
