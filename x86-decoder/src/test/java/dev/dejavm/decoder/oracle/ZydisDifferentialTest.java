package dev.dejavm.decoder.oracle;

import dev.dejavm.decoder.DecodeStatus;
import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Decoder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential tests of dejavm's decoder against Zydis (an independent decoder, through FFM): status, length,
 * mnemonic and operands must agree on (a) the one- and two-byte opcode spaces with every ModRM byte and the
 * prefixes that change meaning, (b) random byte strings with a fixed seed, (c) real firmware and system code.
 * Every disagreement must fall in a category of {@code zydis-known-disagreements.txt}, which gives the reason.
 *
 * <p>Sizes are chosen for CI; {@code -Ddejavm.decoder.random=10000000} (the {@code decoder-full} Maven profile)
 * runs ten million random strings per mode.
 */
class ZydisDifferentialTest {
    static final long RANDOM = Long.getLong("dejavm.decoder.random", 300_000);

    @BeforeAll
    static void zydis() {
        if (!ZydisOracle.available()) {
            System.err.println("\n*** SKIPPED: Zydis differential tests: " + ZydisOracle.unavailableReason()
                + " (./test.sh installs libzydis-dev and gcc) ***\n");
        }
        Assumptions.assumeTrue(ZydisOracle.available(), "Zydis unavailable: " + ZydisOracle.unavailableReason());
    }

