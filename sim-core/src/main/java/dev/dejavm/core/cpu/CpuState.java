package dev.dejavm.core.cpu;

import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * Architectural state of one x86-64 CPU, as primitive fields. Segment registers keep their hidden descriptor
 * caches (base, limit, attributes) as hardware does: real-mode loads change only selector and base, so limits set
 * in protected mode survive ("unreal mode").
 *
 * <p>Segment attributes use the VMX access-rights layout: bits 0-7 the descriptor's access byte (type, S, DPL, P),
 * bit 12 AVL, 13 L, 14 D/B, 15 G.
 */
public final class CpuState implements Snapshottable {
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
    public static final int LDTR = 6, TR = 7;

    public static final long CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9,
            DF = 1 << 10, OF = 1 << 11, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18, ID = 1 << 21;
    public static final long ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;

    public static final long CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
            CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1L << 31;
    public static final long CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_PGE = 1 << 7, CR4_OSFXSR = 1 << 9,
            CR4_SMEP = 1 << 20, CR4_SMAP = 1 << 21, CR4_OSXSAVE = 1 << 18, CR4_OSXMMEXCPT = 1 << 10;
    public static final long EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

    public static final int ATTR_L = 1 << 13, ATTR_DB = 1 << 14, ATTR_G = 1 << 15;

    /** RAX..R15. */
    public final long[] gpr = new long[16];
    public long rip;
    public long rflags = 2;

    /** ES, CS, SS, DS, FS, GS, LDTR, TR. */
    public final int[] sel = new int[8];
    public final long[] segBase = new long[8];
    public final long[] segLimit = new long[8];
    public final int[] segAttr = new int[8];

    public long gdtrBase;
    public int gdtrLimit;
    public long idtrBase;
    public int idtrLimit;

    public long cr0;
    public long cr2;
    public long cr3;
    public long cr4;
    public long cr8;
    public long efer;
    public final long[] dr = new long[8];

    // Model-specific registers the firmware and an OS loader use.
    public long apicBase;
    public long pat;
    public long star;
    public long lstar;
    public long cstar;
    public long sfmask;
    public long kernelGsBase;
    public long sysenterCs;
    public long sysenterEsp;
    public long sysenterEip;
    public long miscEnable;
    public long tscAux;
    public long tscOffset;
    public long mtrrDefType;
    public final long[] mtrrFixed = new long[11];
    public final long[] mtrrVar = new long[16];

    /** Current privilege level (CS.RPL in protected mode; 0 in real mode). */
    public int cpl;
    /** x87 control word, status word (TOP in bits 13:11) and full tag word (2 bits per physical register). */
    public int fpuControl = 0x0040;
    public int fpuStatus;
    public int fpuTag = 0x5555;
    /**
     * The x87 data registers R0-R7 by physical number (ST(i) is R[(TOP + i) & 7]): bits 63:0 of the 80-bit value
     * (the significand with its explicit integer bit; MMX register n is {@code fpSig[n]}) and bits 79:64 (sign and
     * biased exponent).
     */
    public final long[] fpSig = new long[8];
    public final int[] fpExp = new int[8];
    /** Last x87 non-control instruction: opcode (11 bits), instruction pointer and data pointer with selectors. */
    public int fpuOpcode;
    public long fpuIp;
    public int fpuCs;
    public long fpuDp;
    public int fpuDs;
    /** SSE control/status register. */
    public int mxcsr = 0x1F80;
    /** Extended control register XCR0 (XSETBV): the state components XSAVE manages; x87 is always enabled. */
    public long xcr0 = 1;
    /** XMM0-XMM15: register n is {@code xmm[2n]} (bits 63:0) and {@code xmm[2n + 1]} (bits 127:64). */
    public final long[] xmm = new long[32];
    /** HLT executed, waiting for an interrupt. */
    public boolean halted;

    @Override
    public String stateId() {
        return "cpu";
    }

    @Override
    public int stateVersion() {
        return 2;
    }

