package dev.dejavm.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port I/O and MMIO accesses of one firmware boot, from either side of a differential test: QEMU's trace log
 * ({@code -d trace:memory_region_ops_read,trace:memory_region_ops_write,trace:fw_cfg_select,trace:fw_cfg_add_file},
 * log backend) or a dejavm journal as {@code dejavm inspect --format csv} prints it. Both are read up to the
 * debugcon (port 0x402) write that completes a marker text, so that only the first boot counts.
 *
 * <p>QEMU's trace, as QEMU 7.2 prints it:
 * <ul>
 *   <li>{@code memory_region_ops_read|write cpu N mr 0x... addr 0xA value 0xV size S name 'R'}: one access to the
 *       region named R. The address is absolute (a port for port I/O, a physical address for MMIO); the line does
 *       not say which address space, so addresses below 0x10000 are taken as ports (a PC has only RAM there in the
 *       memory space).</li>
 *   <li>Ports no device claims belong to the I/O space's root region, named {@code io}: they are traced too, reads
 *       with all ones. Unassigned MMIO is not traced.</li>
 *   <li>{@code cpu -1} marks accesses not made by a CPU (device writes at reset); they are left out.</li>
 *   <li>The value is as the region sees it after QEMU's byte swapping: the fw_cfg DMA address registers
 *       ({@code fwcfg.dma}) are big-endian, so their values are swapped back to what the CPU wrote.</li>
 *   <li>{@code fw_cfg_select ... key 0xK ...} records each selection, through port 0x510 or a DMA descriptor;
 *       {@code fw_cfg_add_file ... #I: NAME (N bytes)} inserts a file at position I of the sorted directory (file
 *       keys are 0x20 + position).</li>
 * </ul>
 */
final class IoTrace {
    static final int DEBUGCON_PORT = 0x402;

    private static final Pattern QEMU_ACCESS = Pattern.compile(
            "memory_region_ops_(read|write) cpu (-?\\d+) mr 0x[0-9a-f]+ addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size (\\d+) name '(.*)'");
    private static final Pattern QEMU_SELECT = Pattern.compile("fw_cfg_select 0x[0-9a-f]+ key 0x([0-9a-f]+) '.*', ret: \\d+");
    private static final Pattern QEMU_ADD_FILE = Pattern.compile("fw_cfg_add_file 0x[0-9a-f]+ #(\\d+): (\\S+) \\(\\d+ bytes\\)");
    /** The region QEMU's I/O address space falls back to where no device is. */
    static final String QEMU_UNASSIGNED_IO = "io";

    /** One access as the CPU made it; {@code region} is QEMU's region name, "" for dejavm. */
    record Access(boolean mmio, boolean write, long address, int size, long value, boolean unassigned, String region) {
    }

    /**
     * One side's first boot: its accesses up to the marker, whether the marker was reached, and (QEMU only) the
     * fw_cfg keys selected in that time and the file directory.
     */
    record Trace(List<Access> accesses, boolean reachedMarker, List<Integer> fwCfgSelected, List<String> fwCfgFiles) {
        /** The name of fw_cfg key {@code key} when it is a file of the directory, else the key in hex. */
        String fwCfgName(final int key) {
            final int i = key - 0x20;
            return i >= 0 && i < fwCfgFiles.size() ? fwCfgFiles.get(i) : String.format("0x%04x", key);
        }
    }

    private IoTrace() {
    }

    /** One QEMU trace line as an access, or null for other lines and for accesses not made by a CPU. */
    static Access parseQemuAccess(final String line) {
        final Matcher m = QEMU_ACCESS.matcher(line);
        if (!m.matches() || m.group(2).startsWith("-")) {
            return null;
        }
        final long address = Long.parseUnsignedLong(m.group(3), 16);
        final int size = Integer.parseInt(m.group(5));
        final String region = m.group(6);
        long value = Long.parseUnsignedLong(m.group(4), 16);
        if (region.equals("fwcfg.dma")) {
            value = Long.reverseBytes(value) >>> (64 - 8 * size);
        }
        final boolean mmio = address >= 0x10000;
        return new Access(mmio, m.group(1).equals("write"), address, size, value & mask(size),
                !mmio && region.equals(QEMU_UNASSIGNED_IO), region);
    }