    static Set<String> known() throws IOException {
        try (var in = ZydisDifferentialTest.class.getResourceAsStream("/zydis-known-disagreements.txt")) {
            final Set<String> out = new TreeSet<>();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.substring(0, line.indexOf('|')).trim());
                }
            }
            return out;
        }
    }

    static void check(final String what, final ZydisComparator c, final ZydisComparator.Tally t) throws IOException {
        final Set<String> known = known();
        final List<String> unknownCategories = new ArrayList<>();
        for (final String cat : t.counts.keySet()) {
            if (!known.contains(cat)) {
                unknownCategories.add(cat + " e.g. " + t.examples.get(cat));
            }
        }
        System.out.printf("%s: %,d instructions compared (%,d with operands); accepted disagreements %s%n", what, c.compared,
            c.operandsCompared, t.counts);
        assertTrue(unknownCategories.isEmpty(), what + ": categories not in zydis-known-disagreements.txt:\n"
            + String.join("\n", unknownCategories));
        assertEquals(0, t.unexplainedCount, () -> what + ": " + t.unexplainedCount + " unexplained disagreements, first:\n"
            + String.join("\n", t.unexplained));
    }

    @ParameterizedTest(name = "{0}-bit")
    @ValueSource(ints = {16, 32, 64})
    void shouldAgreeOnRandomBytes(final int mode) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(0x5EED_0000L + mode);
        final byte[] buf = new byte[15];
        try (ZydisComparator c = new ZydisComparator(mode, true)) {
            final ZydisComparator.Tally t = new ZydisComparator.Tally();
            for (long i = 0; i < RANDOM; i++) {
                for (int k = 0; k < 15; k += 8) {
                    final long v = rnd.nextLong();
                    for (int j = 0; j < 8 && k + j < 15; j++) {
                        buf[k + j] = (byte) (v >>> (8 * j));
                    }
                }
                t.add(c.compare(buf, 0, 15));
            }
            check("random, " + mode + "-bit", c, t);
        }
    }

    /** Prefix sets that change how an opcode decodes (mandatory prefixes, operand/address size, LOCK, REX). */
    static byte[][] prefixSets(final int mode) {
        final List<byte[]> p = new ArrayList<>(List.of(new byte[0], new byte[] {0x66}, new byte[] {(byte) 0xF3},
            new byte[] {(byte) 0xF2}, new byte[] {(byte) 0xF0}, new byte[] {0x67}, new byte[] {0x66, (byte) 0xF2}));
        if (mode == 64) {
            p.add(new byte[] {0x48});
            p.add(new byte[] {0x47});
            p.add(new byte[] {0x66, 0x4C});
        }
        return p.toArray(new byte[0][]);
    }

    @ParameterizedTest(name = "{0}-bit")
    @ValueSource(ints = {16, 32, 64})
    void shouldAgreeOnEveryOpcodeAndModrm(final int mode) throws IOException {
        final byte[][] escapes = {{}, {0x0F}, {0x0F, 0x38}, {0x0F, 0x3A}};
        final byte[] buf = new byte[15];
        final byte[] tail = {0x25, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88, (byte) 0x99, 0x12, 0x13, 0x14, 0x15, 0x16};
        try (ZydisComparator c = new ZydisComparator(mode, true)) {
            final ZydisComparator.Tally t = new ZydisComparator.Tally();
            for (final byte[] pre : prefixSets(mode)) {
                for (final byte[] esc : escapes) {
                    for (int op = 0; op < 256; op++) {
                        for (int modrm = 0; modrm < 256; modrm++) {
                            final int sibs = (modrm >> 6) != 3 && (modrm & 7) == 4 ? 3 : 1;
                            for (int s = 0; s < sibs; s++) {
                                int n = 0;
                                for (final byte b : pre) {
                                    buf[n++] = b;
                                }
                                for (final byte b : esc) {
                                    buf[n++] = b;
                                }
                                buf[n++] = (byte) op;
                                buf[n++] = (byte) modrm;
                                buf[n++] = (byte) (s == 0 ? 0x25 : s == 1 ? 0x24 : 0x9D); // SIB: no base, rsp base, scaled index
                                System.arraycopy(tail, 1, buf, n, 15 - n);
                                t.add(c.compare(buf, 0, 15));
                            }
                        }
                    }
                }
            }
            check("opcode x ModRM space, " + mode + "-bit", c, t);
        }
    }

    @ParameterizedTest(name = "{0}-bit")
    @ValueSource(ints = {32, 64})
    void shouldAgreeOnTheVexSpace(final int mode) throws IOException {
        final int[] modrms = {0x00, 0x04, 0x05, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x44, 0x80, 0xC0, 0xC9, 0xD2,
            0xDB, 0xE4, 0xED, 0xF6, 0xFF};
        final byte[] buf = new byte[15];
        try (ZydisComparator c = new ZydisComparator(mode, true)) {
            final ZydisComparator.Tally t = new ZydisComparator.Tally();
            for (int map = 1; map <= 3; map++) {
                for (int w = 0; w < 2; w++) {
                    for (int l = 0; l < 2; l++) {
                        for (int pp = 0; pp < 4; pp++) {
                            for (final int vvvv : new int[] {0xF, 0x9}) {
                                for (int op = 0; op < 256; op++) {
                                    for (final int modrm : modrms) {
                                        buf[0] = (byte) 0xC4;
                                        buf[1] = (byte) (0xE0 | map);
                                        buf[2] = (byte) (w << 7 | vvvv << 3 | l << 2 | pp);
                                        buf[3] = (byte) op;
                                        buf[4] = (byte) modrm;
                                        for (int k = 5; k < 15; k++) {
                                            buf[k] = (byte) (0x21 + k);
                                        }
                                        t.add(c.compare(buf, 0, 15));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            check("VEX space, " + mode + "-bit", c, t);
        }
    }

    /** Linear sweep over real code; at each instruction both decoders must agree. */
    static void sweep(final String what, final byte[] code, final int mode, final long limit) throws IOException {
        try (ZydisComparator c = new ZydisComparator(mode, true)) {
            final ZydisComparator.Tally t = new ZydisComparator.Tally();
            final Decoder d = new Decoder();
            final DecodedInsn insn = new DecodedInsn();
            int off = 0;
            long n = 0;
            while (off < code.length && n++ < limit) {
                final int avail = Math.min(15, code.length - off);
                t.add(c.compare(code, off, avail));
                d.decode(code, off, code.length, mode, insn);
                off += insn.status == DecodeStatus.OK ? insn.length : 1;
            }
            check(what, c, t);
        }
    }

    @Test
    void shouldAgreeOnSeabios() throws IOException {
        final Path p = Path.of("/usr/share/seabios/bios-256k.bin");
        Assumptions.assumeTrue(Files.exists(p), "Debian's seabios package is needed (./test.sh installs it)");
        final byte[] code = Files.readAllBytes(p);
        sweep("SeaBIOS bios-256k.bin as 16-bit code", code, 16, Long.MAX_VALUE);
        sweep("SeaBIOS bios-256k.bin as 32-bit code", code, 32, Long.MAX_VALUE);
    }

    @Test
    void shouldAgreeOnOvmf() throws IOException {
        Path p = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
        if (!Files.exists(p)) {
            p = Path.of("/usr/share/OVMF/OVMF_CODE.fd");
        }
        Assumptions.assumeTrue(Files.exists(p), "Debian's ovmf package is needed (./test.sh installs it)");
        final byte[] code = Files.readAllBytes(p);
        sweep("OVMF as 64-bit code", code, 64, Long.MAX_VALUE);
        sweep("OVMF as 32-bit code", code, 32, Long.MAX_VALUE);
    }

    @Test
    void shouldAgreeOnSystemBinaries() throws IOException {
        long total = 0;
        for (final String file : new String[] {"/usr/bin/bash", "/usr/bin/objdump", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"}) {
            final Path p = Path.of(file);
            if (!Files.exists(p)) {
                continue;
            }
            final byte[] text = ElfText.text(Files.readAllBytes(p.toRealPath()));
            total += text.length;
            sweep(file + " .text", text, 64, Long.MAX_VALUE);
        }
        assertTrue(total > 1_000_000, "too little system code found: " + total + " bytes");
    }

    /** The .text section of an ELF64 file, from its section headers. */
    static final class ElfText {
        static byte[] text(final byte[] elf) {
            final ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
            if (elf.length < 64 || b.getInt(0) != 0x464C457F || elf[4] != 2) {
                throw new IllegalArgumentException("not an ELF64 file");
            }
            final long shoff = b.getLong(0x28);
            final int shentsize = b.getShort(0x3A) & 0xffff;
            final int shnum = b.getShort(0x3C) & 0xffff;
            final int shstrndx = b.getShort(0x3E) & 0xffff;
            final long strOff = b.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
            for (int i = 0; i < shnum; i++) {
                final int sh = (int) (shoff + (long) i * shentsize);
                final int name = b.getInt(sh);
                int end = (int) strOff + name;
                while (elf[end] != 0) {
                    end++;
                }
                if (new String(elf, (int) strOff + name, end - (int) strOff - name, StandardCharsets.US_ASCII).equals(".text")) {
                    final int off = (int) b.getLong(sh + 0x18);
                    final int size = (int) b.getLong(sh + 0x20);
                    return java.util.Arrays.copyOfRange(elf, off, off + size);
                }
            }
            throw new IllegalArgumentException("no .text section");
        }
    }
}
