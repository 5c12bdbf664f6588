package dev.dejavm.platform.dev.ich9;

import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.platform.dev.pci.PciHostBridge;
import dev.dejavm.platform.dev.pci.Q35Mch;
import dev.dejavm.platform.dev.reset.ResetControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Q35 functions at the register level, against the Intel 3 Series (MCH), ICH9 and Serial ATA AHCI 1.3.1
 * documents and the identities QEMU's q35 gives them (SeaBIOS prints them: 8086:29c0, 8086:2918, 8086:2922,
 * 8086:2930).
 */
class Q35ChipsetTest {
    private final List<String> events = new ArrayList<>();
    private final PciHostBridge host = new PciHostBridge(new ResetControl(new SystemControl() {
        @Override
        public void requestReset(final int cause) {
        }

        @Override
        public void requestPowerOff() {
        }
    }));
    private final Q35Mch mch = new Q35Mch(host, (base, size, mode) -> events.add("pam " + Long.toHexString(base) + "+" + Long.toHexString(size) + "=" + mode),
            (base, size) -> events.add("ecam " + Long.toHexString(base) + "+" + Long.toHexString(size)));
    private final Ich9Lpc lpc = new Ich9Lpc(base -> events.add("pm " + Integer.toHexString(base)), base -> events.add("rcba " + Long.toHexString(base)));
    private final Ich9Ahci ahci = new Ich9Ahci();
    private final Ich9Smbus smbus = new Ich9Smbus();

    Q35ChipsetTest() {
        host.plug(0, 0, mch);
        host.plug(0x1F, 0, lpc);
        host.plug(0x1F, 2, ahci);
        host.plug(0x1F, 3, smbus);
        ahci.setBarListener((bar, base) -> events.add("bar" + bar + " " + Long.toHexString(base)));
    }

    private int cfg(final int dev, final int fn, final int reg, final int size) {
        return host.configRead(0, dev << 3 | fn, reg, size);
    }

    private void cfgWrite(final int dev, final int fn, final int reg, final int size, final int v) {
        host.configWrite(0, dev << 3 | fn, reg, size, v);
    }

    @Test
    void shouldIdentifyTheFunctionsAsQemusQ35Does() {
        assertEquals(0x29C08086, cfg(0, 0, 0, 4));
        assertEquals(0x29188086, cfg(0x1F, 0, 0, 4));
        assertEquals(0x29228086, cfg(0x1F, 2, 0, 4));
        assertEquals(0x29308086, cfg(0x1F, 3, 0, 4));
        assertEquals(0x80, cfg(0x1F, 0, 0x0E, 1) & 0x80, "the LPC bridge is multi-function");
        assertEquals(0x010601, cfg(0x1F, 2, 0x08, 4) >>> 8, "SATA controller, AHCI 1.0 programming interface");
        assertEquals(-1, cfg(0x1F, 1, 0, 4), "an absent function reads all-ones");
    }

    @Test
    void shouldPlaceTheEcamWindowWherePciexbarSaysAndDecodeBusDeviceFunctionRegister() {
        assertEquals(0xB0000000, cfg(0, 0, Q35Mch.PCIEXBAR, 4), "QEMU's reset value: base 0xb0000000, disabled");
        cfgWrite(0, 0, Q35Mch.PCIEXBAR, 4, 0xB0000001);
        assertEquals("ecam b0000000+10000000", events.getLast());
        cfgWrite(0, 0, Q35Mch.PCIEXBAR, 4, 0xB8000003); // 128 MiB: base bits 35:27
        assertEquals("ecam b8000000+8000000", events.getLast());
        cfgWrite(0, 0, Q35Mch.PCIEXBAR, 4, 0xB0000000);
        assertEquals("ecam ffffffffffffffff+0", events.getLast(), "disabled: base -1");
        // Offset = bus << 20 | device << 15 | function << 12 | register.
        assertEquals(0x29188086L, mch.ecam.mmioRead(0x1FL << 15, 4));
        assertEquals(0x2918L, mch.ecam.mmioRead((0x1FL << 15) + 2, 2));
        assertEquals(0xFFFFFFFFL, mch.ecam.mmioRead((0x1FL << 15) + 0x100, 4), "past the 256-byte conventional space");
        assertEquals(0xFFFFFFFFL, mch.ecam.mmioRead(1L << 20, 4), "bus 1 has nothing");
        mch.ecam.mmioWrite((0x1FL << 15) + 0x40, 4, 0x601);
        assertEquals(0x601, cfg(0x1F, 0, 0x40, 4));
    }

    @Test
    void shouldReportPamSegmentsFromRegisters0x90To0x96() {
        cfgWrite(0, 0, 0x90, 1, 0x30);
        assertEquals("pam f0000+10000=3", events.getLast());
        cfgWrite(0, 0, 0x91, 1, 0x31);
        assertEquals(List.of("pam c0000+4000=1", "pam c4000+4000=3"), events.subList(events.size() - 2, events.size()));
    }

    @Test
    void shouldDecodeThePmIoSpaceAtPmbaseOnlyWhileAcpiIsEnabled() {
        cfgWrite(0x1F, 0, Ich9Lpc.PMBASE, 4, 0x601);
        assertEquals(0x601, cfg(0x1F, 0, Ich9Lpc.PMBASE, 4), "bits 15:7 written, bit 0 reads 1 (I/O)");
        cfgWrite(0x1F, 0, Ich9Lpc.ACPI_CNTL, 1, 0x80);
        assertEquals("pm 600", events.getLast());
        cfgWrite(0x1F, 0, Ich9Lpc.ACPI_CNTL, 1, 0);
        assertEquals("pm ffffffff", events.getLast());
        assertEquals(0x80808080, cfg(0x1F, 0, 0x60, 4), "PIRQA-D routing disabled at reset");
        cfgWrite(0x1F, 0, Ich9Lpc.RCBA, 4, 0xFED1C001);
        assertEquals("rcba fed1c000", events.getLast());
    }

