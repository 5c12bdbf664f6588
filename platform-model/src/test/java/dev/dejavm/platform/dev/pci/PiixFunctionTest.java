package dev.dejavm.platform.dev.pci;

import dev.dejavm.core.state.ResetKind;
import dev.dejavm.platform.dev.reset.ResetControl;
import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.SystemControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The PIIX3/PIIX4 functions at 00:01.x through configuration mechanism #1: identification (PIIX3 and PIIX4
 * datasheets, QEMU's pc), BAR sizing, PIRQ routing reset values, PMBA/PMREGMISC driving where the PM block
 * appears, and DEVACTB's APMC_EN preset for a board without SMM.
 */
class PiixFunctionTest {
    private final PortBus bus = new PortBus();
    private final List<Integer> pmBases = new ArrayList<>();
    private final PiixFunction isa = PiixFunction.isaBridge();
    private final PiixFunction ide = PiixFunction.ide();
    private final PiixFunction pm = PiixFunction.pm(pmBases::add);

    PiixFunctionTest() {
        final PciHostBridge host = new PciHostBridge(new ResetControl(new SystemControl() {
            @Override
            public void requestReset(final int cause) {
            }

            @Override
            public void requestPowerOff() {
            }
        }));
        host.plug(1, 0, isa);
        host.plug(1, 1, ide);
        host.plug(1, 3, pm);
        bus.map(0xCF8, 8, host, "pci");
        for (final PiixFunction f : new PiixFunction[] {isa, ide, pm}) {
            f.reset(ResetKind.POWER_ON);
        }
        pmBases.clear();
    }

    private int read(final int fn, final int reg, final int size) {
        bus.write(0xCF8, 4, 0x80000000 | 1 << 11 | fn << 8 | (reg & 0xFC));
        return bus.read(0xCFC + (reg & 3), size);
    }

    private void write(final int fn, final int reg, final int size, final int v) {
        bus.write(0xCF8, 4, 0x80000000 | 1 << 11 | fn << 8 | (reg & 0xFC));
        bus.write(0xCFC + (reg & 3), size, v);
    }

    @Test
    void shouldIdentifyTheFunctionsAsQemusPc() {
        assertEquals(0x70008086, read(0, 0, 4), "PIIX3 ISA bridge");
        assertEquals(0x80, read(0, 0x0E, 1), "multi-function header");
        assertEquals(0x0601, read(0, 0x0A, 2), "class: ISA bridge");
        assertEquals(0x70108086, read(1, 0, 4), "PIIX3 IDE");
        assertEquals(0x010180, read(1, 0x08, 4) >>> 8, "class: IDE, legacy mode with bus mastering");
        assertEquals(0x71138086, read(3, 0, 4), "PIIX4 power management");
        assertEquals(0x03, read(3, 0x08, 1), "revision 3");
        assertEquals(-1, read(2, 0, 4), "00:01.2 absent");
    }

    @Test
    void shouldResetPirqRoutingToDisabled() {
        assertEquals(0x80808080, read(0, 0x60, 4));
        write(0, 0x60, 1, 0x0B);
        assertEquals(0x8080800B, read(0, 0x60, 4));
    }

    @Test
    void shouldSizeTheIdeBusMasterBarAs16BytesOfIo() {
        write(1, 0x20, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFFFF1, read(1, 0x20, 4), "16 bytes of I/O space");
        write(1, 0x20, 4, 0xC000);
        assertEquals(0xC001, read(1, 0x20, 4));
    }

    @Test
    void shouldPlaceThePmBlockWherePmbaSaysWhileEnabled() {
        write(3, 0x40, 4, 0xB001);
        write(3, 0x80, 1, 0x01);
        assertEquals(0xB000, pmBases.get(pmBases.size() - 1), "PMBA, 64-byte aligned, once PMREGMISC enables it");
        assertEquals(0xB001, read(3, 0x40, 4), "bit 0 reads 1: I/O space");
        write(3, 0x80, 1, 0x00);
        assertEquals(-1, pmBases.get(pmBases.size() - 1), "disabled");
        pm.reset(ResetKind.WARM);
        assertEquals(-1, pmBases.get(pmBases.size() - 1), "reset disables it");
    }

    @Test
    void shouldReportSmmInitialisationDoneWhenThereIsNoSmm() {
        assertEquals(0x02, read(3, 0x5B, 1), "DEVACTB APMC_EN (bit 25), as QEMU's pc with smm=off");
    }
}
