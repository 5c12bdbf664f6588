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
 * Differential test of MMX and the SSE2 integer and arrangement instructions against the host CPU: random
 * instructions in their XMM and MMX forms (register and aligned-memory sources, immediate and register shift
 * counts including counts beyond the lane width) on random and saturation-edge data; XMM0, MM0 and RAX must
 * match.
 */
class SseIntDifferentialTest {
    private static final int CASES = 15000;
    private static final int RECORD = 32;

    record Case(String text, String insn) {
    }

    private static final String[] BOTH = {
        "punpcklbw", "punpcklwd", "punpckldq", "punpckhbw", "punpckhwd", "punpckhdq", "packsswb", "packuswb", "packssdw",
        "pcmpgtb", "pcmpgtw", "pcmpgtd", "pcmpeqb", "pcmpeqw", "pcmpeqd", "paddb", "paddw", "paddd", "paddq", "psubb", "psubw",
        "psubd", "psubq", "paddsb", "paddsw", "psubsb", "psubsw", "paddusb", "paddusw", "psubusb", "psubusw", "pminub", "pmaxub",
        "pminsw", "pmaxsw", "pavgb", "pavgw", "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "psadbw", "pand", "pandn",
        "por", "pxor", "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad",
    };
    private static final String[] XMM_ONLY = {"punpcklqdq", "punpckhqdq", "unpcklps", "unpckhps", "unpcklpd", "unpckhpd", "movhlps", "movlhps"};
    private static final String[] SSSE3 = {"pshufb", "phaddw", "phaddd", "phaddsw", "pmaddubsw", "phsubw", "phsubd", "phsubsw",
        "psignb", "psignw", "psignd", "pmulhrsw", "pabsb", "pabsw", "pabsd"};
    private static final String[] SSE41 = {"pmulld", "pmuldq", "pcmpeqq", "pcmpgtq", "packusdw", "pminsb", "pminsd", "pminuw",
        "pminud", "pmaxsb", "pmaxsd", "pmaxuw", "pmaxud", "phminposuw", "pmovsxbw", "pmovsxbd", "pmovsxbq", "pmovsxwd",
        "pmovsxwq", "pmovsxdq", "pmovzxbw", "pmovzxbd", "pmovzxbq", "pmovzxwd", "pmovzxwq", "pmovzxdq"};
    private static final String[] SHIFT_IMM = {"psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"};

