package dev.dejavm.platform.acpi;

import static dev.dejavm.platform.acpi.Aml.cat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ACPI tables of the {@code pc} and {@code q35} boards, handed to firmware the way QEMU does: three fw_cfg files,
 * {@code etc/acpi/tables} (every table, unlinked), {@code etc/acpi/rsdp} (the root pointer) and
 * {@code etc/table-loader} (the commands that tell firmware where to place the two blobs, which pointers to patch
 * and which checksums to compute afterwards; QEMU's docs/specs/fw_cfg.rst and SeaBIOS's romfile_loader). SeaBIOS
 * and OVMF both run these commands, so the tables they publish are ours.
 *
 * <p>The tables (ACPI 6.5 chapter 5), with OEM id "DEJAVM", in a blob padded to {@link #TABLES_BLOB_SIZE}:
 * <ul>
 *   <li>FACS (64-byte aligned, first in the blob).</li>
 *   <li>DSDT (revision 1, 32-bit integers): {@code \_SB.PCI0} (PNP0A03; on q35 PNP0A08 compatible with PNP0A03)
 *       with its bus, I/O and memory windows; the ISA/LPC bridge with the 8042 keyboard and mouse, RTC and COM1;
 *       fw_cfg (QEMU0002); the PCI interrupt links (PIIX3 PIRQA-D on pc, ICH9 PIRQA-H on q35) read and written
 *       through the bridge's PIRQ route registers, and a {@code _PRT} with QEMU's slot/pin rotation; the HPET when
 *       the board has one; on q35 a motherboard resource reserving the ECAM window; {@code \_S5} with sleep type 0,
 *       which the PM block's SLP_EN treats as power-off.</li>
 *   <li>FADT: revision 1 on pc (116 bytes), revision 3 on q35 (244 bytes, with the reset register 0xCF9 ← 0x0F and
 *       the 8042 boot flag), as QEMU 7.2 generates them; SCI on IRQ 9, SMI command port 0xB2 with ACPI enable
 *       0xF1/disable 0xF0, PM1a event/control and PM timer at the PM base, GPE0 (q35 only, 16 bytes at base + 0x20),
 *       RTC century index 0x32.</li>
 *   <li>MADT: the local APIC of each CPU, the I/O APIC at 0xFEC00000 (GSI base 0), interrupt source overrides IRQ0 →
 *       GSI 2 and IRQs 5, 9, 10 and 11 level-triggered active-high (SCI and PCI links), LINT1 as NMI.</li>
 *   <li>HPET (when present), MCFG on q35 (the ECAM window at 0xB0000000, buses 0-255: where SeaBIOS and OVMF put
 *       PCIEXBAR; the table is built once, before firmware runs), and the RSDT listing them.</li>
 *   <li>RSDP, revision 0 (ACPI 1.0, RSDT only), as QEMU's x86 machines.</li>
 * </ul>
 */
public final class AcpiTables {
    public static final String TABLES_FILE = "etc/acpi/tables";
    public static final String RSDP_FILE = "etc/acpi/rsdp";
    public static final String LOADER_FILE = "etc/table-loader";

    public static final String OEM_ID = "DEJAVM";
    /**
     * The tables blob is padded with zeros to 128 KiB, as QEMU pads {@code etc/acpi/tables}: firmware reserves the
     * same amount at the top of RAM, so the e820 map and the memory left to the firmware are QEMU's.
     */
    public static final int TABLES_BLOB_SIZE = 0x20000;
    static final int LOADER_ENTRY = 128;
    static final int LOADER_NAME = 56;
    static final int ALLOCATE = 1, ADD_POINTER = 2, ADD_CHECKSUM = 3;
    static final int ZONE_HIGH = 1, ZONE_FSEG = 2;

    /**
     * What the tables describe.
     *
     * @param q35       the Q35 board (else i440FX {@code pc})
     * @param cpus      CPUs (one local APIC entry each)
     * @param ramBelow4g RAM below 4 GiB: the PCI memory window starts there
     * @param pmBase    the ACPI PM I/O base firmware is told to program (0x600, as with QEMU's tables)
     * @param hpet      whether the board has an HPET at 0xFED00000
     */
    public record Config(boolean q35, int cpus, long ramBelow4g, int pmBase, boolean hpet) {
    }

    /** The three fw_cfg files. */
    public record Blobs(byte[] tables, byte[] rsdp, byte[] loader) {
    }

    public static final long LAPIC_BASE = 0xFEE0_0000L;
    public static final long IOAPIC_BASE = 0xFEC0_0000L;
    public static final long HPET_BASE = 0xFED0_0000L;
    public static final int HPET_SIZE = 0x400;
    /** The HPET's General Capabilities low dword (event timer block id): vendor 8086, legacy capable, 3 timers. */
    public static final int HPET_BLOCK_ID = 0x8086_A201;
    public static final long ECAM_BASE = 0xB000_0000L;
    public static final long ECAM_SIZE = 0x1000_0000L;
    public static final int SCI_IRQ = 9;
    public static final int SMI_CMD = 0xB2, ACPI_ENABLE = 0xF1, ACPI_DISABLE = 0xF0;
    public static final int RESET_PORT = 0xCF9, RESET_VALUE = 0x0F;
    /** The IRQs firmware may route PCI interrupt links to (QEMU's _PRS). */
    static final int[] LINK_IRQS = {5, 10, 11};

    private AcpiTables() {
    }

    /** Builds the tables, the root pointer and the loader script for {@code c}. */
    public static Blobs build(final Config c) {
        final Blob tables = new Blob();
        final List<byte[]> loader = new ArrayList<>();
        loader.add(allocate(RSDP_FILE, 16, ZONE_FSEG));
        loader.add(allocate(TABLES_FILE, 64, ZONE_HIGH));

        final int facs = tables.add(facs(), 64);
        final byte[] dsdtBytes = table("DSDT", 1, dsdtBody(c));
        final int dsdt = tables.add(dsdtBytes, 1);
        final List<byte[]> checksums = new ArrayList<>();
        checksums.add(checksum(TABLES_FILE, dsdt, dsdtBytes.length));

        final byte[] fadtBytes = fadt(c, facs, dsdt);
        final int fadt = tables.add(fadtBytes, 1);
        loader.add(pointer(TABLES_FILE, TABLES_FILE, fadt + 36, 4));
        loader.add(pointer(TABLES_FILE, TABLES_FILE, fadt + 40, 4));
        if (c.q35()) {
            loader.add(pointer(TABLES_FILE, TABLES_FILE, fadt + 140, 8));
        }
        checksums.add(checksum(TABLES_FILE, fadt, fadtBytes.length));

        final List<Integer> rsdtEntries = new ArrayList<>();
        rsdtEntries.add(fadt);
        for (final byte[] t : c.q35()
                ? (c.hpet() ? List.of(madt(c), hpet(), mcfg()) : List.of(madt(c), mcfg()))
                : (c.hpet() ? List.of(madt(c), hpet()) : List.of(madt(c)))) {
            final int at = tables.add(t, 1);
            rsdtEntries.add(at);
            checksums.add(checksum(TABLES_FILE, at, t.length));
        }

        final ByteBuffer rsdtBody = le(4 * rsdtEntries.size());
        rsdtEntries.forEach(rsdtBody::putInt);
        final byte[] rsdtBytes = table("RSDT", 1, rsdtBody.array());
        final int rsdt = tables.add(rsdtBytes, 1);
        for (int i = 0; i < rsdtEntries.size(); i++) {
            loader.add(pointer(TABLES_FILE, TABLES_FILE, rsdt + 36 + 4 * i, 4));
        }
        checksums.add(checksum(TABLES_FILE, rsdt, rsdtBytes.length));
        loader.addAll(checksums);

        final ByteBuffer rsdp = le(20);
        rsdp.put("RSD PTR ".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(oem(OEM_ID, 6)).put((byte) 0)
                .putInt(rsdt);
        loader.add(pointer(RSDP_FILE, TABLES_FILE, 16, 4));
        loader.add(checksum(RSDP_FILE, 0, 20, 8));

        final ByteArrayOutputStream script = new ByteArrayOutputStream();
        loader.forEach(script::writeBytes);
        final byte[] blob = tables.bytes();
        if (blob.length > TABLES_BLOB_SIZE) {
            throw new IllegalStateException("ACPI tables exceed " + TABLES_BLOB_SIZE + " bytes: " + blob.length);
        }
        return new Blobs(java.util.Arrays.copyOf(blob, TABLES_BLOB_SIZE), rsdp.array(), script.toByteArray());
    }

    // ---- loader commands (SeaBIOS src/fw/romfile_loader.h, QEMU hw/acpi/bios-linker-loader.c interface) -------

    private static ByteBuffer command(final int cmd) {
        return le(LOADER_ENTRY).putInt(cmd);
    }

    private static byte[] fileName(final String name) {
        final byte[] n = new byte[LOADER_NAME];
        final byte[] s = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, n, 0, s.length);
        return n;
    }

    static byte[] allocate(final String file, final int align, final int zone) {
        return command(ALLOCATE).put(fileName(file)).putInt(align).put((byte) zone).array();
    }

    /** Adds the address of {@code src} to the {@code size}-byte value at {@code offset} in {@code dest}. */
    static byte[] pointer(final String dest, final String src, final int offset, final int size) {
        return command(ADD_POINTER).put(fileName(dest)).put(fileName(src)).putInt(offset).put((byte) size).array();
    }

    /** Stores at {@code offset + 9} (the header's checksum byte) the value that makes the table sum to zero. */
    static byte[] checksum(final String file, final int offset, final int length) {
        return checksum(file, offset, length, offset + 9);
    }

    static byte[] checksum(final String file, final int start, final int length, final int at) {
        return command(ADD_CHECKSUM).put(fileName(file)).putInt(at).putInt(start).putInt(length).array();
    }

    // ---- tables ------------------------------------------------------------------------------------------

    private static ByteBuffer le(final int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] oem(final String s, final int width) {
        final byte[] b = new byte[width];
        java.util.Arrays.fill(b, (byte) ' ');
        final byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(v, 0, b, 0, Math.min(v.length, width));
        return b;
    }

    /**
     * A table: the 36-byte system description header (5.2.6) and {@code body}. The checksum byte is 0: the loader's
     * ADD_CHECKSUM fixes it once the pointers are patched (and {@link #checksummed} for tables nobody patches).
     */
    static byte[] table(final String signature, final int revision, final byte[] body) {
        final ByteBuffer b = le(36 + body.length);
        b.put(signature.getBytes(StandardCharsets.US_ASCII)).putInt(36 + body.length).put((byte) revision).put((byte) 0)
                .put(oem(OEM_ID, 6)).put(oem("DEJAVM" + signature.substring(0, 2), 8)).putInt(1)
                .put("DJVM".getBytes(StandardCharsets.US_ASCII)).putInt(1).put(body);
        return b.array();
    }

    /** FACS (5.2.10): signature, length 64, version 0 (ACPI 1.0 layout); no checksum. */
    static byte[] facs() {
        final ByteBuffer b = le(64);
        b.put("FACS".getBytes(StandardCharsets.US_ASCII)).putInt(64);
        return b.array();
    }

    /** FADT (5.2.9). {@code facs} and {@code dsdt} are offsets in the tables blob; the loader adds its address. */
    static byte[] fadt(final Config c, final int facs, final int dsdt) {
        final int length = c.q35() ? 244 : 116;
        final ByteBuffer b = le(length - 36);
        b.putInt(facs).putInt(dsdt);
        b.put((byte) 1); // INT_MODEL in ACPI 1.0 (dual PIC/APIC); reserved since 2.0
        b.put((byte) 0); // Preferred_PM_Profile: unspecified
        b.putShort((short) SCI_IRQ).putInt(SMI_CMD).put((byte) ACPI_ENABLE).put((byte) ACPI_DISABLE);
        b.put((byte) 0).put((byte) 0); // S4BIOS_REQ, PSTATE_CNT
        final int pm = c.pmBase();
        b.putInt(pm).putInt(0).putInt(pm + 4).putInt(0).putInt(0).putInt(pm + 8);
        b.putInt(c.q35() ? pm + 0x20 : 0).putInt(0); // GPE0_BLK, GPE1_BLK
        b.put((byte) 4).put((byte) 2).put((byte) 0).put((byte) 4); // PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TMR_LEN
        b.put((byte) (c.q35() ? 16 : 0)).put((byte) 0).put((byte) 0).put((byte) 0); // GPE0/1 lengths, GPE1_BASE, CST_CNT
        b.putShort((short) 0xFFF).putShort((short) 0xFFF); // P_LVL2/3_LAT > 100/1000: no C2/C3
        b.putShort((short) 0).putShort((short) 0).put((byte) 0).put((byte) 0); // FLUSH_SIZE/STRIDE, DUTY_OFFSET/WIDTH
        b.put((byte) 0).put((byte) 0).put((byte) 0x32); // DAY_ALRM, MON_ALRM, CENTURY
        b.putShort((short) (c.q35() ? 0x0002 : 0)).put((byte) 0); // IAPC_BOOT_ARCH (8042 on q35), reserved
        // Flags: WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, USE_PLATFORM_CLOCK; q35 also RESET_REG_SUP.
        b.putInt(0x80A5 | (c.q35() ? 1 << 10 : 0));
        if (c.q35()) {
            b.put(gas(1, 8, RESET_PORT)).put((byte) RESET_VALUE);
            b.putShort((short) 0).put((byte) 0); // ARM_BOOT_ARCH, FADT minor version
            b.putLong(0).putLong(dsdt); // X_FIRMWARE_CTRL (FIRMWARE_CTRL is used), X_DSDT
            b.put(gas(1, 32, pm)).put(gas(0, 0, 0)).put(gas(1, 16, pm + 4)).put(gas(0, 0, 0)).put(gas(0, 0, 0));
            b.put(gas(1, 32, pm + 8)).put(gas(1, 128, pm + 0x20)).put(gas(0, 0, 0));
        }
        return table("FACP", c.q35() ? 3 : 1, b.array());
    }

    /** A generic address structure (5.2.3.2): space 0 memory, 1 I/O; access size undefined (legacy). */
    private static byte[] gas(final int space, final int bits, final long address) {
        return le(12).put((byte) space).put((byte) bits).put((byte) 0).put((byte) 0).putLong(address).array();
    }

    /** MADT (5.2.12). */
    static byte[] madt(final Config c) {
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        e.writeBytes(le(8).putInt((int) LAPIC_BASE).putInt(1).array()); // PCAT_COMPAT: dual 8259 present
        for (int cpu = 0; cpu < c.cpus(); cpu++) {
            e.writeBytes(le(8).put((byte) 0).put((byte) 8).put((byte) cpu).put((byte) cpu).putInt(1).array());
        }
        e.writeBytes(le(12).put((byte) 1).put((byte) 12).put((byte) 0).put((byte) 0).putInt((int) IOAPIC_BASE).putInt(0).array());
        e.writeBytes(override(0, 2, 0));
        for (final int irq : new int[] {5, SCI_IRQ, 10, 11}) {
            e.writeBytes(override(irq, irq, 0x000D)); // active high (01), level triggered (11)
        }
        e.writeBytes(le(6).put((byte) 4).put((byte) 6).put((byte) 0xFF).putShort((short) 0).put((byte) 1).array());
        return table("APIC", 1, e.toByteArray());
    }

    private static byte[] override(final int source, final int gsi, final int flags) {
        return le(10).put((byte) 2).put((byte) 10).put((byte) 0).put((byte) source).putInt(gsi).putShort((short) flags).array();
    }

    /** HPET description table (IA-PC HPET specification 1.0a, 3.2.4). */
    static byte[] hpet() {
        final ByteBuffer b = le(20);
        b.putInt(HPET_BLOCK_ID).put(gas(0, 0, HPET_BASE)).put((byte) 0).putShort((short) 0).put((byte) 0);
        return table("HPET", 1, b.array());
    }

    /** MCFG (PCI Firmware Specification 3.2, 4.1.2): one allocation, segment 0, buses 0-255. */
    static byte[] mcfg() {
        final ByteBuffer b = le(8 + 16);
        b.putLong(0).putLong(ECAM_BASE).putShort((short) 0).put((byte) 0).put((byte) 0xFF).putInt(0);
        return table("MCFG", 1, b.array());
    }

    // ---- DSDT --------------------------------------------------------------------------------------------

    static byte[] dsdtBody(final Config c) {
        final int linkCount = c.q35() ? 8 : 4;
        final List<byte[]> sb = new ArrayList<>();
        sb.add(pci0(c));
        for (int i = 0; i < linkCount; i++) {
            sb.add(link(i));
        }
        if (!c.q35()) {
            sb.add(Aml.device("LNKS",
                    Aml.nameOp("_HID", Aml.eisaId("PNP0C0F")),
                    Aml.nameOp("_UID", Aml.integer(4)),
                    Aml.nameOp("_STA", Aml.integer(0x0B)),
                    Aml.nameOp("_PRS", Aml.resourceTemplate(Aml.extIrqLevelShared(SCI_IRQ))),
                    Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.extIrqLevelShared(SCI_IRQ)))));
        }
        if (c.hpet()) {
            sb.add(Aml.device("HPET",
                    Aml.nameOp("_HID", Aml.eisaId("PNP0103")),
                    Aml.nameOp("_UID", Aml.integer(0)),
                    Aml.nameOp("_STA", Aml.integer(0x0F)),
                    Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.memory32Fixed(HPET_BASE, HPET_SIZE)))));
        }
        if (c.q35()) {
            sb.add(Aml.device("MRES",
                    Aml.nameOp("_HID", Aml.eisaId("PNP0C02")),
                    Aml.nameOp("_UID", Aml.integer(1)),
                    Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.memory32Fixed(ECAM_BASE, ECAM_SIZE)))));
        }
        return cat(
                Aml.scope("\\_SB", sb.toArray(new byte[0][])),
                Aml.nameOp("\\_S5", Aml.pkgOf(Aml.integer(0), Aml.integer(0), Aml.integer(0), Aml.integer(0))));
    }

    private static byte[] pci0(final Config c) {
        final long ram = c.ramBelow4g();
        final List<byte[]> crs = new ArrayList<>(List.of(
                Aml.wordSpace(Aml.BUS, 0, 0, 0xFF),
                Aml.io(0xCF8, 0xCF8, 1, 8),
                Aml.wordSpace(Aml.IO, 3, 0x0000, 0x0CF7),
                Aml.wordSpace(Aml.IO, 3, 0x0D00, 0xFFFF),
                Aml.dwordSpace(Aml.MEMORY, Aml.MEM_RW_CACHEABLE, 0xA0000, 0xBFFFF)));
        if (c.q35()) {
            if (ram < ECAM_BASE) {
                crs.add(Aml.dwordSpace(Aml.MEMORY, Aml.MEM_RW_NONCACHEABLE, ram, ECAM_BASE - 1));
            }
            crs.add(Aml.dwordSpace(Aml.MEMORY, Aml.MEM_RW_NONCACHEABLE, Math.max(ram, ECAM_BASE + ECAM_SIZE), 0xFEBF_FFFFL));
        } else {
            crs.add(Aml.dwordSpace(Aml.MEMORY, Aml.MEM_RW_NONCACHEABLE, ram, 0xFEBF_FFFFL));
        }
        final List<byte[]> terms = new ArrayList<>();
        if (c.q35()) {
            terms.add(Aml.nameOp("_HID", Aml.eisaId("PNP0A08")));
            terms.add(Aml.nameOp("_CID", Aml.eisaId("PNP0A03")));
        } else {
            terms.add(Aml.nameOp("_HID", Aml.eisaId("PNP0A03")));
        }
        terms.add(Aml.nameOp("_ADR", Aml.integer(0)));
        terms.add(Aml.nameOp("_UID", Aml.integer(0)));
        terms.add(Aml.nameOp("_CRS", Aml.resourceTemplate(crs.toArray(new byte[0][]))));
        terms.add(isaBridge(c));
        terms.add(Aml.device("FWCF",
                Aml.nameOp("_HID", Aml.string("QEMU0002")),
                Aml.nameOp("_STA", Aml.integer(0x0B)),
                Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.io(0x510, 0x510, 1, 0x0C)))));
        terms.add(Aml.nameOp("_PRT", prt(c)));
        return Aml.device("PCI0", terms.toArray(new byte[0][]));
    }

    /** The PIRQ route register of link {@code i}: PIRQA-D at 0x60-0x63, PIRQE-H (ICH9) at 0x68-0x6B. */
    static String prq(final int i) {
        return "PRQ" + (char) ('A' + i);
    }

    private static byte[] isaBridge(final Config c) {
        final List<byte[]> t = new ArrayList<>();
        t.add(Aml.nameOp("_ADR", Aml.integer(c.q35() ? 0x001F_0000 : 0x0001_0000)));
        t.add(Aml.opRegion("PIRQ", Aml.PCI_CONFIG, 0x60, c.q35() ? 0x0C : 0x04));
        final byte[] field = c.q35()
                ? Aml.field("PIRQ", Aml.BYTE_ACC, prq(0), 8, prq(1), 8, prq(2), 8, prq(3), 8, null, 32,
                        prq(4), 8, prq(5), 8, prq(6), 8, prq(7), 8)
                : Aml.field("PIRQ", Aml.BYTE_ACC, prq(0), 8, prq(1), 8, prq(2), 8, prq(3), 8);
        t.add(field);
        t.add(Aml.device("KBD",
                Aml.nameOp("_HID", Aml.eisaId("PNP0303")),
                Aml.nameOp("_STA", Aml.integer(0x0F)),
                Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.io(0x60, 0x60, 1, 1), Aml.io(0x64, 0x64, 1, 1), Aml.irqNoFlags(1)))));
        t.add(Aml.device("MOU",
                Aml.nameOp("_HID", Aml.eisaId("PNP0F13")),
                Aml.nameOp("_STA", Aml.integer(0x0F)),
                Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.irqNoFlags(12)))));
        t.add(Aml.device("RTC",
                Aml.nameOp("_HID", Aml.eisaId("PNP0B00")),
                Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.io(0x70, 0x70, 1, 2), Aml.irqNoFlags(8)))));
        t.add(Aml.device("COM1",
                Aml.nameOp("_HID", Aml.eisaId("PNP0501")),
                Aml.nameOp("_UID", Aml.integer(1)),
                Aml.nameOp("_STA", Aml.integer(0x0F)),
                Aml.nameOp("_CRS", Aml.resourceTemplate(Aml.io(0x3F8, 0x3F8, 1, 8), Aml.irqNoFlags(4)))));
        return Aml.device("ISA", t.toArray(new byte[0][]));
    }

    /**
     * PCI interrupt link {@code i} (ACPI 6.5, 6.2.13): an ISA IRQ from {@link #LINK_IRQS} chosen by the PIRQ route
     * register, whose bit 7 disables the route ({@code _STA} 0x09 then, else 0x0B).
     */
    private static byte[] link(final int i) {
        final String reg = "\\_SB.PCI0.ISA." + prq(i);
        return Aml.device("LNK" + (char) ('A' + i),
                Aml.nameOp("_HID", Aml.eisaId("PNP0C0F")),
                Aml.nameOp("_UID", Aml.integer(i)),
                Aml.nameOp("_PRS", Aml.resourceTemplate(Aml.extIrqLevelShared(LINK_IRQS))),
                Aml.method("_STA", 0, false,
                        Aml.ifThen(Aml.and(Aml.name(reg), Aml.integer(0x80), Aml.noTarget()), Aml.ret(Aml.integer(0x09))),
                        Aml.ret(Aml.integer(0x0B))),
                Aml.method("_DIS", 0, false,
                        Aml.or(Aml.name(reg), Aml.integer(0x80), Aml.name(reg))),
                Aml.method("_CRS", 0, true,
                        Aml.nameOp("BUFF", Aml.resourceTemplate(Aml.extIrqLevelShared(0))),
                        Aml.createDWordField(Aml.name("BUFF"), Aml.EXT_IRQ_FIRST, "IRQV"),
                        Aml.ifThen(Aml.lLess(Aml.name(reg), Aml.integer(0x80)),
                                Aml.and(Aml.name(reg), Aml.integer(0x0F), Aml.name("IRQV"))),
                        Aml.ret(Aml.name("BUFF"))),
                Aml.method("_SRS", 1, true,
                        Aml.createDWordField(Aml.arg(0), Aml.EXT_IRQ_FIRST, "IRQW"),
                        Aml.store(Aml.name("IRQW"), Aml.name(reg))));
    }

    /**
     * The PCI routing table (ACPI 6.5, 6.2.13): every slot's INTA-D to a link. On pc, link (slot + pin - 1) mod 4
     * (PIRQA-D), except the PIIX4 power-management function's INTA (slot 1) on the SCI link; on q35, slots 0-24 on
     * PIRQE-H rotated by (slot + pin) mod 4 and slots 25-31 on PIRQA-D by pin, as QEMU's machines route them.
     */
    static byte[] prt(final Config c) {
        final byte[][] entries = new byte[128][];
        for (int slot = 0; slot < 32; slot++) {
            for (int pin = 0; pin < 4; pin++) {
                final String lnk;
                if (c.q35()) {
                    lnk = slot <= 24 ? "LNK" + (char) ('E' + ((slot + pin) & 3)) : "LNK" + (char) ('A' + pin);
                } else if (slot == 1 && pin == 0) {
                    lnk = "LNKS";
                } else {
                    lnk = "LNK" + (char) ('A' + ((slot + pin - 1) & 3));
                }
                entries[slot * 4 + pin] = Aml.pkgOf(Aml.integer(((long) slot << 16) | 0xFFFF), Aml.integer(pin),
                        Aml.name("\\_SB." + lnk), Aml.integer(0));
            }
        }
        return Aml.pkgOf(entries);
    }

    // ---- the blob ----------------------------------------------------------------------------------------

    private static final class Blob {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** Appends {@code t} at the next multiple of {@code align}; returns its offset. */
        int add(final byte[] t, final int align) {
            while (out.size() % align != 0) {
                out.write(0);
            }
            final int at = out.size();
            out.writeBytes(t);
            return at;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
