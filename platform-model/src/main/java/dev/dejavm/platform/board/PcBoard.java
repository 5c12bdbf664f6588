package dev.dejavm.platform.board;

import dev.dejavm.core.bus.MmioBus;
import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.platform.acpi.AcpiTables;
import dev.dejavm.platform.dev.acpi.ApmPorts;
import dev.dejavm.platform.dev.acpi.PmBlock;
import dev.dejavm.platform.dev.debugcon.DebugCon;
import dev.dejavm.platform.dev.IrqLine;
import dev.dejavm.platform.dev.dma.I8237Pair;
import dev.dejavm.platform.dev.fwcfg.FwCfg;
import dev.dejavm.platform.dev.hpet.Hpet;
import dev.dejavm.platform.dev.ioapic.IoApic;
import dev.dejavm.platform.dev.ich9.Ich9Ahci;
import dev.dejavm.platform.dev.ich9.Ich9Lpc;
import dev.dejavm.platform.dev.ich9.Ich9PmExtra;
import dev.dejavm.platform.dev.ich9.Ich9Smbus;
import dev.dejavm.platform.dev.pci.Q35Mch;
import dev.dejavm.platform.dev.pci.I440fx;
import dev.dejavm.platform.dev.kbc.I8042;
import dev.dejavm.platform.dev.kbc.Port92;
import dev.dejavm.platform.dev.lapic.LocalApic;
import dev.dejavm.platform.dev.pic.I8259Pair;
import dev.dejavm.platform.dev.pit.I8254;
import dev.dejavm.platform.dev.pci.PciHostBridge;
import dev.dejavm.platform.dev.ide.IdeChannel;
import dev.dejavm.platform.dev.pci.PiixFunction;
import dev.dejavm.platform.dev.post.PostPort;
import dev.dejavm.platform.dev.reset.ResetControl;
import dev.dejavm.platform.dev.rtc.Mc146818;
import dev.dejavm.platform.dev.uart.Uart16550;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The {@code pc} and {@code q35} boards: the devices firmware built for QEMU uses, at the addresses QEMU's machines
 * give them ({@link PcLayout}), so the same images run unchanged. Both have the ISA side (8259A pair with ELCR,
 * 8254, MC146818 RTC/CMOS, i8042 with a PS/2 keyboard, port 0x92, COM1, debugcon, POST port, fw_cfg with DMA), PCI
 * configuration mechanism #1 with the reset control register, a local APIC, an I/O APIC, an HPET, ISA DMA, the ACPI
 * PM block with the APM ports, and
 * ACPI tables handed over through fw_cfg ({@link AcpiTables}). The chipset
 * differs: i440FX + PIIX3/PIIX4 on {@code pc} ({@link #buildI440fx}), Q35 MCH + ICH9 on {@code q35}
 * ({@link #buildQ35}). Unmodelled ports and addresses read as unassigned (all-ones) and are journaled as such.
 */
public final class PcBoard {
    /** fw_cfg file through which the user tells the bundled firmware how to end. */
    public static final String EXIT_ACTION_FILE = "opt/dev.dejavm/exit";
    /** The HPET timers' Tn_INT_ROUTE_CAP as QEMU 7.2 sets it: I/O APIC pin 2 on pc, pins 2, 8 and 16-23 on q35. */
    static final int HPET_INTCAP_PC = 0x0000_0004, HPET_INTCAP_Q35 = 0x00FF_0104;
    /** QEMU's x86 arch-local fw_cfg item FW_CFG_IRQ0_OVERRIDE (hw/i386/fw_cfg.h): 1 = IRQ0 is routed to GSI 2. */
    public static final int X86_IRQ0_OVERRIDE = 0x8002;
    /** e820 type of usable RAM (ACPI 6.5, 15.1 "AddressRangeMemory"). */
    public static final int E820_RAM = 1;

    /**
     * The fw_cfg file {@code etc/e820}: packed little-endian {u64 address, u64 length, u32 type} entries. QEMU's pc
     * with TCG lists the RAM below 4 GiB as one entry (the firmware adds its own reservations).
     */
    static byte[] e820(final MachineConfig config) {
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(0).putLong(config.memoryBytes()).putInt(E820_RAM);
        return b.array();
    }

    /**
     * CMOS bytes QEMU's pc_cmos_init writes (hw/i386/pc.c): base memory in KiB (0x15/0x16), extended memory above
     * 1 MiB in KiB, capped at 0xFFFF (0x17/0x18 and 0x30/0x31), memory above 16 MiB in 64 KiB units, capped
     * (0x34/0x35), memory above 4 GiB in 64 KiB units (0x5B-0x5D), the CPU count - 1 (0x5F), and the boot order
     * for QEMU's default "cad" (hard disk, floppy, CD-ROM: 0x3D = 0x12, 0x38 = 0x30 with the floppy signature check
     * on).
     */
    static int[][] cmosMemoryFields(final MachineConfig config) {
        final long ram = config.memoryBytes();
        final long extKb = Math.min((ram - (1 << 20)) / 1024, 0xFFFF);
        final long above16 = ram > (16 << 20) ? Math.min((ram - (16 << 20)) / 65536, 0xFFFF) : 0;
        return new int[][] {
            {0x15, 0x80}, {0x16, 0x02},
            {0x17, (int) (extKb & 0xFF)}, {0x18, (int) (extKb >> 8)},
            {0x30, (int) (extKb & 0xFF)}, {0x31, (int) (extKb >> 8)},
            {0x34, (int) (above16 & 0xFF)}, {0x35, (int) (above16 >> 8)},
            {0x5B, 0}, {0x5C, 0}, {0x5D, 0},
            {0x5F, config.cpus() - 1},
            {0x3D, 0x12}, {0x38, 0x30},
        };
    }

    private final I8259Pair pic;
    private final LocalApic lapic;
    private final IoApic ioapic;
    private final Hpet hpet;
    /** The levels the 8254 (IRQ0) and the RTC (IRQ8) drive, remembered while the HPET's legacy mode mutes them. */
    private final boolean[] legacyHeld = new boolean[16];
    /** The level of each ISA interrupt line, journaled when it changes. */
    private final boolean[] lineLevel = new boolean[16];
    private dev.dejavm.core.event.EventSink irqSink = dev.dejavm.core.event.EventSink.NONE;

    /** The board's wiring state (line levels), part of a machine snapshot; wires keep their level across resets. */
    private final class Wires implements Resettable, dev.dejavm.core.state.Snapshottable {
        @Override
        public void reset(final dev.dejavm.core.state.ResetKind kind) {
            // the devices driving the lines lower them on their own reset
        }

        @Override
        public String stateId() {
            return "isa-irq-lines";
        }

        @Override
        public int stateVersion() {
            return 1;
        }

        @Override
        public void save(final dev.dejavm.core.state.StateWriter w) {
            for (int i = 0; i < 16; i++) {
                w.putBoolean(lineLevel[i]).putBoolean(legacyHeld[i]);
            }
        }

        @Override
        public void load(final dev.dejavm.core.state.StateReader r, final int version) {
            for (int i = 0; i < 16; i++) {
                lineLevel[i] = r.getBoolean();
                legacyHeld[i] = r.getBoolean();
            }
        }
    }

    /** Where ISA interrupt line changes are journaled. */
    public void setEventSink(final dev.dejavm.core.event.EventSink sink) {
        this.irqSink = sink;
    }
    private final I8042 kbc;
    private final Port92 port92;
    private final I8237Pair isaDma;
    private final I8254 pit;
    private final DebugCon debugcon;
    private final PostPort post = new PostPort();
    private final Uart16550 com1;
    private final Mc146818 rtc;
    private final FwCfg fwCfg;
    private final PmBlock pm;
    private final ApmPorts apm;
    private final ResetControl resetControl;
    private final PciHostBridge pciHost;

    public PcBoard(final MachineConfig config, final PortBus ports, final MmioBus mmio, final Timeline timeline,
                   final SystemControl control, final Consoles consoles, final Consumer<Resettable> resettables,
                   final I440fx.PamListener pam, final LongSupplier apicBaseMsr, final FwCfg.DmaMemory dma) {
        debugcon = new DebugCon(DebugCon.Config.QEMU, consoles.debugcon());
        pic = new I8259Pair();
        lapic = new LocalApic(timeline, pic, apicBaseMsr);
        mmio.map(LocalApic.BASE, LocalApic.SIZE, lapic, "lapic");
        ioapic = new IoApic(lapic);
        lapic.setEoiBroadcast(ioapic::eoi);
        mmio.map(IoApic.BASE, IoApic.SIZE, ioapic, "ioapic");
        hpet = new Hpet(timeline, config.board().equals("q35") ? HPET_INTCAP_Q35 : HPET_INTCAP_PC, new Hpet.Lines() {
            @Override
            public void isaIrq(final int irq, final boolean level) {
                setIsaIrq(irq, level);
            }

            @Override
            public void ioapicPin(final int pin, final boolean level) {
                ioapic.setInput(pin, level);
            }

            @Override
            public void legacyReplacementChanged(final boolean enabled) {
                for (final int irq : new int[] {PcLayout.IRQ_PIT, PcLayout.IRQ_RTC}) {
                    if (legacyHeld[irq]) {
                        setIsaIrq(irq, !enabled);
                    }
                }
            }
        });
        mmio.map(Hpet.BASE, Hpet.SIZE, hpet, "hpet");
        pit = new I8254(timeline, mutedByHpet(PcLayout.IRQ_PIT));
        com1 = new Uart16550(consoles.com1(), isaIrq(PcLayout.IRQ_COM1));
        rtc = new Mc146818(new Mc146818.Config(config.rtcStart(), cmosMemoryFields(config)), timeline,
                mutedByHpet(PcLayout.IRQ_RTC));
        fwCfg = new FwCfg(config.memoryBytes(), config.cpus(), dma);
        fwCfg.setItem(X86_IRQ0_OVERRIDE, new byte[] {1, 0, 0, 0});
        fwCfg.addFile("etc/e820", e820(config));
        final AcpiTables.Blobs acpi = AcpiTables.build(new AcpiTables.Config(config.board().equals("q35"), config.cpus(),
                config.memoryBytes(), PcLayout.PM_BASE, true));
        fwCfg.addFile(AcpiTables.RSDP_FILE, acpi.rsdp());
        fwCfg.addFile(AcpiTables.TABLES_FILE, acpi.tables());
        fwCfg.addFile(AcpiTables.LOADER_FILE, acpi.loader());
        if (config.bootFailWaitMs() != MachineConfig.NO_BOOT_FAIL_WAIT) {
            // QEMU's fw_cfg_reboot: a 4-byte little-endian count of milliseconds, -1 = never reboot
            fwCfg.addFile("etc/boot-fail-wait", java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) config.bootFailWaitMs()).array());
        }
        if (config.exitAction() != null) {
            fwCfg.addFile(EXIT_ACTION_FILE, config.exitAction().getBytes(StandardCharsets.US_ASCII));
        }
        fwCfg.seal();
        pm = new PmBlock(timeline, control);
        pm.setSci(isaIrq(AcpiTables.SCI_IRQ));
        apm = new ApmPorts(pm);
        resetControl = new ResetControl(control);
        pciHost = new PciHostBridge(resetControl);
        final java.util.List<Resettable> chipset = new java.util.ArrayList<>();
        if (config.board().equals("q35")) {
            buildQ35(ports, mmio, pam, chipset);
        } else {
            buildI440fx(ports, pam, chipset, config.hostBridge().equals(MachineConfig.HOST_BRIDGE_CLOUDHV)
                    ? I440fx.CLOUDHV_DEVICE_ID : I440fx.DEVICE_ID);
        }

        ports.map(PcLayout.PIC_MASTER_BASE, 2, pic.masterPorts(), "pic-master");
        ports.map(PcLayout.PIC_SLAVE_BASE, 2, pic.slavePorts(), "pic-slave");
        ports.map(PcLayout.ELCR_BASE, 2, pic.elcrPorts(), "elcr");
        ports.map(PcLayout.PIT_BASE, 4, pit, "pit");
        ports.map(PcLayout.RTC_BASE, PcLayout.RTC_PORTS, rtc, "rtc");
        ports.map(PcLayout.POST_PORT, 1, post, "post");
        ports.map(PcLayout.COM1_BASE, PcLayout.COM_PORTS, com1, "com1");
        ports.map(PcLayout.DEBUGCON_PORT, 1, debugcon, "debugcon");
        ports.map(PcLayout.FW_CFG_PORT, PcLayout.FW_CFG_PORTS, fwCfg, "fw_cfg");
        ports.map(PcLayout.FW_CFG_DMA_PORT, PcLayout.FW_CFG_DMA_PORTS, fwCfg.dmaPort(), "fw_cfg-dma");
        ports.map(PcLayout.PM_BASE, PmBlock.LENGTH, pm, "acpi-pm"); // moved/unmapped by PIIX4 PMBA at reset
        ports.map(ApmPorts.BASE, ApmPorts.LENGTH, apm, "apm");
        ports.map(PcLayout.PCI_CONFIG_PORT, PcLayout.PCI_CONFIG_PORTS, pciHost, "pci-host"); // includes reset control 0xCF9
        kbc = new I8042(control, isaIrq(PcLayout.IRQ_KEYBOARD), isaIrq(PcLayout.IRQ_MOUSE));
        ports.map(I8042.DATA_PORT, 1, kbc.dataPort(), "i8042-data");
        ports.map(I8042.COMMAND_PORT, 1, kbc.commandPort(), "i8042-command");
        isaDma = new I8237Pair();
        ports.map(I8237Pair.MASTER_BASE, I8237Pair.CONTROLLER_PORTS, isaDma.masterPorts(), "dma-master");
        ports.map(I8237Pair.SLAVE_BASE, 2 * I8237Pair.CONTROLLER_PORTS, isaDma.slavePorts(), "dma-slave");
        for (final int[] range : I8237Pair.PAGE_RANGES) {
            ports.map(range[0], range[1], isaDma.pagePorts(range[0]), "dma-page");
        }
        port92 = new Port92(control);
        ports.map(Port92.PORT, 1, port92, "port92");
        for (final Resettable r : new Resettable[] {pic, lapic, ioapic, hpet, pit, debugcon, post, com1, rtc, fwCfg, pm, apm, pciHost, kbc, port92, isaDma}) {
            resettables.accept(r);
        }
        chipset.forEach(resettables);
        resettables.accept(new Wires());
    }

    /**
     * QEMU's {@code pc}: the i440FX host bridge (00:00.0) and PIIX3/PIIX4 (00:01.0 ISA bridge, 00:01.1 IDE with
     * both legacy channels and no drives, 00:01.3 power management, whose PMBA places the ACPI PM block).
     */
    private void buildI440fx(final PortBus ports, final I440fx.PamListener pam, final java.util.List<Resettable> chipset,
                             final int hostBridgeId) {
        final I440fx i440fx = new I440fx(pam, hostBridgeId);
        pciHost.plug(0, 0, i440fx);
        final PiixFunction piixIsa = PiixFunction.isaBridge();
        final PiixFunction piixIde = PiixFunction.ide();
        final PiixFunction piixPm = PiixFunction.pm(base -> ports.move(pm, PmBlock.LENGTH, base));
        pciHost.plug(1, 0, piixIsa);
        pciHost.plug(1, 1, piixIde);
        pciHost.plug(1, 3, piixPm);
        final IdeChannel ide0 = new IdeChannel("ide0", false);
        final IdeChannel ide0ctl = new IdeChannel("ide0-control", true);
        final IdeChannel ide1 = new IdeChannel("ide1", false);
        final IdeChannel ide1ctl = new IdeChannel("ide1-control", true);
        ports.map(IdeChannel.PRIMARY_COMMAND, IdeChannel.COMMAND_LENGTH, ide0, "ide0");
        ports.map(IdeChannel.PRIMARY_CONTROL, 1, ide0ctl, "ide0-control");
        ports.map(IdeChannel.SECONDARY_COMMAND, IdeChannel.COMMAND_LENGTH, ide1, "ide1");
        ports.map(IdeChannel.SECONDARY_CONTROL, 1, ide1ctl, "ide1-control");
        chipset.addAll(java.util.List.of(i440fx, piixIsa, piixIde, piixPm));
    }

    /**
     * QEMU's {@code q35}: the MCH (00:00.0: PAM at 0x90, PCIEXBAR placing the ECAM window), the ICH9 LPC bridge
     * (00:1F.0: PMBASE/ACPI_CNTL placing the ACPI PM I/O space, RCBA), ICH9 AHCI with six empty ports (00:1F.2,
     * ABAR decoded where BAR 5 points) and ICH9 SMBus (00:1F.3). No legacy IDE ports.
     */
    private void buildQ35(final PortBus ports, final MmioBus mmio, final I440fx.PamListener pam, final java.util.List<Resettable> chipset) {
        final MmioDevice[] ecam = new MmioDevice[1];
        final Q35Mch mch = new Q35Mch(pciHost, pam, (base, size) -> mmio.move(ecam[0], size, base));
        ecam[0] = mch.ecam;
        pciHost.plug(0, 0, mch);
        final Ich9PmExtra pmExtra = new Ich9PmExtra();
        ports.map(PcLayout.PM_BASE + Ich9PmExtra.OFFSET, Ich9PmExtra.LENGTH, pmExtra, "acpi-gpe0-smi");
        final MmioDevice[] rcba = new MmioDevice[1];
        final Ich9Lpc lpc = new Ich9Lpc(base -> {
            ports.move(pm, PmBlock.LENGTH, base);
            ports.move(pmExtra, Ich9PmExtra.LENGTH, base < 0 ? -1 : base + Ich9PmExtra.OFFSET);
        }, base -> mmio.move(rcba[0], Ich9Lpc.RCBA_SIZE, base));
        rcba[0] = lpc.rcbaRegisters;
        pciHost.plug(0x1F, 0, lpc);
        final Ich9Ahci ahci = new Ich9Ahci();
        ahci.setBarListener((bar, base) -> {
            if (bar == Ich9Ahci.ABAR) {
                mmio.move(ahci.abar, Ich9Ahci.ABAR_SIZE, base);
            }
        });
        pciHost.plug(0x1F, 2, ahci);
        final Ich9Smbus smbus = new Ich9Smbus();
        pciHost.plug(0x1F, 3, smbus);
        chipset.addAll(java.util.List.of(mch, lpc, pmExtra, ahci, smbus));
    }

    /**
     * An ISA interrupt line: it drives the 8259A input of the same number and the I/O APIC input of its global
     * system interrupt, which is the same number except IRQ0 (the PIT), wired to GSI 2 as QEMU does and as the
     * MADT's interrupt source override says.
     */
    private IrqLine isaIrq(final int irq) {
        return level -> setIsaIrq(irq, level);
    }

    private void setIsaIrq(final int irq, final boolean level) {
        if (lineLevel[irq] != level) {
            lineLevel[irq] = level;
            irqSink.onEvent(dev.dejavm.core.event.EventKind.IRQ_LINE, 0, irq, 0, level ? 1 : 0);
        }
        pic.setIrq(irq, level);
        ioapic.setInput(irq == 0 ? 2 : irq, level);
    }

    /**
     * The 8254's IRQ0 and the RTC's IRQ8: silent while the HPET is in legacy replacement mode, where its timers 0
     * and 1 drive those lines instead (IA-PC HPET 1.0a, 2.3.5).
     */
    private IrqLine mutedByHpet(final int irq) {
        final IrqLine line = isaIrq(irq);
        return level -> {
            legacyHeld[irq] = level;
            if (!hpet.legacyReplacement()) {
                line.set(level);
            }
        };
    }

    /** The 8259A pair. */
    public I8259Pair pic() {
        return pic;
    }

    /** The local APIC, which is the CPU's interrupt input (the PIC reaches the CPU through its LINT0). */
    public LocalApic lapic() {
        return lapic;
    }

    /** The I/O APIC at 0xFEC00000. */
    public IoApic ioapic() {
        return ioapic;
    }

    public PostPort post() {
        return post;
    }

    public Mc146818 rtc() {
        return rtc;
    }

    public Uart16550 com1() {
        return com1;
    }

    public FwCfg fwCfg() {
        return fwCfg;
    }
}