    private static long value(final Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 0x8080808080808080L;
            case 3 -> 0x7F7F7F7F7F7F7F7FL;
            case 4 -> 0x8000800080008000L | (r.nextLong() & 0x00FF00FF00FF00FFL);
            case 5 -> 0x7FFF00007FFF0000L ^ r.nextLong() & 0x0000FFFF0000FFFFL;
            default -> r.nextLong();
        };
    }

    /** Eight bytes from a small alphabet with some zeros (terminators). */
    private static long small(final Random r) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) (r.nextInt(6) == 0 ? 0 : 0x40 + r.nextInt(5)) << (8 * i);
        }
        return v;
    }

    private static String loadXmm(final String reg, final Random r) {
        return String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movq %%rax, 0(%%r10)%n    movabsq $0x%x, %%rax%n    movq %%rax, 8(%%r10)%n    movdqu 0(%%r10), %s%n",
                value(r), value(r), reg);
    }

    private static String loadMm(final String reg, final Random r) {
        return String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movq %%rax, %s%n", value(r), reg);
    }

    private static List<Case> generate() {
        final Random r = new Random(0x55E_0002L);
        final List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            final StringBuilder b = new StringBuilder("    leaq -96(%rsp), %r10\n    andq $-16, %r10\n");
            b.append(loadXmm("%xmm0", r)).append(loadXmm("%xmm1", r)).append(loadMm("%mm0", r)).append(loadMm("%mm1", r));
            b.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n", value(r)));
            final String insn;
            final int family = r.nextInt(18);
            if (family < 4) {
                final String op = BOTH[r.nextInt(BOTH.length)];
                if (op.startsWith("ps") && op.length() == 5 && r.nextBoolean()) { // shift count: small or beyond the lane
                    final long count = r.nextBoolean() ? r.nextInt(20) : r.nextInt(80);
                    b.append(String.format(Locale.ROOT, "    movq $%d, %%rcx%n    movq %%rcx, %%xmm1%n    movq %%rcx, %%mm1%n", count));
                }
                insn = op + " %xmm1, %xmm0";
            } else if (family < 6) {
                final String op = BOTH[r.nextInt(BOTH.length)];
                if (op.startsWith("ps") && op.length() == 5 && r.nextBoolean()) {
                    b.append(String.format(Locale.ROOT, "    movq $%d, %%rcx%n    movq %%rcx, %%mm1%n", r.nextInt(70)));
                }
                insn = op + (r.nextInt(4) == 0 ? " 0(%r10), %mm0" : " %mm1, %mm0");
            } else if (family < 7) {
                final String op = BOTH[r.nextInt(BOTH.length)];
                insn = op + " 0(%r10), %xmm0"; // aligned memory source (the last XMM1 value written there)
            } else if (family < 8) {
                final String op = SHIFT_IMM[r.nextInt(SHIFT_IMM.length)];
                insn = op + " $" + r.nextInt(70) + (r.nextBoolean() ? ", %xmm0" : ", %mm0");
            } else if (family < 9) {
                insn = new String[] {"pslldq", "psrldq"}[r.nextInt(2)] + " $" + r.nextInt(20) + ", %xmm0";
            } else if (family < 10) {
                insn = switch (r.nextInt(6)) {
                    case 0 -> "pshufd $" + r.nextInt(256) + ", %xmm1, %xmm0";
                    case 1 -> "pshufhw $" + r.nextInt(256) + ", %xmm1, %xmm0";
                    case 2 -> "pshuflw $" + r.nextInt(256) + ", %xmm1, %xmm0";
                    case 3 -> "pshufw $" + r.nextInt(256) + ", %mm1, %mm0";
                    case 4 -> "shufps $" + r.nextInt(256) + ", %xmm1, %xmm0";
                    default -> "shufpd $" + r.nextInt(4) + ", %xmm1, %xmm0";
                };
            } else if (family < 11) {
                insn = switch (r.nextInt(10)) {
                    case 0 -> "pinsrw $" + r.nextInt(8) + ", %eax, %xmm0";
                    case 1 -> "pinsrw $" + r.nextInt(4) + ", %eax, %mm0";
                    case 2 -> "pextrw $" + r.nextInt(8) + ", %xmm1, %eax";
                    case 3 -> "pextrw $" + r.nextInt(4) + ", %mm1, %eax";
                    case 4 -> "pmovmskb %xmm1, %eax";
                    case 5 -> "pmovmskb %mm1, %eax";
                    case 6 -> "movmskps %xmm1, %eax";
                    case 7 -> "movmskpd %xmm1, %eax";
                    case 8 -> "movq2dq %mm1, %xmm0";
                    default -> "movdq2q %xmm1, %mm0";
                };
            } else if (family < 12) {
                insn = XMM_ONLY[r.nextInt(XMM_ONLY.length)] + " %xmm1, %xmm0";
            } else if (family < 13) {
                final String op = SSSE3[r.nextInt(SSSE3.length)];
                insn = op + switch (r.nextInt(3)) {
                    case 0 -> " %xmm1, %xmm0";
                    case 1 -> " 0(%r10), %xmm0";
                    default -> " %mm1, %mm0";
                };
            } else if (family < 14) {
                insn = "palignr $" + r.nextInt(40) + (r.nextBoolean() ? ", %xmm1, %xmm0" : ", %mm1, %mm0");
            } else if (family < 15) {
                final String op = SSE41[r.nextInt(SSE41.length)];
                insn = op + (r.nextInt(4) == 0 && !op.startsWith("pmov") ? " 0(%r10), %xmm0" : " %xmm1, %xmm0");
            } else if (family >= 16) {
                // string compares on short alphabets, so that matches, ranges and terminators occur
                b.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movq %%rax, %%xmm0%n    movabsq $0x%x, %%rax%n    pinsrq $1, %%rax, %%xmm0%n",
                        small(r), small(r)));
                b.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movq %%rax, %%xmm1%n    movabsq $0x%x, %%rax%n    pinsrq $1, %%rax, %%xmm1%n",
                        small(r), small(r)));
                b.append(String.format(Locale.ROOT, "    movq $%d, %%rax%n    movq $%d, %%rdx%n", r.nextInt(41) - 20, r.nextInt(41) - 20));
                final String op = new String[] {"pcmpestri", "pcmpestrm", "pcmpistri", "pcmpistrm"}[r.nextInt(4)];
                insn = op + " $" + r.nextInt(128) + ", %xmm1, %xmm0\n    pushfq\n    popq %rax\n    andq $0x8d5, %rax\n    shlq $32, %rax\n"
                    + (op.endsWith("i") ? "    orq %rcx, %rax" : "    movl $0, %ecx");
            } else {
                insn = switch (r.nextInt(17)) {
                    case 13 -> "crc32b %al, %eax";
                    case 14 -> "crc32w %ax, %eax";
                    case 15 -> "crc32l %eax, %eax";
                    case 16 -> "crc32q %rax, %rax";
                    case 0 -> "pblendw $" + r.nextInt(256) + ", %xmm1, %xmm0";
                    case 1 -> "mpsadbw $" + r.nextInt(8) + ", %xmm1, %xmm0";
                    case 2 -> "pinsrb $" + r.nextInt(16) + ", %eax, %xmm0";
                    case 3 -> "pinsrd $" + r.nextInt(4) + ", %eax, %xmm0";
                    case 4 -> "pinsrq $" + r.nextInt(2) + ", %rax, %xmm0";
                    case 5 -> "pextrb $" + r.nextInt(16) + ", %xmm1, %eax";
                    case 6 -> "pextrd $" + r.nextInt(4) + ", %xmm1, %eax";
                    case 7 -> "pextrq $" + r.nextInt(2) + ", %xmm1, %rax";
                    case 8 -> "extractps $" + r.nextInt(4) + ", %xmm1, %eax";
                    case 9 -> "insertps $" + r.nextInt(256) + ", %xmm1, %xmm0";
                    case 10 -> "pblendvb %xmm0, %xmm1, %xmm0";
                    case 11 -> "popcntq %rax, %rax";
                    default -> "ptest %xmm1, %xmm0\n    pushfq\n    popq %rax\n    andq $0x8d5, %rax";
                };
            }
            b.append("    ").append(insn).append('\n');
            b.append("    movdqu %xmm0, 0(%rdi)\n    movq %mm0, 16(%rdi)\n    movq %rax, 24(%rdi)\n    addq $32, %rdi\n");
            cases.add(new Case(b.toString(), insn));
        }
        return cases;
    }

    @Test
    void shouldMatchHostCpuWhenExecutingRandomMmxAndSse2IntegerInstructions(@TempDir final Path dir) throws Exception {
        final List<Case> cases = generate();
        final StringBuilder src = new StringBuilder(".text\n.globl run_cases\nrun_cases:\n");
        cases.forEach(c -> src.append(c.text()));
        src.append("    emms\n    ret\n");
        final String asm = src.toString();
        Files.writeString(dir.resolve("cases.S"), asm);
        Files.writeString(dir.resolve("main.c"), """
                #include <stdio.h>
                #include <stdlib.h>
                extern void run_cases(unsigned char *out);
                int main(int argc, char **argv) {
                    long n = atol(argv[1]);
                    unsigned char *buf = calloc(n, 32);
                    run_cases(buf);
                    fwrite(buf, 32, n, stdout);
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
            m.s.cr4 |= CpuState.CR4_OSFXSR;
            m.s.gpr[7] = 0x400000;
            assertEquals(StopReason.HALT, m.run(50_000_000), m.cpu::describe);
            final List<String> bad = new ArrayList<>();
            final Map<String, Integer> byInsn = new TreeMap<>();
            for (int i = 0; i < cases.size(); i++) {
                final ByteBuffer h = ByteBuffer.wrap(nat, RECORD * i, RECORD).slice().order(ByteOrder.LITTLE_ENDIAN);
                final long base = 0x400000L + (long) RECORD * i;
                boolean same = true;
                for (int k = 0; k < 4; k++) {
                    same &= h.getLong(8 * k) == m.mem.readQword(base + 8L * k);
                }
                if (!same) {
                    byInsn.merge(cases.get(i).insn().split(" ")[0] + (cases.get(i).insn().contains("mm0") && !cases.get(i).insn().contains("xmm0") ? "(mmx)" : ""), 1, Integer::sum);
                    bad.add(String.format(Locale.ROOT, "case %d %s%n  host: xmm0=%016x_%016x mm0=%016x rax=%016x%n  ours: xmm0=%016x_%016x mm0=%016x rax=%016x%n%s",
                            i, cases.get(i).insn(), h.getLong(8), h.getLong(0), h.getLong(16), h.getLong(24),
                            m.mem.readQword(base + 8), m.mem.readQword(base), m.mem.readQword(base + 16), m.mem.readQword(base + 24),
                            cases.get(i).text()));
                }
            }
            assertTrue(bad.isEmpty(), bad.size() + " of " + cases.size() + " differ " + byInsn + ", first:\n"
                    + String.join("\n", bad.subList(0, Math.min(5, bad.size()))));
        }
    }
}
