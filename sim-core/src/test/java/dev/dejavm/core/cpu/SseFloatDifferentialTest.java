package dev.dejavm.core.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test of SSE/SSE2 floating point against the host CPU: random arithmetic, comparison and conversion
 * instructions on random special and ordinary operands under random MXCSR settings (the four rounding modes, DAZ,
 * FTZ; exceptions masked, since a trap would end the native run), run natively and in the interpreter in 64-bit
 * mode. XMM0, MXCSR, RAX and the arithmetic flags must be identical.
 */
class SseFloatDifferentialTest {
    private static final int CASES = 15000;
    private static final int RECORD = 48;

    record Case(String text, String insn) {
    }

    private static final String[] XMM_OPS = {
        "addps", "addpd", "addss", "addsd", "subps", "subpd", "subss", "subsd", "mulps", "mulpd", "mulss", "mulsd",
        "divps", "divpd", "divss", "divsd", "sqrtps", "sqrtpd", "sqrtss", "sqrtsd", "minps", "minpd", "minss", "minsd",
        "maxps", "maxpd", "maxss", "maxsd", "cvtss2sd", "cvtsd2ss", "cvtps2pd", "cvtpd2ps", "cvtdq2ps", "cvtps2dq",
        "cvttps2dq", "cvtdq2pd", "cvtpd2dq", "cvttpd2dq", "haddps", "haddpd", "hsubps", "hsubpd", "addsubps", "addsubpd",
        "movsldup", "movshdup", "movddup",
    };
    private static final String[] CMP_OPS = {"cmpps", "cmppd", "cmpss", "cmpsd"};
    private static final String[] COMI_OPS = {"comiss", "comisd", "ucomiss", "ucomisd"};
    private static final String[] TO_INT = {"cvtss2si", "cvtsd2si", "cvttss2si", "cvttsd2si"};
    private static final String[] FROM_INT = {"cvtsi2ssl", "cvtsi2sdl", "cvtsi2ssq", "cvtsi2sdq"};
    private static final String[] MMX_CVT = {"cvtpi2ps %mm1, %xmm0", "cvtpi2pd %mm1, %xmm0", "cvtps2pi %xmm1, %mm0",
        "cvttps2pi %xmm1, %mm0", "cvtpd2pi %xmm1, %mm0", "cvttpd2pi %xmm1, %mm0"};

    private static long single(final Random r) {
        final long sign = r.nextBoolean() ? 0x80000000L : 0;
        final long frac = r.nextInt(1 << 23);
        return sign | switch (r.nextInt(12)) {
            case 0 -> 0;
            case 1 -> 0x7F800000L;
            case 2 -> 0x7FC00000L | frac >>> 1;
            case 3 -> 0x7F800000L | Math.max(1, frac >>> 1);
            case 4 -> frac >>> r.nextInt(23);
            case 5 -> (long) (1 + r.nextInt(3)) << 23 | frac;
            case 6 -> (long) (254 - r.nextInt(3)) << 23 | frac;
            case 7 -> (long) (127 + r.nextInt(32)) << 23 | (r.nextBoolean() ? frac & ~0xFFL : 0);
            case 8 -> (long) (127 + r.nextInt(5) - 2) << 23 | frac;
            default -> (long) (1 + r.nextInt(254)) << 23 | frac;
        };
    }

    private static long dbl(final Random r) {
        final long sign = r.nextBoolean() ? Long.MIN_VALUE : 0;
        final long frac = r.nextLong() & 0xF_FFFF_FFFF_FFFFL;
        return sign | switch (r.nextInt(12)) {
            case 0 -> 0;
            case 1 -> 0x7FF0_0000_0000_0000L;
            case 2 -> 0x7FF8_0000_0000_0000L | frac >>> 1;
            case 3 -> 0x7FF0_0000_0000_0000L | Math.max(1, frac >>> 1);
            case 4 -> frac >>> r.nextInt(52);
            case 5 -> (long) (1 + r.nextInt(3)) << 52 | frac;
            case 6 -> (long) (2046 - r.nextInt(3)) << 52 | frac;
            case 7 -> (long) (1023 + r.nextInt(64)) << 52 | (r.nextBoolean() ? frac & ~0xFFFL : 0);
            case 8 -> (long) (1023 + r.nextInt(5) - 2) << 52 | frac;
            case 9 -> (long) (897 + r.nextInt(4)) << 52 | frac; // near single's denormal range
            case 10 -> (long) (1150 - r.nextInt(4)) << 52 | frac; // near single's overflow
            default -> (long) (1 + r.nextInt(2046)) << 52 | frac;
        };
    }

