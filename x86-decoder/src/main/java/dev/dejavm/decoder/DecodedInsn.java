package dev.dejavm.decoder;

/**
 * One decoded instruction, filled in place by {@link Decoder#decode} (reused: no allocation per decode). Fields
 * are public for the interpreter's hot path.
 */
public final class DecodedInsn {
    /** {@link DecodeStatus}. */
    public int status;
    /** Length in bytes (1..15 when OK; for other statuses the bytes examined, at least 1). */
    public int length;
    /** Form id: the row of the opcode table that matched (see {@code dev.dejavm.decoder.gen.OpcodeTable}); 0 if invalid. */
    public int id;
    /** Mnemonic id ({@code dev.dejavm.decoder.gen.Mnemonic}); 0 if invalid or EVEX (decoded for length only). */
    public int mnemonic;
    public int mode;
    /** Effective operand size in bits: 8 for byte forms, else 16/32/64. */
    public int opSize;
    public int addrSize;
    /** {@link Prefix} bits. */
    public int prefixes;
    /** -1 or 0..5 (ES..GS); ES/CS/SS/DS overrides are ignored in 64-bit mode (-1). */
    public int segOverride;
    /** Effective segment of the memory operand (0..5): the override, else SS for rBP/rSP-based, else DS. */
    public int segment;
    /** 0 or the REX byte. */
    public int rex;
    public int vexL;
    public int vexW;
    public int vexV;
    /** 0 = one-byte map, 1 = 0F, 2 = 0F38, 3 = 0F3A (also for VEX/EVEX; EVEX maps 5 and 6 as such). */
    public int map;
    public int opcode;
    /** -1 if none, else the raw ModRM byte. */
    public int modrm;
    public int mod;
    /** ModRM.reg extended by REX.R. */
    public int reg;
    /** ModRM.rm extended by REX.B (the register when mod == 3). */
    public int rm;
    public boolean hasMem;
    /** 0..15, {@link Reg#RIP}, or {@link Reg#NONE}. */
    public int base;
    public int index;
    public int scale;
    /** The SIB index field (with REX.X), -1 without SIB: the vector register of a VSIB operand. */
    public int sibIndex;
    public long disp;
    /** First immediate, sign-extended where the SDM sign-extends it, else zero-extended. */
    public long imm;
    /** Second immediate (ENTER's nesting level, a far pointer's selector). */
    public long imm2;
    public int immSize;
    /** Form attributes from the opcode table (REP/REPcc string forms), see {@link Decoder#ATTR_REP}. */
    public int attrs;
    /** Operands as displayed, destination first. */
    public int numOperands;
    /** {@link OperandKind} of each operand. */
    public final int[] opKind = new int[4];
    /** {@link Reg} number of a register operand; for {@link OperandKind#CONST} the value. */
    public final int[] opReg = new int[4];
    /** Size in bits of each operand (0 where the instruction gives none, e.g. LEA's address). */
    public final int[] operandSize = new int[4];
    /**
     * Bytes of the first memory operand (MEM or MOFFS), 0 when there is none or its size is not a whole number of
     * bytes from 1 to 64 (LEA's address, far pointers' mixed sizes).
     */
    public int memBytes;

    public long nextIp(final long ip) {
        return ip + length;
    }

    /** Resets the fields that decoding does not always overwrite. */
    void clear(final int m) {
        status = DecodeStatus.OK;
        mode = m;
        prefixes = 0;
        segment = 3;
        rex = 0;
        vexL = 0;
        vexW = 0;
        vexV = 0;
        modrm = -1;
        mod = 0;
        reg = 0;
        rm = 0;
        hasMem = false;
        base = Reg.NONE;
        index = Reg.NONE;
        scale = 1;
        sibIndex = -1;
        disp = 0;
        imm = 0;
        imm2 = 0;
        immSize = 0;
        attrs = 0;
        numOperands = 0;
        memBytes = 0;
        opSize = 0;
        map = 0;
        opcode = 0;
    }
}
