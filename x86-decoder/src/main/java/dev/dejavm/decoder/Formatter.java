package dev.dejavm.decoder;

import dev.dejavm.decoder.gen.Mnemonic;

/**
 * Intel-syntax text of a decoded instruction, lower case, numbers in hex: {@code mov eax, dword ptr [rbx+rcx*4+0x10]}.
 *
 * <ul>
 *   <li>Memory operands carry their size ({@code byte/word/dword/fword/qword/tbyte/xmmword/ymmword ptr}) where the
 *       instruction defines one, and the segment when an override applies; displacements are signed.</li>
 *   <li>Immediates print as unsigned values of the operand's size (a sign-extended {@code imm8} of a 32-bit
 *       operation prints as 32 bits); branch targets as absolute addresses; far pointers as {@code sel:off}.</li>
 *   <li>String instructions print their size-suffixed mnemonic without operands, with {@code rep}/{@code repe}/
 *       {@code repne} when the prefix applies; {@code lock} prints where it is valid.</li>
 *   <li>EVEX instructions (decoded for length only) print as {@code (evex)}; invalid encodings as {@code (bad)}.</li>
 * </ul>
 *
 * Appends to a caller's {@link StringBuilder}; nothing else is allocated.
 */
public final class Formatter {
    private static final String[] GPR64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
        "r11", "r12", "r13", "r14", "r15"};
    private static final String[] GPR32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d",
        "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] GPR16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w",
        "r11w", "r12w", "r13w", "r14w", "r15w"};
    private static final String[] GPR8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b",
        "r11b", "r12b", "r13b", "r14b", "r15b"};
    private static final String[] HIGH8 = {"ah", "ch", "dh", "bh"};
    private static final String[] SEG = {"es", "cs", "ss", "ds", "fs", "gs"};
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Formatter() {
    }

    /** Appends the text of {@code d}, decoded at address {@code ip}. */
    public static void format(final DecodedInsn d, final long ip, final StringBuilder out) {
        if (d.status != DecodeStatus.OK) {
            out.append("(bad)");
            return;
        }
        if ((d.prefixes & Prefix.EVEX) != 0) {
            out.append("(evex)");
            return;
        }
        if ((d.prefixes & Prefix.LOCK) != 0) {
            out.append("lock ");
        }
        if ((d.attrs & Decoder.ATTR_REP) != 0 && (d.prefixes & (Prefix.REP | Prefix.REPNE)) != 0) {
            out.append("rep ");
        } else if ((d.attrs & Decoder.ATTR_REPCC) != 0) {
            if ((d.prefixes & Prefix.REP) != 0) {
                out.append("repe ");
            } else if ((d.prefixes & Prefix.REPNE) != 0) {
                out.append("repne ");
            }
        }
        out.append(Mnemonic.name(d.mnemonic));
        if (!operandsShown(d)) {
            return;
        }
        boolean first = true;
        for (int i = 0; i < d.numOperands; i++) {
            out.append(first ? " " : ", ");
            first = false;
            operand(d, i, ip, out);
        }
    }

    /** String instructions print no operands: their size is in the mnemonic, their registers are fixed. */
    public static boolean operandsShown(final DecodedInsn d) {
        return (d.attrs & (Decoder.ATTR_REP | Decoder.ATTR_REPCC)) == 0;
    }

    /** The text of {@code d} as a new string (convenience; allocates). */
    public static String format(final DecodedInsn d, final long ip) {
        final StringBuilder b = new StringBuilder(48);
        format(d, ip, b);
        return b.toString();
    }

    private static void operand(final DecodedInsn d, final int i, final long ip, final StringBuilder out) {
        final int bits = d.operandSize[i];
        switch (d.opKind[i]) {
            case OperandKind.REG -> register(d.opReg[i], bits, out);
            case OperandKind.MEM -> memory(d, bits, out);
            case OperandKind.MOFFS -> {
                sizePtr(bits, out);
                segment(d, out);
                out.append('[');
                hex(d.disp & mask(d.addrSize), out);
                out.append(']');
            }
            case OperandKind.IMM -> hex((i > 0 && d.opKind[i - 1] == OperandKind.IMM ? d.imm2 : d.imm) & mask(bits), out);
            case OperandKind.CONST -> out.append(d.opReg[i]);
            case OperandKind.REL -> {
                final int width = d.mode == 64 ? 64 : d.opSize == 16 ? 16 : 32;
                hex((ip + d.length + d.imm) & mask(width), out);
            }
            case OperandKind.PTR -> {
                hex(d.imm2, out);
                out.append(':');
                hex(d.imm, out);
            }
            default -> out.append('?');
        }
    }

    /** Appends the name of register {@code r} (a {@link Reg} number) used with {@code bits} bits. */
    public static void register(final int r, final int bits, final StringBuilder out) {
        if (r >= Reg.YMM0) {
            out.append("ymm").append(r - Reg.YMM0);
        } else if (r >= Reg.K0) {
            out.append('k').append(r - Reg.K0);
        } else if (r >= Reg.ST0) {
            out.append("st(").append(r - Reg.ST0).append(')');
        } else if (r >= Reg.MM0) {
            out.append("mm").append(r - Reg.MM0);
        } else if (r >= Reg.XMM0) {
            out.append("xmm").append(r - Reg.XMM0);
        } else if (r >= Reg.DR0) {
            out.append("dr").append(r - Reg.DR0);
        } else if (r >= Reg.CR0) {
            out.append("cr").append(r - Reg.CR0);
        } else if (r >= Reg.ES) {
            out.append(SEG[r - Reg.ES]);
        } else if (r == Reg.RIP) {
            out.append(bits == 32 ? "eip" : "rip");
        } else if (r >= Reg.AH) {
            out.append(HIGH8[r - Reg.AH]);
        } else if (r >= 0) {
            out.append(switch (bits) {
                case 8 -> GPR8[r];
                case 16 -> GPR16[r];
                case 32 -> GPR32[r];
                default -> GPR64[r];
            });
        }
    }

    private static void memory(final DecodedInsn d, final int bits, final StringBuilder out) {
        sizePtr(bits, out);
        if (d.mnemonic != Mnemonic.LEA) {
            segment(d, out); // LEA computes an address: no segment applies
        }
        out.append('[');
        boolean any = false;
        if (d.base != Reg.NONE) {
            register(d.base, d.addrSize, out);
            any = true;
        }
        if (d.index != Reg.NONE) {
            if (any) {
                out.append('+');
            }
            register(d.index, d.addrSize, out);
            if (d.addrSize != 16) {
                out.append('*').append(d.scale);
            }
            any = true;
        }
        if (!any) {
            hex(d.disp & mask(d.addrSize), out);
        } else if (d.disp != 0) {
            final long disp = d.addrSize == 16 ? (short) d.disp : d.addrSize == 32 ? (int) d.disp : d.disp;
            if (disp < 0) {
                out.append('-');
                hex(-disp, out);
            } else {
                out.append('+');
                hex(disp, out);
            }
        }
        out.append(']');
    }

    private static void segment(final DecodedInsn d, final StringBuilder out) {
        if (d.segOverride >= 0) {
            out.append(SEG[d.segOverride]).append(':');
        }
    }

    private static void sizePtr(final int bits, final StringBuilder out) {
        final String s = switch (bits) {
            case 8 -> "byte";
            case 16 -> "word";
            case 32 -> "dword";
            case 48 -> "fword";
            case 64 -> "qword";
            case 80 -> "tbyte";
            case 128 -> "xmmword";
            case 256 -> "ymmword";
            default -> null;
        };
        if (s != null) {
            out.append(s).append(" ptr ");
        }
    }

    private static long mask(final int bits) {
        return bits >= 64 || bits <= 0 ? -1L : (1L << bits) - 1;
    }

    /** Appends {@code 0x} and the unsigned hex digits of {@code v}. */
    public static void hex(final long v, final StringBuilder out) {
        out.append("0x");
        int shift = 60;
        while (shift > 0 && ((v >>> shift) & 0xF) == 0) {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4) {
            out.append(HEX[(int) ((v >>> shift) & 0xF)]);
        }
    }
}
