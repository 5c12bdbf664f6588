package dev.dejavm.decoder;

/** Bits of {@link DecodedInsn#prefixes}. */
public final class Prefix {
    public static final int LOCK = 1;
    /** F3 (REP/REPE, or a mandatory prefix). */
    public static final int REP = 2;
    /** F2 (REPNE, or a mandatory prefix). */
    public static final int REPNE = 4;
    /** 66, operand-size override. */
    public static final int OPSIZE = 8;
    /** 67, address-size override. */
    public static final int ADDRSIZE = 16;
    /** Any segment override byte was present (even one ignored in 64-bit mode). */
    public static final int SEG = 32;
    public static final int REX = 64;
    public static final int VEX = 128;
    public static final int EVEX = 256;
    public static final int XOP = 512;

    private Prefix() {
    }
}