    @Override
    public void save(final StateWriter w) {
        for (final long r : gpr) {
            w.putLong(r);
        }
        w.putLong(rip).putLong(rflags);
        for (int i = 0; i < 8; i++) {
            w.putInt(sel[i]).putLong(segBase[i]).putLong(segLimit[i]).putInt(segAttr[i]);
        }
        w.putLong(gdtrBase).putInt(gdtrLimit).putLong(idtrBase).putInt(idtrLimit);
        w.putLong(cr0).putLong(cr2).putLong(cr3).putLong(cr4).putLong(cr8).putLong(efer);
        for (final long d : dr) {
            w.putLong(d);
        }
        w.putLong(apicBase).putLong(pat).putLong(star).putLong(lstar).putLong(cstar).putLong(sfmask).putLong(kernelGsBase);
        w.putLong(sysenterCs).putLong(sysenterEsp).putLong(sysenterEip).putLong(miscEnable).putLong(tscAux).putLong(tscOffset);
        w.putLong(mtrrDefType);
        for (final long m : mtrrFixed) {
            w.putLong(m);
        }
        for (final long m : mtrrVar) {
            w.putLong(m);
        }
        w.putInt(cpl).putBoolean(halted);
        w.putInt(fpuControl).putInt(fpuStatus).putInt(fpuTag).putInt(mxcsr);
        for (final long x : xmm) {
            w.putLong(x);
        }
        for (int i = 0; i < 8; i++) {
            w.putLong(fpSig[i]).putInt(fpExp[i]);
        }
        w.putInt(fpuOpcode).putLong(fpuIp).putInt(fpuCs).putLong(fpuDp).putInt(fpuDs);
        w.putLong(xcr0);
    }

    @Override
    public void load(final StateReader r, final int version) {
        for (int i = 0; i < 16; i++) {
            gpr[i] = r.getLong();
        }
        rip = r.getLong();
        rflags = r.getLong();
        for (int i = 0; i < 8; i++) {
            sel[i] = r.getInt();
            segBase[i] = r.getLong();
            segLimit[i] = r.getLong();
            segAttr[i] = r.getInt();
        }
        gdtrBase = r.getLong();
        gdtrLimit = r.getInt();
        idtrBase = r.getLong();
        idtrLimit = r.getInt();
        cr0 = r.getLong();
        cr2 = r.getLong();
        cr3 = r.getLong();
        cr4 = r.getLong();
        cr8 = r.getLong();
        efer = r.getLong();
        for (int i = 0; i < 8; i++) {
            dr[i] = r.getLong();
        }
        apicBase = r.getLong();
        pat = r.getLong();
        star = r.getLong();
        lstar = r.getLong();
        cstar = r.getLong();
        sfmask = r.getLong();
        kernelGsBase = r.getLong();
        sysenterCs = r.getLong();
        sysenterEsp = r.getLong();
        sysenterEip = r.getLong();
        miscEnable = r.getLong();
        tscAux = r.getLong();
        tscOffset = r.getLong();
        mtrrDefType = r.getLong();
        for (int i = 0; i < mtrrFixed.length; i++) {
            mtrrFixed[i] = r.getLong();
        }
        for (int i = 0; i < mtrrVar.length; i++) {
            mtrrVar[i] = r.getLong();
        }
        cpl = r.getInt();
        halted = r.getBoolean();
        fpuControl = r.getInt();
        fpuStatus = r.getInt();
        fpuTag = r.getInt();
        mxcsr = r.getInt();
        for (int i = 0; i < xmm.length; i++) {
            xmm[i] = r.getLong();
        }
        if (version >= 2) {
            for (int i = 0; i < 8; i++) {
                fpSig[i] = r.getLong();
                fpExp[i] = r.getInt();
            }
            fpuOpcode = r.getInt();
            fpuIp = r.getLong();
            fpuCs = r.getInt();
            fpuDp = r.getLong();
            fpuDs = r.getInt();
            xcr0 = r.getLong();
        }
    }
}
