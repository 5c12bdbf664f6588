package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dejavm exec}, the single-step JSON harness. Expected states follow the Intel SDM: MOV r16, imm16; REP MOVSB
 * counted as one instruction; the real-mode delivery of #DE (SDM Vol. 3A, 20.1.4: FLAGS, CS, IP pushed, IP of the
 * faulting instruction, IF/TF cleared, CS:IP from IVT entry 0).
 */
class ExecCommandTest {
    static Cli.Result exec(final Path dir, final String... lines) throws Exception {
        final Path in = dir.resolve("tests.jsonl");
        Files.writeString(in, String.join("\n", lines) + "\n");
        final Path out = dir.resolve("out.jsonl");
        final Cli.Result r = Cli.run("exec", "--in", in.toString(), "--out", out.toString());
        return new Cli.Result(r.status(), Files.readString(out), r.err());
    }

    @Test
    void shouldExecuteOneInstructionAndReportTheState(@TempDir final Path dir) throws Exception {
        final Cli.Result r = exec(dir,
            "{\"name\":\"mov ax\",\"mode\":\"real\",\"regs\":{\"cs\":0,\"eip\":256},\"memory\":[[256,184],[257,52],[258,18]]}");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("{\"name\":\"mov ax\",\"regs\":{\"rax\":4660,"), r.out());
        assertTrue(r.out().contains("\"eip\":259,"), r.out());
        assertTrue(r.out().contains("\"exception\":null,\"instructions\":1,\"halted\":false"), r.out());
    }

    @Test
    void shouldCountRepStringAsOneInstruction(@TempDir final Path dir) throws Exception {
        final Cli.Result r = exec(dir,
            "{\"name\":\"rep movsb\",\"regs\":{\"cs\":0,\"eip\":0,\"ecx\":3,\"esi\":32,\"edi\":48},"
                + "\"memory\":[[0,243],[1,164],[32,1],[33,2],[34,3]]}");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\"ecx\":0,"), r.out());
        assertTrue(r.out().contains("\"esi\":35,\"edi\":51,\"rip\":2,"), r.out());
        assertTrue(r.out().contains("\"memory\":[[0,243],[1,164],[32,1],[33,2],[34,3],[48,1],[49,2],[50,3]]"), r.out());
        assertTrue(r.out().contains("\"instructions\":1,"), r.out());
    }

    @Test
    void shouldDeliverDivideErrorThroughTheIvt(@TempDir final Path dir) throws Exception {
        // DIV CX with CX = 0 at 0000:0100, IVT[0] = 0000:0200, SS:SP = 0000:1000, IF set.
        final Cli.Result r = exec(dir,
            "{\"name\":\"div0\",\"regs\":{\"cs\":0,\"eip\":256,\"eax\":5,\"ecx\":0,\"ss\":0,\"esp\":4096,\"eflags\":514},"
                + "\"memory\":[[256,247],[257,241],[0,0],[1,2],[2,0],[3,0]]}");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\"esp\":4090,"), r.out());
        assertTrue(r.out().contains("\"rip\":512,"), r.out());
        assertTrue(r.out().contains("\"eflags\":2,"), r.out()); // IF cleared
        // Frame at 0FFA: IP 0100, CS 0000, FLAGS 0202 (bytes that are zero are only listed if given in the input).
        assertTrue(r.out().contains("[4091,1],[4094,2],[4095,2]"), r.out());
        assertTrue(r.out().contains("\"exception\":{\"vector\":0,\"errorCode\":0},\"instructions\":0"), r.out());
    }

    @Test
    void shouldReportMalformedLinesAndGoOn(@TempDir final Path dir) throws Exception {
        final Cli.Result r = exec(dir, "{\"name\":\"broken\", \"regs\": {", "{\"name\":\"nop\",\"regs\":{\"cs\":0,\"eip\":0},\"memory\":[[0,144]]}",
            "{\"name\":\"x\",\"regs\":{\"zax\":1}}");
        assertEquals(2, r.status(), r.toString());
        final String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].startsWith("{\"line\":1,\"error\":"), lines[0]);
        assertTrue(lines[1].startsWith("{\"name\":\"nop\""), lines[1]);
        assertTrue(lines[2].contains("unknown register zax"), lines[2]);
    }

    @Test
    void shouldRejectAMissingInputFile(@TempDir final Path dir) {
        final Cli.Result r = Cli.run("exec", "--in", dir.resolve("nope.jsonl").toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    /**
     * A 32-bit protected-mode test: flat CS (selector 8, also in the GDT at 0x3000), DS and SS caches as given, an
     * IDT at 0x1000 with gates 12 and 13 to HLTs at 0x2000 and 0x2010.
     */
    static String prot32(final String name, final String ds, final String ss, final long esp, final int... code) {
        final StringBuilder mem = new StringBuilder();
        for (int i = 0; i < code.length; i++) {
            mem.append(",[").append(0x100 + i).append(',').append(code[i]).append(']');
        }
        // Interrupt gates (SDM Vol. 3A 6.11): offset 0x2000 (#SS) / 0x2010 (#GP), selector 8, type 0x8E.
        for (final int[] gate : new int[][] {{12, 0x00}, {13, 0x10}}) {
            final int at = 0x1000 + gate[0] * 8;
            final int[] b = {gate[1], 0x20, 0x08, 0x00, 0x00, 0x8E, 0x00, 0x00};
            for (int i = 0; i < 8; i++) {
                mem.append(",[").append(at + i).append(',').append(b[i]).append(']');
            }
        }
        mem.append(",[8192,244],[8208,244]"); // HLT at both handlers
        final int[] code32 = {0xFF, 0xFF, 0x00, 0x00, 0x00, 0x9A, 0xCF, 0x00}; // GDT[1]: flat 32-bit code, DPL 0
        for (int i = 0; i < 8; i++) {
            mem.append(",[").append(0x3008 + i).append(',').append(code32[i]).append(']');
        }
        return "{\"name\":\"" + name + "\",\"mode\":\"protected\",\"regs\":{\"cs\":8,\"ds\":16,\"ss\":16,\"eip\":256,\"esp\":" + esp
            + "},\"segments\":{\"cs\":{\"base\":0,\"limit\":4294967295,\"attr\":49307},\"ds\":" + ds + ",\"ss\":" + ss
            + "},\"gdtr\":{\"base\":12288,\"limit\":23},\"idtr\":{\"base\":4096,\"limit\":255},\"memory\":[" + mem.substring(1) + "],\"count\":2}";
    }

    static final String FLAT = "{\"base\":0,\"limit\":4294967295,\"attr\":49299}";

    /** SDM Vol. 3A 5.3: the whole operand must lie within the limit; #GP(0) for data segments, #SS(0) for SS. */
    @Test
    void shouldCheckSegmentLimits(@TempDir final Path dir) throws Exception {
        final String smallDs = "{\"base\":0,\"limit\":4095,\"attr\":16531}"; // 0x4093: 32-bit data, limit 0xFFF
        final String expandDown = "{\"base\":0,\"limit\":32767,\"attr\":16535}"; // 0x4097: expand-down, B = 1
        final Cli.Result r = exec(dir,
            prot32("in limit", smallDs, FLAT, 0x8000, 0x8B, 0x05, 0xFC, 0x0F, 0x00, 0x00, 0xF4),      // mov eax, [0xffc]
            prot32("over limit", smallDs, FLAT, 0x8000, 0x8B, 0x05, 0xFE, 0x0F, 0x00, 0x00, 0xF4),    // mov eax, [0xffe]
            prot32("expand-down ok", expandDown, FLAT, 0x8000, 0x8B, 0x05, 0x00, 0x80, 0x00, 0x00, 0xF4), // mov eax, [0x8000]
            prot32("expand-down fault", expandDown, FLAT, 0x8000, 0x8B, 0x05, 0xFE, 0x7F, 0x00, 0x00, 0xF4), // [0x7ffe]
            prot32("stack over limit", FLAT, "{\"base\":0,\"limit\":4095,\"attr\":16531}", 0x2000, 0x50, 0xF4),
            "{\"name\":\"real word at ffff\",\"regs\":{\"cs\":0,\"eip\":256},\"memory\":[[256,139],[257,6],[258,255],[259,255],"
                + "[52,0],[53,2],[54,0],[55,0]],\"count\":1}");                                  // mov ax, [0xffff]; IVT[13] = 0:0200
        assertEquals(0, r.status(), r.toString());
        final String[] lines = r.out().split("\n");
        assertTrue(lines[0].contains("\"exception\":null,\"instructions\":2,\"halted\":true"), lines[0]);
        assertTrue(lines[1].contains("\"exception\":{\"vector\":13,\"errorCode\":0}"), lines[1]);
        assertTrue(lines[1].contains("\"eip\":8209,"), lines[1]); // the #GP handler's HLT executed
        assertTrue(lines[2].contains("\"exception\":null,\"instructions\":2"), lines[2]);
        assertTrue(lines[3].contains("\"exception\":{\"vector\":13,\"errorCode\":0}"), lines[3]);
        // PUSH beyond the SS limit raises #SS(0); its delivery pushes on the same stack, faults again (#DF), and
        // with no #DF gate the CPU shuts down.
        assertTrue(lines[4].contains("\"tripleFault\":true"), lines[4]);
        assertTrue(lines[4].contains("\"esp\":8192,"), lines[4]);
        assertTrue(lines[5].contains("\"exception\":{\"vector\":13,\"errorCode\":0}"), lines[5]);
        assertTrue(lines[5].contains("\"rip\":512,"), lines[5]);
    }

    /**
     * The vector state in and out: ADDPS xmm0, xmm1 (0F 58 C1) with CR4.OSFXSR set adds four single-precision
     * lanes (IEEE 754 sums computed here by Java's float arithmetic); FLD1, FADD ST0, ST0 (D9 E8, D8 C0) leaves 2.0
     * in R7 (TOP = 7) as the 80-bit format has it: significand 0x8000000000000000, exponent 0x4000 (SDM Vol. 1,
     * 4.2.2 and 8.1.2), tag word with R7 valid and the rest empty.
     */
    @Test
    void shouldTakeAndReportXmmAndX87State(@TempDir final Path dir) throws Exception {
        final float[] a = {1.5f, -2.25f, 1e30f, 3.0f};
        final float[] b = {0.25f, 0.75f, 1e30f, -3.0f};
        final long lo0 = lanes(a[0], a[1]);
        final long hi0 = lanes(a[2], a[3]);
        final long lo1 = lanes(b[0], b[1]);
        final long hi1 = lanes(b[2], b[3]);
        final StringBuilder xmm = new StringBuilder("[[" + Long.toUnsignedString(lo0) + "," + Long.toUnsignedString(hi0) + "],["
                + Long.toUnsignedString(lo1) + "," + Long.toUnsignedString(hi1) + "]");
        for (int i = 2; i < 16; i++) {
            xmm.append(",[0,0]");
        }
        xmm.append(']');
        final Cli.Result r = exec(dir,
            "{\"name\":\"addps\",\"mode\":\"real\",\"regs\":{\"cs\":0,\"eip\":256,\"cr4\":512},\"xmm\":" + xmm
                + ",\"memory\":[[256,15],[257,88],[258,193]]}",
            "{\"name\":\"fld1\",\"mode\":\"real\",\"regs\":{\"cs\":0,\"eip\":256},\"fpu\":{\"fcw\":895,\"ftw\":65535},"
                + "\"count\":2,\"memory\":[[256,217],[257,232],[258,216],[259,192]]}");
        assertEquals(0, r.status(), r.toString());
        final String[] lines = r.out().split("\n");
        final String sum = "[" + Long.toUnsignedString(lanes(a[0] + b[0], a[1] + b[1])) + "," + Long.toUnsignedString(lanes(a[2] + b[2], a[3] + b[3])) + "]";
        assertTrue(lines[0].contains("\"xmm\":[" + sum + ",[" + Long.toUnsignedString(lo1) + "," + Long.toUnsignedString(hi1) + "],[0,0]"), lines[0]);
        assertTrue(lines[0].contains("\"mxcsr\":8064,"), "no exception flag for exact sums: " + lines[0]);
        assertTrue(lines[1].contains("\"fcw\":895,\"fsw\":14336,\"ftw\":16383,"), "TOP = 7, R7 valid: " + lines[1]);
        assertTrue(lines[1].contains(",[9223372036854775808,16384]]}"), "R7 = 2.0: " + lines[1]);
        assertTrue(lines[1].contains("\"instructions\":2,"), lines[1]);
    }

    private static long lanes(final float low, final float high) {
        return (Float.floatToRawIntBits(low) & 0xFFFFFFFFL) | (long) Float.floatToRawIntBits(high) << 32;
    }
}
