package dev.dejavm.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IoTrace} on lines QEMU 7.2 wrote for SeaBIOS on q35 ({@code qemu-trace-sample.txt}: a selection of one trace
 * log's lines, in their order, ending with the debugcon writes of "No bootable device." and the newline after it) and
 * on lines {@code dejavm inspect --format csv} printed.
 */
class IoTraceTest {
    private static final String MARKER = "No bootable device.";

    private static List<String> sample() throws IOException {
        try (InputStream in = IoTraceTest.class.getResourceAsStream("/qemu-trace-sample.txt")) {
            assertNotNull(in, "qemu-trace-sample.txt is missing from the test resources");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void shouldParseQemuAccessLinesWithAbsoluteAddressesAndSkipOthers() {
        assertEquals(new IoTrace.Access(false, true, 0x70, 1, 0x8f, false, "rtc-index"), IoTrace.parseQemuAccess(
                "memory_region_ops_write cpu 0 mr 0x5640a8a439e0 addr 0x70 value 0x8f size 1 name 'rtc-index'"));
        assertEquals(new IoTrace.Access(false, false, 0xcfc, 2, 0x8086, false, "pci-conf-data"), IoTrace.parseQemuAccess(
                "memory_region_ops_read cpu 0 mr 0x5640a82b08e0 addr 0xcfc value 0x8086 size 2 name 'pci-conf-data'"));
        assertEquals(new IoTrace.Access(true, false, 0xb0000010L, 4, 0, false, "pcie-mmcfg-mmio"), IoTrace.parseQemuAccess(
                "memory_region_ops_read cpu 0 mr 0x5640a82b0b40 addr 0xb0000010 value 0x0 size 4 name 'pcie-mmcfg-mmio'"));
        assertNull(IoTrace.parseQemuAccess(
                "memory_region_ops_write cpu -1 mr 0x5640a81ed0a0 addr 0xfee00000 value 0x0 size 4 name 'apic-msi'"), "not made by a CPU");
        assertNull(IoTrace.parseQemuAccess("fw_cfg_select 0x5640a8374c50 key 0x0000 'signature', ret: 1"));
    }

    @Test
    void shouldTakeQemusUnassignedPortsAsUnassignedWithTheValueMaskedToTheAccessSize() {
        final IoTrace.Access a = IoTrace.parseQemuAccess(
                "memory_region_ops_read cpu 0 mr 0x5640a80d5ee0 addr 0x37a value 0xffffffffffffffff size 1 name 'io'");
        assertEquals(new IoTrace.Access(false, false, 0x37a, 1, 0xff, true, "io"), a);
    }

    @Test
    void shouldSwapTheBigEndianFwCfgDmaRegisterBackToWhatTheCpuWrote() {
        final IoTrace.Access a = IoTrace.parseQemuAccess(
                "memory_region_ops_write cpu 0 mr 0x5640a8374fe0 addr 0x518 value 0x6f3c size 4 name 'fwcfg.dma'");
        assertEquals(0x3c6f0000L, a.value());
    }

    @Test
    void shouldCutQemusTraceAtTheMarkerAndRebuildTheFwCfgDirectory() throws IOException {
        final IoTrace.Trace t = IoTrace.parseQemu(sample(), MARKER);
        assertTrue(t.reachedMarker());
        final IoTrace.Access last = t.accesses().getLast();
        assertEquals(IoTrace.DEBUGCON_PORT, last.address());
        assertEquals((long) '.', last.value(), "the newline after the marker is past the cut");
        assertEquals(List.of("bios-geometry", "bootorder", "etc/acpi/rsdp", "etc/acpi/tables", "etc/boot-fail-wait", "etc/e820",
                "etc/smbios/smbios-anchor", "etc/smbios/smbios-tables", "etc/smi/features-ok", "etc/smi/requested-features",
                "etc/smi/supported-features", "etc/system-states", "etc/table-loader", "etc/tpm/log", "genroms/kvmvapic.bin"),
                t.fwCfgFiles());
        assertEquals("etc/e820", t.fwCfgName(0x25));
        assertEquals("0x0019", t.fwCfgName(0x19));
        assertEquals(List.of(0x0000, 0x0019), t.fwCfgSelected());
        assertFalse(IoTrace.parseQemu(sample().subList(0, 40), MARKER).reachedMarker());
    }

    @Test
    void shouldKeyRegistersBehindAnIndexByTheIndex() throws IOException {
        final IoTrace.Summary s = IoTrace.summarize(IoTrace.parseQemu(sample(), MARKER).accesses(), "q35");
        assertEquals(List.of(0x51L, 0x45L, 0x4dL, 0x55L), List.of(0, 1, 2, 3).stream()
                .map(i -> s.values().get("read fw_cfg 0x0000+" + i + "/1").first()).toList(), "'QEMU'");
        assertEquals(List.of(0x8086L), List.copyOf(s.values().get("read pci 00:00.0+0x00/2")));
        assertEquals(List.of(0x0L), List.copyOf(s.values().get("read cmos 0x0f/1")), "index 0x8f less the NMI bit");
        assertEquals(List.of(0xffL), List.copyOf(s.values().get("read mmio lapic+0x0f0/4")));
        assertEquals(List.of(0x0L), List.copyOf(s.values().get("read mmio ecam 00:00.0+0x010/4")));
        assertFalse(s.values().containsKey("write io 0xcf8/4"), "the index is part of the key");
        assertTrue(s.touched().get("io 0x37a read").unassigned());
        assertEquals("io 0xcfc read", s.locationOf().get("read pci 00:00.0+0x00/2"));
    }

    @Test
    void shouldReadDejavmsCsvUpToTheMarkerKeepingTheUnassignedFlag() {
        final List<String> csv = List.of("seq,icount,cycles_ns,rip,engine,kind,address,size,value,unassigned",
                "0,12,12,0xfec16,interp,pio-write,0x70,1,0x8f,false",
                "400,75234,347003,0x6ff930b,interp,pio-write,0xd,1,0x0,true",
                "939,96149,367968,0xe97e9,interp,mmio-read,0xb0000010,4,0x0,false",
                "215079,15545031,2000000000,0xfb7b8,interp,time-limit,0x0,0,0x0,false");
        final IoTrace.Trace t = IoTrace.parseJournalCsv(csv, MARKER);
        assertFalse(t.reachedMarker());
        assertEquals(List.of(new IoTrace.Access(false, true, 0x70, 1, 0x8f, false, ""),
                new IoTrace.Access(false, true, 0xd, 1, 0, true, ""),
                new IoTrace.Access(true, false, 0xb0000010L, 4, 0, false, "")), t.accesses());
    }

    @Test
    void shouldListDifferentValuesPerSideAndLocationsTouchedByOneSide() throws IOException {
        final List<IoTrace.Access> qemu = IoTrace.parseQemu(sample(), MARKER).accesses();
        final List<IoTrace.Access> ours = new ArrayList<>(qemu.stream()
                .filter(a -> a.address() != 0x7e).map(a -> new IoTrace.Access(a.mmio(), a.write(), a.address(), a.size(),
                        a.address() == 0xfebff004L ? 0 : a.value(), a.unassigned(), "")).toList());
        final List<String> d = SeabiosTraceVsQemuTest.differences(IoTrace.summarize(qemu, "q35"), IoTrace.summarize(ours, "q35"));
        assertEquals(List.of("touched io 0x7e write: qemu only ('kvmvapic')",
                "read mmio 0xfebff004/4: qemu only {0x80000000}, ours only {0x0}"), d);
        final SortedSet<Long> values = IoTrace.summarize(qemu, "q35").values().get("write io 0x402/1");
        assertEquals("{0x20 0x2e 0x4e 0x53 ... 10 more}", IoTrace.hexList(values, 4));
    }
}
