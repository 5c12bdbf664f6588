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
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test against the host CPU: random integer instructions with random operands and input flags are
 * assembled once, executed natively (a gcc-built program calling the generated function) and by the interpreter
 * in 64-bit mode; RAX, RDX and RFLAGS must agree. Flags the SDM leaves undefined for an instruction are masked
 * (listed per case); everything else, including "unchanged" flags, must match exactly.
 */
class NativeAluDifferentialTest {
    private static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    private static final long ARITH = CF | PF | AF | ZF | SF | OF;
    private static final int CASES = 20000;

    /** One generated case: the instruction text and the flags the SDM leaves undefined for it. */
    record Case(String insn, long a, long b, long c, long flagsIn, long undefined) {
    }

    private static String suffix(final int size) {
        return switch (size) {
            case 8 -> "b";
            case 16 -> "w";
            case 32 -> "l";
            default -> "q";
        };
    }

    private static String reg(final String base, final int size) {
        // base: "a", "b", "d"
        return switch (size) {
            case 8 -> "%" + base + "l";
            case 16 -> "%" + base + "x";
            case 32 -> "%e" + base + "x";
            default -> "%r" + base + "x";
        };
    }

    private static List<Case> generate() {
        final Random rnd = new Random(0x5EED_0001L);
        final String[] binary = {"add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test"};
        final String[] shifts = {"shl", "shr", "sar", "rol", "ror", "rcl", "rcr"};
        final int[] sizes = {8, 16, 32, 64};
        final List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            final int size = sizes[rnd.nextInt(4)];
            final long a = interesting(rnd);
            final long b = interesting(rnd);
            final long flagsIn = rnd.nextLong() & ARITH;
            final String sx = suffix(size);
            final String ra = reg("a", size);
            final String rb = reg("b", size);
            final int family = rnd.nextInt(10);
            switch (family) {
                case 0, 1 -> {
                    final String op = binary[rnd.nextInt(binary.length)];
                    final long undef = op.equals("and") || op.equals("or") || op.equals("xor") || op.equals("test") ? AF : 0;
                    cases.add(new Case(op + sx + " " + rb + ", " + ra, a, b, 0, flagsIn, undef));
                }
                case 2 -> {
                    final String op = new String[] {"inc", "dec", "neg", "not"}[rnd.nextInt(4)];
                    cases.add(new Case(op + sx + " " + ra, a, b, 0, flagsIn, 0));
                }
                case 3, 4 -> {
                    final String op = shifts[rnd.nextInt(shifts.length)];
                    final int count = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(70);
                    final int masked = count & (size == 64 ? 63 : 31);
                    long undef = 0;
                    final boolean rotate = op.startsWith("r") && !op.equals("rcr") || op.equals("rcr");
                    if (masked != 0) {
                        if (op.startsWith("ro") || op.startsWith("rc")) {
                            undef = masked != 1 ? OF : 0;
                        } else {
                            undef = AF | (masked != 1 ? OF : 0);
                            if (masked > size) {
                                undef |= CF; // count larger than the operand: CF undefined for SHL/SHR (SDM)
                            }
                        }
                    }
                    if ((op.equals("rcl") || op.equals("rcr")) && size < 32) {
                        undef |= 0; // RCL/RCR of 8/16-bit operands rotate modulo size+1: defined
                    }
                    if (!rotate || true) {
                        cases.add(new Case(op + sx + " %cl, " + ra, a, b, count, flagsIn, undef));
                    }
                }
                case 5 -> {
                    if (size == 8) {
                        cases.add(new Case(new String[] {"mulb", "imulb"}[rnd.nextInt(2)] + " %bl", a, b, 0, flagsIn, SF | ZF | AF | PF));
                    } else {
                        final String form = new String[] {"mul" + sx + " " + rb, "imul" + sx + " " + rb, "imul" + sx + " " + rb + ", " + ra}[rnd.nextInt(3)];
                        cases.add(new Case(form, a, b, 0, flagsIn, SF | ZF | AF | PF));
                    }
                }
                case 6 -> {
                    if (size == 8) {
                        continue;
                    }
                    final String op = new String[] {"bt", "bts", "btr", "btc"}[rnd.nextInt(4)];
                    cases.add(new Case(op + sx + " " + rb + ", " + ra, a, b, 0, flagsIn, OF | SF | AF | PF));
                }
                case 8 -> {
                    final String[] cc = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
                    final String form = switch (rnd.nextInt(8)) {
                        case 0 -> "movsb" + (size == 8 ? "w" : sx) + " %bl, " + reg("a", size == 8 ? 16 : size);
                        case 1 -> "movzb" + (size == 8 ? "w" : sx) + " %bl, " + reg("a", size == 8 ? 16 : size);
                        case 2 -> size <= 16 ? "movswl %bx, %eax" : "movsw" + sx + " %bx, " + ra;
                        case 3 -> "cmov" + cc[rnd.nextInt(16)] + (size == 8 ? "w" : sx) + " " + reg("b", size == 8 ? 16 : size) + ", " + reg("a", size == 8 ? 16 : size);
                        case 4 -> "set" + cc[rnd.nextInt(16)] + " %al";
                        case 5 -> "xadd" + sx + " " + rb + ", " + ra;
                        case 6 -> size >= 32 ? "bswap " + ra : "cmpxchg" + sx + " " + rb + ", " + reg("d", size);
                        default -> new String[] {"cbtw", "cwtl", "cltq", "cwtd", "cltd", "cqto"}[rnd.nextInt(6)];
                    };
                    cases.add(new Case(form, a, b, 0, flagsIn, 0));
                }
                case 9 -> {
                    final boolean signed = rnd.nextBoolean();
                    long divisor = b == 0 ? 3 : b;
                    final String body;
                    if (signed) {
                        if (size == 8 && (a & 0xFF) == 0x80 && (divisor & 0xFF) == 0xFF
                                || size == 16 && (a & 0xFFFF) == 0x8000 && (divisor & 0xFFFF) == 0xFFFF
                                || size == 32 && (int) a == Integer.MIN_VALUE && (int) divisor == -1
                                || size == 64 && a == Long.MIN_VALUE && divisor == -1) {
                            divisor = 7;
                        }
                        if ((divisor & (size == 64 ? -1L : (1L << size) - 1)) == 0) {
                            divisor |= 1;
                        }
                        final String ext = switch (size) {
                            case 8 -> "cbtw";
                            case 16 -> "cwtd";
                            case 32 -> "cltd";
                            default -> "cqto";
                        };
                        body = ext + "; idiv" + sx + " " + rb;
                    } else {
                        if ((divisor & (size == 64 ? -1L : (1L << size) - 1)) == 0) {
                            divisor |= 1;
                        }
                        body = (size == 8 ? "movzbl %al, %eax" : "xorl %edx, %edx") + "; div" + sx + " " + rb;
                    }
                    cases.add(new Case(body, a, divisor, 0, flagsIn, ARITH)); // DIV/IDIV leave all six flags undefined
                }
                default -> {
                    if (size == 8) {
                        continue;
                    }
                    final String op = rnd.nextBoolean() ? "bsf" : "bsr";
                    final long src = rnd.nextInt(5) == 0 ? 0 : b;
                    // BSF/BSR with a zero source leave the destination undefined per the SDM (both Intel and AMD
                    // keep it unchanged); the flags other than ZF are undefined.
                    cases.add(new Case(op + sx + " " + rb + ", " + ra, a, src, 0, flagsIn, CF | OF | SF | AF | PF));
                }
            }
        }
        return cases;
    }

    private static long interesting(final Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1L;
            case 2 -> 1L << rnd.nextInt(64);
            case 3 -> (1L << rnd.nextInt(64)) - 1;
            case 4 -> rnd.nextInt(256) - 128;
            default -> rnd.nextLong();
        };
    }

    private static String source(final List<Case> cases) {
        final StringBuilder b = new StringBuilder(".text\n.globl run_cases\nrun_cases:\n");
        for (final Case c : cases) {
            b.append(String.format(Locale.ROOT, "    movabsq $0x%x, %%rax%n    movabsq $0x%x, %%rbx%n    movabsq $0x%x, %%rcx%n"
                    + "    movq $0x1122334455667788, %%rdx%n    pushq $0x%x%n    popfq%n    %s%n    pushfq%n    popq %%r8%n"
                    + "    movq %%rax, 0(%%rdi)%n    movq %%rdx, 8(%%rdi)%n    movq %%r8, 16(%%rdi)%n    addq $24, %%rdi%n",
                    c.a(), c.b(), c.c(), c.flagsIn() | 2, c.insn()));
        }
        b.append("    ret\n");
        return b.toString();
    }

    @Test
    void shouldMatchHostCpuWhenExecutingRandomAluInstructions(@TempDir final Path dir) throws Exception {
        final List<Case> cases = generate();
        final String asm = source(cases);
        // Native run.
        Files.writeString(dir.resolve("cases.S"), asm);
        Files.writeString(dir.resolve("main.c"), """
                #include <stdio.h>
                #include <stdlib.h>
                extern void run_cases(unsigned long *out);
                int main(int argc, char **argv) {
                    long n = atol(argv[1]);
                    unsigned long *buf = calloc(n * 3, sizeof(unsigned long));
                    run_cases(buf);
                    fwrite(buf, sizeof(unsigned long), n * 3, stdout);
                    return 0;
                }
                """);
        NativeHarness.exec(dir, List.of("gcc", "-O0", "-o", "oracle", "main.c", "cases.S"));
        final Process p = new ProcessBuilder(dir.resolve("oracle").toString(), Integer.toString(cases.size())).start();
        final byte[] nativeOut = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        assertEquals(cases.size() * 24, nativeOut.length);

        // Interpreter run: the same code at 0x100000, buffer at 0x400000, return into a HLT.
        final byte[] code = NativeHarness.assemble(dir, asm, 0x100000, true);
        try (NativeHarness m = new NativeHarness()) {
            m.load(0x100000, code);
            m.mem.writeByte(0x8000, 0xF4); // hlt
            m.mem.writeQword(0x7FF8, 0x8000); // return address
            m.enterLongMode(0x100000, 0x7FF8);
            m.s.gpr[7] = 0x400000; // rdi
            final int stop = m.run(10_000_000);
            assertEquals(StopReason.HALT, stop, m.cpu::describe);
            final ByteBuffer nat = ByteBuffer.wrap(nativeOut).order(ByteOrder.LITTLE_ENDIAN);
            final List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                final Case c = cases.get(i);
                final long nRax = nat.getLong();
                final long nRdx = nat.getLong();
                final long nFl = nat.getLong();
                final long base = 0x400000 + 24L * i;
                final long iRax = m.mem.readQword(base);
                final long iRdx = m.mem.readQword(base + 8);
                final long iFl = m.mem.readQword(base + 16);
                final long mask = ARITH & ~c.undefined();
                if (nRax != iRax || nRdx != iRdx || (nFl & mask) != (iFl & mask)) {
                    mismatches.add(String.format(Locale.ROOT, "%s a=%x b=%x cl=%x flags=%x: native rax=%x rdx=%x fl=%x, interp rax=%x rdx=%x fl=%x (compared flags %x)",
                            c.insn(), c.a(), c.b(), c.c(), c.flagsIn(), nRax, nRdx, nFl & ARITH, iRax, iRdx, iFl & ARITH, mask));
                }
            }
            assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches, first:\n" + String.join("\n", mismatches.subList(0, Math.min(20, mismatches.size()))));
        }
    }
}
