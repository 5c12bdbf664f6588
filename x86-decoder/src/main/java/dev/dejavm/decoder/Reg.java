package dev.dejavm.decoder;

/** Register numbering used in decoded operands. */
public final class Reg {
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    public static final int R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
    /** Legacy high-byte registers, addressable only without REX. */
    public static final int AH = 16, CH = 17, DH = 18, BH = 19;
    public static final int RIP = 20;
    /** Segment register n (SDM order ES, CS, SS, DS, FS, GS) is {@code ES + n}. */
    public static final int ES = 24, CS = 25, SS = 26, DS = 27, FS = 28, GS = 29;
    public static final int CR0 = 32;
    public static final int DR0 = 48;
    public static final int XMM0 = 64;
    public static final int MM0 = 96;
    public static final int ST0 = 104;
    public static final int K0 = 112;
    public static final int YMM0 = 128;
    public static final int NONE = -1;

    private Reg() {
    }
}
