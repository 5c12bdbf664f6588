package dev.dejavm.platform.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated ACPI tables, checked by ACPICA (Debian {@code acpica-tools}): every table, once the loader script
 * has been carried out as firmware does, must disassemble with {@code iasl -d} without a checksum complaint or
 * error, the DSDT must recompile from its disassembly without errors, and the interrupt-link methods must behave in
 * ACPICA's interpreter ({@code acpiexec}). Field values are read back from iasl's decoded output, not from our own
 * code. The loader script is carried out by a small interpreter written from the command descriptions in QEMU's
 * fw_cfg documentation (allocate, add pointer, add checksum).
 */
class AcpiTablesTest {
    static final long TABLES_AT = 0x07FE_0000L;
    static final long RSDP_AT = 0x000F_5A40L;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsAcpica() {
        final boolean present = run(Path.of("."), "iasl", "-v") != null && run(Path.of("."), "acpiexec", "-v") != null;
        if (!present) {
            System.err.println("*** AcpiTablesTest SKIPPED: iasl/acpiexec not installed (Debian package acpica-tools; ./test.sh installs it) ***");
        }
        assumeTrue(present, "acpica-tools (iasl, acpiexec) not installed");
    }

    private static String run(final Path cwd, final String... cmd) {
        try {
            final Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (final IOException e) {
            return null;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The loader script carried out on the two blobs, placed at fixed guest addresses. */
    record Linked(byte[] tables, byte[] rsdp) {
    }

    static Linked link(final AcpiTables.Blobs b) {
        final Map<String, byte[]> files = new HashMap<>(Map.of(AcpiTables.TABLES_FILE, b.tables().clone(),
                AcpiTables.RSDP_FILE, b.rsdp().clone()));
        final Map<String, Long> base = new HashMap<>();
        final ByteBuffer script = ByteBuffer.wrap(b.loader()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.loader().length % 128, "loader entries are 128 bytes");
        for (int at = 0; at < b.loader().length; at += 128) {
            final int cmd = script.getInt(at);
            switch (cmd) {
                case 1 -> {
                    final String f = name(b.loader(), at + 4);
                    final int align = script.getInt(at + 60);
                    final int zone = b.loader()[at + 64];
                    final long where = zone == 2 ? RSDP_AT : TABLES_AT;
                    assertEquals(0, where % align, f + " alignment " + align);
                    assertTrue(zone == 1 || zone == 2, "zone");
                    base.put(f, where);
                }
                case 2 -> {
                    final String dest = name(b.loader(), at + 4);
                    final String src = name(b.loader(), at + 60);
                    final int off = script.getInt(at + 116);
                    final int size = b.loader()[at + 120];
                    assertTrue(base.containsKey(dest) && base.containsKey(src), "pointer to allocated files only");
                    final ByteBuffer d = ByteBuffer.wrap(files.get(dest)).order(ByteOrder.LITTLE_ENDIAN);
                    assertTrue(off >= 0 && off + size <= files.get(dest).length, "pointer inside its file");
                    switch (size) {
                        case 4 -> d.putInt(off, (int) (d.getInt(off) + base.get(src)));
                        case 8 -> d.putLong(off, d.getLong(off) + base.get(src));
                        default -> throw new AssertionError("pointer size " + size);
                    }
                }
                case 3 -> {
                    final byte[] f = files.get(name(b.loader(), at + 4));
                    final int result = script.getInt(at + 60);
                    final int start = script.getInt(at + 64);
                    final int length = script.getInt(at + 68);
                    assertTrue(start >= 0 && start + length <= f.length && result >= start && result < start + length);
                    int sum = 0;
                    for (int i = start; i < start + length; i++) {
                        sum += f[i];
                    }
                    f[result] = (byte) (f[result] - sum);
                }
                default -> throw new AssertionError("unknown loader command " + cmd);
            }
        }
        return new Linked(files.get(AcpiTables.TABLES_FILE), files.get(AcpiTables.RSDP_FILE));
    }

    private static String name(final byte[] b, final int at) {
        int end = at;
        while (end < at + 56 && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.US_ASCII);
    }

    /** Tables by signature, found from the RSDP through the RSDT and the FADT, as an OS finds them. */
    static Map<String, byte[]> walk(final Linked l) {
        final ByteBuffer rsdp = ByteBuffer.wrap(l.rsdp()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RSD PTR ", new String(l.rsdp(), 0, 8, StandardCharsets.US_ASCII));
        assertEquals(0, sum(l.rsdp(), 0, 20), "RSDP checksum");
        final Map<String, byte[]> out = new LinkedHashMap<>();
        final byte[] rsdt = at(l, rsdp.getInt(16));
        out.put("RSDT", rsdt);
        final ByteBuffer r = ByteBuffer.wrap(rsdt).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 36; i < rsdt.length; i += 4) {
            final byte[] t = at(l, r.getInt(i));
            out.put(new String(t, 0, 4, StandardCharsets.US_ASCII), t);
        }
        final ByteBuffer fadt = ByteBuffer.wrap(out.get("FACP")).order(ByteOrder.LITTLE_ENDIAN);
        out.put("FACS", at(l, fadt.getInt(36)));
        out.put("DSDT", at(l, fadt.getInt(40)));
        if (out.get("FACP").length >= 148) {
            assertEquals(fadt.getInt(40) & 0xFFFF_FFFFL, fadt.getLong(140), "X_DSDT and DSDT agree");
        }
        return out;
    }

    private static byte[] at(final Linked l, final int address) {
        final long off = (address & 0xFFFF_FFFFL) - TABLES_AT;
        assertTrue(off >= 0 && off + 8 <= l.tables().length, "pointer 0x" + Integer.toHexString(address) + " inside the tables");
        final int len = ByteBuffer.wrap(l.tables()).order(ByteOrder.LITTLE_ENDIAN).getInt((int) off + 4);
        assertTrue(off + len <= l.tables().length, "table inside the blob");
        return java.util.Arrays.copyOfRange(l.tables(), (int) off, (int) off + len);
    }

    private static int sum(final byte[] b, final int from, final int to) {
        int s = 0;
        for (int i = from; i < to; i++) {
            s += b[i];
        }
        return s & 0xFF;
    }

    private static AcpiTables.Config config(final String board) {
        return new AcpiTables.Config(board.equals("q35"), 1, 128L << 20, 0x600, true);
    }

    private Map<String, String> disassembled(final Map<String, byte[]> tables) throws IOException {
        final Map<String, String> dsl = new HashMap<>();
        for (final Map.Entry<String, byte[]> e : tables.entrySet()) {
            final Path dat = dir.resolve(e.getKey() + ".dat");
            Files.write(dat, e.getValue());
            final String out = run(dir, "iasl", "-d", dat.getFileName().toString());
            final Path dslFile = dir.resolve(e.getKey() + ".dsl");
            assertTrue(Files.exists(dslFile), "iasl -d " + e.getKey() + ":\n" + out);
            final String text = Files.readString(dslFile, StandardCharsets.ISO_8859_1);
            assertFalse(out.contains("Incorrect checksum") || text.contains("Incorrect checksum"), e.getKey() + " checksum:\n" + out);
            assertFalse(out.matches("(?s).*\\bError\\b.*"), e.getKey() + ": " + out);
            dsl.put(e.getKey(), text);
        }
        return dsl;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pc", "q35"})
    void everyTableDisassemblesWithCorrectChecksumsAndTheDsdtRecompiles(final String board) throws IOException {
        final Map<String, byte[]> tables = walk(link(AcpiTables.build(config(board))));
        final List<String> expected = new ArrayList<>(List.of("RSDT", "FACP", "APIC", "HPET", "FACS", "DSDT"));
        if (board.equals("q35")) {
            expected.add("MCFG");
        }
        assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(tables.keySet()));
        for (final Map.Entry<String, byte[]> e : tables.entrySet()) {
            if (!e.getKey().equals("FACS")) {
                assertEquals(0, sum(e.getValue(), 0, e.getValue().length), e.getKey() + " checksum");
            }
        }
        final Map<String, String> dsl = disassembled(tables);

        // The DSDT's disassembly compiles back without errors (AML that ACPICA both reads and writes).
        Files.delete(dir.resolve("DSDT.dat"));
        final String compile = run(dir, "iasl", "-p", "recompiled", "DSDT.dsl");
        assertTrue(compile != null && compile.contains(" 0 Errors"), "iasl DSDT.dsl:\n" + compile);

        // Field values as iasl decodes them.
        final String fadt = dsl.get("FACP");
        assertTrue(fadt.matches("(?s).*SCI Interrupt : 0009.*"), fadt);
        assertTrue(fadt.matches("(?s).*PM1A Event Block Address : 00000600.*"));
        assertTrue(fadt.matches("(?s).*PM1A Control Block Address : 00000604.*"));
        assertTrue(fadt.matches("(?s).*PM Timer Block Address : 00000608.*"));
        assertTrue(fadt.matches("(?s).*RTC Century Index : 32.*"));
        if (board.equals("q35")) {
            assertTrue(fadt.matches("(?s).*Revision : 03.*"));
            assertTrue(fadt.matches("(?s).*GPE0 Block Address : 00000620.*"));
            assertTrue(fadt.matches("(?s).*Reset Register.*Address : 0000000000000CF9.*Value to cause reset : 0F.*"), fadt);
            assertTrue(dsl.get("MCFG").matches("(?s).*Base Address : 00000000B0000000.*End Bus Number : FF.*"));
        } else {
            assertTrue(fadt.matches("(?s).*Revision : 01.*"));
        }
        final String madt = dsl.get("APIC");
        assertTrue(madt.matches("(?s).*Local Apic Address : FEE00000.*"));
        assertTrue(madt.matches("(?s).*Subtable Type : 01 \\[I/O APIC\\].*Address : FEC00000.*"));
        assertTrue(madt.matches("(?s).*Source : 00\\s+\\[\\S+ \\S+ +\\d+\\]\\s+Interrupt : 00000002.*"), madt);
        assertTrue(dsl.get("HPET").matches("(?s).*Hardware Block ID : 8086A201.*Address : 00000000FED00000.*"));
        final String dsdt = dsl.get("DSDT");
        for (final String hid : List.of("PNP0303", "PNP0F13", "PNP0B00", "PNP0501", "PNP0C0F", "PNP0103", "QEMU0002",
                board.equals("q35") ? "PNP0A08" : "PNP0A03")) {
            assertTrue(dsdt.contains(hid), "DSDT has " + hid);
        }
    }

    /** The interrupt links in ACPICA's interpreter: status from the PIRQ register, disable, set and read back. */
    @ParameterizedTest
    @ValueSource(strings = {"pc", "q35"})
    void interruptLinksWorkInAcpicasInterpreter(final String board) throws IOException {
        final Map<String, byte[]> tables = walk(link(AcpiTables.build(config(board))));
        Files.write(dir.resolve("dsdt.dat"), tables.get("DSDT"));
        final String out = run(dir, "acpiexec", "-b",
                "evaluate \\_SB.LNKB._STA; evaluate \\_SB.LNKB._DIS; evaluate \\_SB.LNKB._STA; "
                        + "evaluate \\_SB.LNKC._SRS (89 06 00 09 01 0B 00 00 00 79 00); evaluate \\_SB.LNKC._CRS; "
                        + "evaluate \\_S5; evaluate \\_SB.PCI0._CRS",
                "dsdt.dat");
        assertTrue(out != null && out.contains("tables successfully acquired and loaded"), out);
        assertFalse(out.contains("ACPI Error"), out);
        final List<String> values = new ArrayList<>();
        for (final String line : out.split("\n")) {
            final String t = line.trim();
            if (t.startsWith("[Integer] =") || t.startsWith("[Buffer]")) {
                values.add(t);
            }
        }
        // PIRQ register 0 in acpiexec's PCI config space: enabled, IRQ 0 -> 0x0B; after _DIS bit 7 set -> 0x09.
        assertEquals("[Integer] = 000000000000000B", values.get(0), out);
        assertEquals("[Integer] = 0000000000000009", values.get(1), out);
        // _SRS with IRQ 11, then _CRS reports IRQ 11 (level, active high, shared consumer: flags 0x09).
        assertTrue(values.get(2).contains("89 06 00 09 01 0B 00 00 00 79 00"), out);
        assertTrue(out.contains("[Package] Contains 4 Elements"), "_S5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pc", "q35"})
    void theLoaderScriptOnlyNamesItsTwoFilesAndAllocatesBeforeUse(final String board) {
        final AcpiTables.Blobs b = AcpiTables.build(config(board));
        final ByteBuffer s = ByteBuffer.wrap(b.loader()).order(ByteOrder.LITTLE_ENDIAN);
        final java.util.Set<String> allocated = new java.util.HashSet<>();
        for (int at = 0; at < b.loader().length; at += 128) {
            final int cmd = s.getInt(at);
            if (cmd == 1) {
                allocated.add(name(b.loader(), at + 4));
            } else {
                assertTrue(allocated.contains(name(b.loader(), at + 4)), "allocated before use");
            }
        }
        assertEquals(java.util.Set.of(AcpiTables.TABLES_FILE, AcpiTables.RSDP_FILE), allocated);
        assertEquals(20, b.rsdp().length);
    }
}
