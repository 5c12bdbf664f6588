package dev.dejavm.decoder;

/** Kinds of decoded operands. */
public final class OperandKind {
    public static final int NONE = 0;
    public static final int REG = 1;
    public static final int MEM = 2;
    public static final int IMM = 3;
    /** Branch displacement in {@link DecodedInsn#imm}: target = next ip + imm. */
    public static final int REL = 4;
    /** Far pointer: offset in imm, selector in imm2. */
    public static final int PTR = 5;
    /** Absolute memory offset (A0-A3) in disp. */
    public static final int MOFFS = 6;
    /** An implicit constant (the 1 of shift-by-one forms), value in {@link DecodedInsn#opReg}. */
    public static final int CONST = 7;
    /** String source {@code [rSI]} (DS unless overridden). */
    public static final int STR_SRC = 8;
    /** String destination {@code es:[rDI]}. */
    public static final int STR_DST = 9;

    private OperandKind() {
    }
}