    /** QEMU's trace log, cut at the debugcon write completing {@code marker}. */
    static Trace parseQemu(final Iterable<String> lines, final String marker) {
        final List<Access> accesses = new ArrayList<>();
        final List<Integer> selected = new ArrayList<>();
        final List<String> files = new ArrayList<>();
        final Cut cut = new Cut(marker);
        for (final String line : lines) {
            final Access a = parseQemuAccess(line);
            if (a != null) {
                accesses.add(a);
                if (cut.done(a)) {
                    return new Trace(accesses, true, selected, files);
                }
                continue;
            }
            Matcher m = QEMU_SELECT.matcher(line);
            if (m.matches()) {
                selected.add(Integer.parseInt(m.group(1), 16));
                continue;
            }
            m = QEMU_ADD_FILE.matcher(line);
            if (m.matches()) {
                files.add(Math.min(Integer.parseInt(m.group(1)), files.size()), m.group(2));
            }
        }
        return new Trace(accesses, false, selected, files);
    }

    /**
     * {@code dejavm inspect --format csv} output (columns seq, icount, cycles_ns, rip, engine, kind, address, size,
     * value, unassigned), cut at the debugcon write completing {@code marker}; records other than accesses are skipped.
     */
    static Trace parseJournalCsv(final Iterable<String> lines, final String marker) {
        final List<Access> accesses = new ArrayList<>();
        final Cut cut = new Cut(marker);
        for (final String line : lines) {
            final String[] f = line.split(",");
            if (f.length != 10 || !f[5].matches("(pio|mmio)-(read|write)")) {
                continue;
            }
            final Access a = new Access(f[5].startsWith("mmio"), f[5].endsWith("write"), Long.decode(f[6]), Integer.parseInt(f[7]),
                    Long.decode(f[8]), Boolean.parseBoolean(f[9]), "");
            accesses.add(a);
            if (cut.done(a)) {
                return new Trace(accesses, true, List.of(), List.of());
            }
        }
        return new Trace(accesses, false, List.of(), List.of());
    }

    /** Follows the debugcon text until it ends with the marker. */
    private static final class Cut {
        private final String marker;
        private final StringBuilder text = new StringBuilder();

        Cut(final String marker) {
            this.marker = marker;
        }

        boolean done(final Access a) {
            if (a.mmio() || !a.write() || a.address() != DEBUGCON_PORT) {
                return false;
            }
            text.append((char) (a.value() & 0xFF));
            return text.length() >= marker.length() && text.lastIndexOf(marker) == text.length() - marker.length();
        }
    }

