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

    private OperandKind() {
    }
}