    @Test
    void shouldSizeAndPlaceAhciBarsAndDescribeSixEmptyPorts() {
        cfgWrite(0x1F, 2, 0x24, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFF000, cfg(0x1F, 2, 0x24, 4), "ABAR is 4 KiB of 32-bit memory");
        cfgWrite(0x1F, 2, 0x20, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFFFE1, cfg(0x1F, 2, 0x20, 4), "BAR 4 is 32 bytes of I/O");
        cfgWrite(0x1F, 2, 0x24, 4, 0xFEBFF000);
        cfgWrite(0x1F, 2, 0x04, 2, 0x0002);
        assertEquals("bar5 febff000", events.getLast());
        final var abar = ahci.abar;
        final long cap = abar.mmioRead(0x00, 4);
        assertEquals(5, cap & 0x1F, "CAP.NP: six ports");
        assertEquals(31, (cap >> 8) & 0x1F, "CAP.NCS: 32 command slots");
        assertEquals(1L << 18, cap & (1L << 18), "CAP.SAM: AHCI only");
        assertEquals(0x3FL, abar.mmioRead(0x0C, 4), "PI");
        assertEquals(0x80000000L, abar.mmioRead(0x04, 4) & 0x80000000L, "GHC.AE");
        abar.mmioWrite(0x04, 4, 0x80000001L);
        assertEquals(0L, abar.mmioRead(0x04, 4) & 1, "GHC.HR reads 0 once the reset is done");
        final long port2 = 0x100 + 2 * 0x80;
        assertEquals(0L, abar.mmioRead(port2 + 0x28, 4), "PxSSTS: no device detected");
        assertEquals(0xFFFFFFFFL, abar.mmioRead(port2 + 0x24, 4), "PxSIG: no signature");
        abar.mmioWrite(port2 + 0x18, 4, 0x11);
        assertEquals(0xC011L, abar.mmioRead(port2 + 0x18, 4) & 0xC011L, "ST and FRE start the engines: CR and FR");
        abar.mmioWrite(port2 + 0x18, 4, 0);
        assertEquals(0L, abar.mmioRead(port2 + 0x18, 4) & 0xC011L, "and stopping them clears CR and FR");
        abar.mmioWrite(port2 + 0x30, 4, 0xFFFFFFFFL);
        assertEquals(0L, abar.mmioRead(port2 + 0x30, 4));
        ahci.reset(ResetKind.WARM);
        assertEquals("bar5 ffffffffffffffff", events.getLast(), "a reset disables decoding again (base -1)");
    }

    @Test
    void shouldSizeTheSmbusIoBarAsQemusSixtyFourBytes() {
        cfgWrite(0x1F, 3, 0x20, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFFFC1, cfg(0x1F, 3, 0x20, 4));
    }

    /**
     * Guest-controlled values never hurt the host: random configuration writes of every size to every register of
     * every function (through ECAM and the host bridge), including BARs placed over each other and the ECAM window
     * moved anywhere, and random accesses to the AHCI registers, leave nothing but guest-visible state behind.
     */
    @Test
    void shouldSurviveRandomConfigurationAndRegisterFuzz() {
        final dev.dejavm.core.bus.MmioBus mmio = new dev.dejavm.core.bus.MmioBus();
        mmio.map(0xFEE00000L, 0x1000, new dev.dejavm.core.bus.MmioDevice() {
            @Override
            public long mmioRead(final long offset, final int size) {
                return 0;
            }

            @Override
            public void mmioWrite(final long offset, final int size, final long value) {
            }
        }, "lapic-stand-in");
        ahci.setBarListener((bar, base) -> {
            if (bar == Ich9Ahci.ABAR) {
                mmio.move(ahci.abar, Ich9Ahci.ABAR_SIZE, base);
            }
        });
        final java.util.Random r = new java.util.Random(42);
        final int[] devfns = {0, 0x1F << 3, 0x1F << 3 | 2, 0x1F << 3 | 3, 0x1F << 3 | 1, 8};
        for (int i = 0; i < 200_000; i++) {
            final int size = 1 << r.nextInt(3);
            final int reg = r.nextInt(0x1000) & ~(size - 1);
            final long ecamOffset = (long) devfns[r.nextInt(devfns.length)] << 12 | reg;
            switch (r.nextInt(4)) {
                case 0 -> mch.ecam.mmioWrite(ecamOffset, size, r.nextLong());
                case 1 -> mch.ecam.mmioRead(ecamOffset, size);
                case 2 -> ahci.abar.mmioWrite(r.nextInt(Ich9Ahci.ABAR_SIZE) & ~(size - 1), size, r.nextLong());
                default -> mmio.read(r.nextLong() >>> r.nextInt(64), size);
            }
        }
        for (final var f : new dev.dejavm.core.state.Resettable[] {mch, lpc, ahci, smbus}) {
            f.reset(ResetKind.WARM);
        }
        assertEquals(0x29C08086, cfg(0, 0, 0, 4), "identification is read-only");
        assertEquals(0x80808080, cfg(0x1F, 0, 0x60, 4), "a reset restores the routing registers");
    }

    @Test
    void shouldComeOutOfResetWithSmiEnApmcEnSetAsQemuWithoutSmm() {
        final Ich9PmExtra pm = new Ich9PmExtra();
        assertEquals(Ich9PmExtra.SMI_EN_APMC_EN, pm.ioRead(0x10, 4));
        pm.ioWrite(0x14, 4, 0);
        pm.ioWrite(0x00, 1, 0xFF);
        assertEquals(0, pm.ioRead(0x00, 1));
    }
}