    private static long[] operand(final Random r, final String op) {
        final boolean d = op.endsWith("pd") || op.endsWith("sd") || op.startsWith("cvtsd") || op.startsWith("cvttsd")
            || op.startsWith("cvtpd") || op.startsWith("cvttpd") || op.equals("comisd") || op.equals("ucomisd");
        final boolean ints = op.startsWith("cvtdq");
        if (ints) {
            return new long[] {r.nextLong() >> r.nextInt(40), r.nextLong()};
        }
        if (d) {
            return new long[] {dbl(r), dbl(r)};
        }
        return new long[] {single(r) | single(r) << 32, single(r) | single(r) << 32};
    }

    private static String load(final String reg, final long[] v) {
        return String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movq %%rax, 0(%%r10)%n    movabsq $0x%x, %%rax%n    movq %%rax, 8(%%r10)%n    movdqu 0(%%r10), %s%n",
                v[0], v[1], reg);
    }

    private static List<Case> generate() {
        final Random r = new Random(0x55E_0001L);
        final List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            final StringBuilder b = new StringBuilder();
            final int mxcsr = 0x1F80 | r.nextInt(4) << 13 | (r.nextInt(3) == 0 ? 0x40 : 0) | (r.nextInt(3) == 0 ? 0x8000 : 0);
            b.append("    leaq -96(%rsp), %r10\n    andq $-16, %r10\n");
            b.append(String.format(Locale.ROOT, "    movl $0x%x, 32(%%r10)%n    ldmxcsr 32(%%r10)%n", mxcsr));
            final int family = r.nextInt(12);
            String insn;
            if (family < 6) {
                final String op = XMM_OPS[r.nextInt(XMM_OPS.length)];
                b.append(load("%xmm0", operand(r, op))).append(load("%xmm1", operand(r, op)));
                if (r.nextInt(4) == 0 && !op.startsWith("cvtdq2pd") && !op.startsWith("cvtps2pd") && !op.equals("movddup")) {
                    b.append(load("%xmm2", operand(r, op)));
                    insn = op + " 0(%r10), %xmm0"; // the operand just stored, 16-byte aligned
                } else {
                    insn = op + " %xmm1, %xmm0";
                }
            } else if (family < 7) {
                final String op = CMP_OPS[r.nextInt(CMP_OPS.length)];
                b.append(load("%xmm0", operand(r, op))).append(load("%xmm1", operand(r, op)));
                insn = op + " $" + r.nextInt(8) + ", %xmm1, %xmm0";
            } else if (family < 8) {
                final String op = COMI_OPS[r.nextInt(COMI_OPS.length)];
                b.append(load("%xmm0", operand(r, op))).append(load("%xmm1", operand(r, op)));
                insn = op + " %xmm1, %xmm0";
            } else if (family < 9) {
                final String op = TO_INT[r.nextInt(TO_INT.length)];
                b.append(load("%xmm0", operand(r, op))).append(load("%xmm1", operand(r, op)));
                insn = op + (r.nextBoolean() ? " %xmm1, %rax" : " %xmm1, %eax");
            } else if (family == 11) {
                final String op = new String[] {"roundps", "roundpd", "roundss", "roundsd", "blendps", "blendpd", "dpps", "dppd",
                    "blendvps", "blendvpd"}[r.nextInt(10)];
                b.append(load("%xmm0", operand(r, op.endsWith("pd") || op.endsWith("sd") ? "addpd" : "addps")))
                    .append(load("%xmm1", operand(r, op.endsWith("pd") || op.endsWith("sd") ? "addpd" : "addps")));
                insn = op.startsWith("blendv") ? op + " %xmm0, %xmm1, %xmm0"
                    : op + " $" + (op.startsWith("round") ? r.nextInt(16) : op.equals("blendpd") || op.equals("dppd") ? r.nextInt(256) & 0x33 : r.nextInt(256))
                        + ", %xmm1, %xmm0";
            } else if (family == 10) {
                insn = MMX_CVT[r.nextInt(MMX_CVT.length)];
                b.append(load("%xmm0", operand(r, "addps"))).append(load("%xmm1", operand(r, insn.contains("pd") ? "addpd" : "addps")));
                b.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rcx%n    movq %%rcx, %%mm1%n    movq %%rcx, %%mm0%n",
                        r.nextLong() >> r.nextInt(64)));
            } else {
                final String op = FROM_INT[r.nextInt(FROM_INT.length)];
                b.append(load("%xmm0", operand(r, "addps")));
                b.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n", r.nextLong() >> r.nextInt(64)));
                insn = op + (op.endsWith("q") ? " %rax, %xmm0" : " %eax, %xmm0");
            }
            b.append(String.format(Locale.ROOT, "    movq $0x%x, %%rcx%n    pushq %%rcx%n    popfq%n", (r.nextInt() & 0x8D5) | 2));
            b.append("    ").append(insn).append('\n');
            b.append("    pushfq\n    popq %rcx\n    andq $0x8d5, %rcx\n    movq %rcx, 24(%rdi)\n    stmxcsr 16(%rdi)\n");
            b.append("    movdqu %xmm0, 0(%rdi)\n    movq %rax, 32(%rdi)\n    movq %mm0, 40(%rdi)\n    addq $48, %rdi\n");
            cases.add(new Case(b.toString(), insn));
        }
        return cases;
    }

    @Test
    void shouldMatchHostCpuWhenExecutingRandomSseFloatingPoint(@TempDir final Path dir) throws Exception {
        final List<Case> cases = generate();
        final StringBuilder src = new StringBuilder(".text\n.globl run_cases\nrun_cases:\n");
        cases.forEach(c -> src.append(c.text()));
        src.append("    movl $0x1f80, -8(%rsp)\n    ldmxcsr -8(%rsp)\n    emms\n    ret\n");
        final String asm = src.toString();
        Files.writeString(dir.resolve("cases.S"), asm);
        Files.writeString(dir.resolve("main.c"), """
                #include <stdio.h>
                #include <stdlib.h>
                extern void run_cases(unsigned char *out);
                int main(int argc, char **argv) {
                    long n = atol(argv[1]);
                    unsigned char *buf = calloc(n, 48);
                    run_cases(buf);
                    fwrite(buf, 48, n, stdout);
                    return 0;
                }
                """);
        NativeHarness.exec(dir, List.of("gcc", "-O0", "-o", "oracle", "main.c", "cases.S"));
        final Process p = new ProcessBuilder(dir.resolve("oracle").toString(), Integer.toString(cases.size())).start();
        final byte[] nat = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        assertEquals(cases.size() * RECORD, nat.length);
        final byte[] code = NativeHarness.assemble(dir, asm, 0x100000, true);
        try (NativeHarness m = new NativeHarness()) {
            m.load(0x100000, code);
            m.mem.writeByte(0x8000, 0xF4);
            m.mem.writeQword(0x7FF8, 0x8000);
            m.enterLongMode(0x100000, 0x7FF8);
            m.s.cr4 |= CpuState.CR4_OSFXSR | CpuState.CR4_OSXMMEXCPT;
            m.s.gpr[7] = 0x400000;
            assertEquals(StopReason.HALT, m.run(50_000_000), m.cpu::describe);
            final List<String> bad = new ArrayList<>();
            final Map<String, Integer> byInsn = new TreeMap<>();
            for (int i = 0; i < cases.size(); i++) {
                final ByteBuffer h = ByteBuffer.wrap(nat, RECORD * i, RECORD).slice().order(ByteOrder.LITTLE_ENDIAN);
                final long base = 0x400000L + (long) RECORD * i;
                final long x0 = m.mem.readQword(base);
                final long x1 = m.mem.readQword(base + 8);
                final int mx = m.mem.readDword(base + 16);
                final long fl = m.mem.readQword(base + 24);
                final long rax = m.mem.readQword(base + 32);
                final long mm0 = m.mem.readQword(base + 40);
                if (h.getLong(0) != x0 || h.getLong(8) != x1 || h.getInt(16) != mx || h.getLong(24) != fl || h.getLong(32) != rax
                        || h.getLong(40) != mm0) {
                    byInsn.merge(cases.get(i).insn().split(" ")[0], 1, Integer::sum);
                    bad.add(String.format(Locale.ROOT, "case %d %s%n  host: xmm0=%016x_%016x mxcsr=%04x fl=%x rax=%x%n  ours: xmm0=%016x_%016x mxcsr=%04x fl=%x rax=%x%n%s",
                            i, cases.get(i).insn(), h.getLong(8), h.getLong(0), h.getInt(16), h.getLong(24), h.getLong(32), x1, x0, mx, fl, rax,
                            cases.get(i).text()));
                }
            }
            assertTrue(bad.isEmpty(), bad.size() + " of " + cases.size() + " differ " + byInsn + ", first:\n"
                    + String.join("\n", bad.subList(0, Math.min(6, bad.size()))));
        }
    }

    /**
     * RCPPS/RSQRTPS: the values are processor-specific, so special inputs (zeros, denormals, infinities, NaNs,
     * negative square roots) must give the host's bits, and finite results must be within the SDM's relative
     * error of 1.5 × 2^-12 of the exact value, as the host's are.
     */
    @Test
    void shouldApproximateReciprocalsWithinTheDocumentedErrorAndMatchHostSpecialCases(@TempDir final Path dir) throws Exception {
        final Random r = new Random(0x55E_0003L);
        final StringBuilder src = new StringBuilder(".text\n.globl run_cases\nrun_cases:\n");
        final int n = 2000;
        final long[] inputs = new long[n];
        for (int i = 0; i < n; i++) {
            inputs[i] = single(r) | single(r) << 32;
            src.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movq %%rax, %%xmm1%n    %s %%xmm1, %%xmm0%n    movq %%xmm0, 0(%%rdi)%n    addq $8, %%rdi%n",
                    inputs[i], i % 2 == 0 ? "rcpps" : "rsqrtps"));
        }
        src.append("    ret\n");
        Files.writeString(dir.resolve("cases.S"), src.toString());
        Files.writeString(dir.resolve("main.c"), "#include <stdio.h>\n#include <stdlib.h>\nextern void run_cases(unsigned char *);\n"
                + "int main(void) { unsigned char *b = calloc(" + n + ", 8); run_cases(b); fwrite(b, 8, " + n + ", stdout); return 0; }\n");
        NativeHarness.exec(dir, List.of("gcc", "-O0", "-o", "oracle", "main.c", "cases.S"));
        final Process p = new ProcessBuilder(dir.resolve("oracle").toString()).start();
        final byte[] nat = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        final byte[] code = NativeHarness.assemble(dir, src.toString(), 0x100000, true);
        try (NativeHarness m = new NativeHarness()) {
            m.load(0x100000, code);
            m.mem.writeByte(0x8000, 0xF4);
            m.mem.writeQword(0x7FF8, 0x8000);
            m.enterLongMode(0x100000, 0x7FF8);
            m.s.cr4 |= CpuState.CR4_OSFXSR;
            m.s.gpr[7] = 0x400000;
            assertEquals(StopReason.HALT, m.run(10_000_000), m.cpu::describe);
            final ByteBuffer h = ByteBuffer.wrap(nat).order(ByteOrder.LITTLE_ENDIAN);
            final List<String> bad = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                final long host = h.getLong(8 * i);
                final long ours = m.mem.readQword(0x400000L + 8L * i);
                for (int lane = 0; lane < 2; lane++) {
                    final int in = (int) (inputs[i] >>> (32 * lane));
                    final int hb = (int) (host >>> (32 * lane));
                    final int ob = (int) (ours >>> (32 * lane));
                    final float x = Float.intBitsToFloat(in);
                    final boolean special = !Float.isFinite(x) || Math.abs(x) < 0x1p-126f || (i % 2 == 1 && x < 0)
                        || (i % 2 == 0 && Math.abs(x) >= 0x1p126f);
                    if (special) {
                        if (hb != ob) {
                            bad.add(String.format(Locale.ROOT, "%s(%08x): host %08x ours %08x", i % 2 == 0 ? "rcp" : "rsqrt", in, hb, ob));
                        }
                        continue;
                    }
                    final double exact = i % 2 == 0 ? 1.0 / x : 1.0 / Math.sqrt(x);
                    final double err = Math.abs(Float.intBitsToFloat(ob) - exact) / Math.abs(exact);
                    if (err > 1.5 * 0x1p-12) {
                        bad.add(String.format(Locale.ROOT, "%s(%08x): ours %08x relative error %g", i % 2 == 0 ? "rcp" : "rsqrt", in, ob, err));
                    }
                }
            }
            assertTrue(bad.isEmpty(), bad.size() + " bad, first: " + bad.subList(0, Math.min(10, bad.size())));
        }
    }
}