    static long mask(final int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    /**
     * Where an access went: {@code io 0xPORT}, or {@code mmio NAME} with the fixed regions named (the local APIC at
     * 0xFEE00000, the I/O APIC at 0xFEC00000, the HPET at 0xFED00000 and, on q35, the ECAM window at 0xB0000000
     * as bus:device.function+offset); other MMIO (BARs the firmware placed) keeps its absolute address.
     */
    static String location(final Access a, final String board) {
        if (!a.mmio()) {
            return String.format("io 0x%x", a.address());
        }
        final long x = a.address();
        if (x >= 0xFEE0_0000L && x < 0xFEE0_1000L) {
            return String.format("mmio lapic+0x%03x", x - 0xFEE0_0000L);
        }
        if (x >= 0xFEC0_0000L && x < 0xFEC0_1000L) {
            return String.format("mmio ioapic+0x%03x", x - 0xFEC0_0000L);
        }
        if (x >= 0xFED0_0000L && x < 0xFED0_0400L) {
            return String.format("mmio hpet+0x%03x", x - 0xFED0_0000L);
        }
        if (board.equals("q35") && x >= 0xB000_0000L && x < 0xC000_0000L) {
            final long o = x - 0xB000_0000L;
            return String.format("mmio ecam %02x:%02x.%x+0x%03x", o >> 20, (o >> 15) & 0x1F, (o >> 12) & 7, o & 0xFFF);
        }
        return String.format("mmio 0x%x", x);
    }

    /** What one location saw: whether any access to it was unassigned, and the QEMU regions that took it. */
    record Touch(boolean unassigned, Set<String> regions) {
    }

    /**
     * A boot's accesses summed up: the locations touched, per direction ({@code "io 0x70 write"}), and the values
     * each register carried, per direction and size ({@code "read cmos 0x0b/1"}), with the touched location each
     * register key belongs to.
     */
    record Summary(SortedMap<String, Touch> touched, SortedMap<String, SortedSet<Long>> values, Map<String, String> locationOf) {
    }

    /**
     * Sums up {@code accesses}. Registers behind an index are keyed by the index last written: PCI configuration data
     * (0xCFC-0xCFF) by the 0xCF8 address ({@code pci bb:dd.f+0xOO}), CMOS data (0x71) by the 0x70 index without the
     * NMI bit ({@code cmos 0xII}), fw_cfg data (0x511) by the 0x510 selector and the byte offset read since
     * ({@code fw_cfg 0xKKKK+N}). The index registers' own writes (0xCF8, 0x70) are not kept as values: they are these
     * keys.
     */
    static Summary summarize(final List<Access> accesses, final String board) {
        final SortedMap<String, Touch> touched = new TreeMap<>();
        final SortedMap<String, SortedSet<Long>> values = new TreeMap<>();
        final Map<String, String> locationOf = new HashMap<>();
        long cf8 = 0;
        int cmosIndex = 0;
        int fwCfgKey = 0;
        int fwCfgOffset = 0;
        for (final Access a : accesses) {
            final String dir = a.write() ? "write" : "read";
            final String loc = location(a, board) + " " + dir;
            final Touch t = touched.get(loc);
            final Set<String> regions = new TreeSet<>(t == null ? Set.of() : t.regions());
            if (!a.region().isEmpty()) {
                regions.add(a.region());
            }
            touched.put(loc, new Touch(a.unassigned() || (t != null && t.unassigned()), Collections.unmodifiableSet(regions)));
            String register = location(a, board);
            if (!a.mmio()) {
                final long p = a.address();
                if (p == 0xCF8 && a.size() == 4 && a.write()) {
                    cf8 = a.value();
                    continue;
                }
                if (p == 0x70 && a.write()) {
                    cmosIndex = (int) (a.value() & 0x7F);
                    continue;
                }
                if (p == 0x510 && a.write()) {
                    fwCfgKey = (int) a.value();
                    fwCfgOffset = 0;
                } else if (p >= 0xCFC && p <= 0xCFF && (cf8 & 0x8000_0000L) != 0) {
                    register = String.format("pci %02x:%02x.%x+0x%02x", (cf8 >> 16) & 0xFF, (cf8 >> 11) & 0x1F, (cf8 >> 8) & 7,
                            (cf8 & 0xFC) + p - 0xCFC);
                } else if (p == 0x71) {
                    register = String.format("cmos 0x%02x", cmosIndex);
                } else if (p == 0x511) {
                    register = String.format("fw_cfg 0x%04x+%d", fwCfgKey, fwCfgOffset);
                    fwCfgOffset += a.size();
                }
            }
            final String key = dir + " " + register + "/" + a.size();
            values.computeIfAbsent(key, k -> new TreeSet<>(Long::compareUnsigned)).add(a.value());
            locationOf.put(key, loc);
        }
        return new Summary(touched, values, locationOf);
    }

    /** Values in hex, sorted, at most {@code max} of them and then how many more. */
    static String hexList(final Set<Long> values, final int max) {
        final StringBuilder b = new StringBuilder("{");
        final Iterator<Long> it = values.iterator();
        for (int i = 0; it.hasNext() && i < max; i++) {
            b.append(i == 0 ? "" : " ").append("0x").append(Long.toHexString(it.next()));
        }
        if (values.size() > max) {
            b.append(" ... ").append(values.size() - max).append(" more");
        }
        return b.append('}').toString();
    }
}
