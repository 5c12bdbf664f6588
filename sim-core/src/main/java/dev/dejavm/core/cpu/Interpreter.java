package dev.dejavm.core.cpu;

import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.event.Engine;
import dev.dejavm.core.event.ExecutionStamp;
import dev.dejavm.core.mem.PhysicalMemory;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.decoder.DecodeStatus;
import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Decoder;
import dev.dejavm.decoder.Prefix;
import dev.dejavm.decoder.Reg;

import java.util.Locale;

/**
 * The x86-64 interpreter: fetch, decode, execute, one instruction at a time, on {@link CpuState}, against
 * {@link PhysicalMemory} and the {@link PortBus}, counting one nanosecond of virtual time per instruction.
 *
 * <p>Implemented: real mode, 16/32-bit protected mode, long mode (64-bit and compatibility) with the mode switches
 * through CR0/EFER and far jumps; 32-bit, PAE and 4-level paging with large pages, A/D bits, R/W, U/S, NX and WP
 * checks and a software TLB; exception and interrupt delivery through the IVT and IDT (same privilege, and 64-bit
 * CPL3→0 through TSS.RSP0/IST), double fault and triple fault; the general-purpose integer instruction set listed
 * in {@link Dispatch}; segment limit and privilege checks, call gates, 32-bit TSS task switches, virtual-8086 mode
 * (without VME), the x87 ({@link FpuExec}, {@link Fp80}), MMX and SSE through SSE4.2 ({@link SseExec} and its
 * siblings), XSAVE, NMI. Not yet: AVX and later vector extensions (VEX/EVEX raise #UD; CPUID does not report them),
 * 16-bit TSS task switches, VME.
 *
 * <p>{@link #run} executes in slices of {@value #RUN_SLICE} instructions (one call of the loop each), which lets
 * HotSpot compile the loop as an ordinary method. Per instruction: fire due timers, deliver a pending interrupt
 * (IF = 1, no STI/MOV SS shadow), fetch through
 * the decoded-instruction cache (direct-mapped by physical address, invalidated through PhysicalMemory's
 * code-write listener, so self-modifying code works), execute, count one instruction and one nanosecond. A REP
 * string instruction counts as one instruction; each iteration after the first adds one nanosecond. A faulting
 * instruction also counts (so that a fault loop advances time). HLT with IF = 1 jumps virtual time to the next
 * deadline; with IF = 0, or with no deadline left, {@link #run} returns {@link StopReason#HALT}.
 *
 * <p>Flags are lazy for ADD/SUB/CMP, the logic ops, TEST and INC/DEC (the hot ones): the operation, operands and
 * result are recorded and RFLAGS is materialized when read ({@link Dispatch#LAZY_OK} lists the handlers that cope
 * with lazy flags; before any other instruction the flags are materialized). {@code CpuState.rflags} is exact
 * whenever {@link #run} has returned. Where the SDM leaves a flag undefined the choice is documented at the
 * instruction family ({@link AluExec}).
 *
 * <p>Call {@link #flushCaches()} after guest memory or the memory map changed behind the interpreter's back (KVM
 * ran the guest, a snapshot was restored, PAM remapped ROM/RAM).
 */
public final class Interpreter implements ExecutionStamp, Snapshottable {
    public static final int VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5, VEC_UD = 6, VEC_NM = 7,
            VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_XM = 19;
    /** CPUID family/model/stepping signature, also in EDX after reset: family 6, model 0x0F, stepping 0xB. */
    public static final int SIGNATURE = 0x000006FB;

    final CpuState s;
    final PhysicalMemory mem;
    final PortBus ports;
    final Timeline timeline;
    private final Decoder decoder = new Decoder();
    /** The instruction being executed: a decoded-cache entry, or {@link #scratch} for uncached decodes. */
    DecodedInsn d;
    private final DecodedInsn scratch = new DecodedInsn();
    private final byte[] fetch = new byte[Decoder.MAX_LENGTH];

    // Decoded-instruction cache, direct-mapped by physical address of the instruction's first byte. The tag is
    // (pa << 2) | code-size index (1, 2, 3 for 16, 32, 64), 0 = empty. Instructions that cross a page boundary or
    // come from MMIO are never cached. Pages holding cached code are marked in PhysicalMemory, whose code-write
    // listener clears every entry that could overlap the written bytes (self-modifying code).
    private static final int DCACHE_SIZE = 1 << 14;
    private static final int DCACHE_MASK = DCACHE_SIZE - 1;
    private final long[] dcacheTag = new long[DCACHE_SIZE];
    private final DecodedInsn[] dcache = new DecodedInsn[DCACHE_SIZE];
    final CpuException fault = new CpuException();
    private InterruptSource interrupts;

    private long icount;
    private boolean stopRequested;
    private boolean tripleFault;
    /** Linear address of the instruction being executed. */
    long insnLinear;
    /** rIP of the instruction being executed, and of the next one. */
    long insnRip;
    long nextRip;
    /** Effective (offset) and linear address of the current instruction's memory operand. */
    long memOff;
    long memLin;
    /** Code size of the current instruction: 16, 32 or 64. */
    int codeSize;
    /** The x87's extended-precision arithmetic unit, and scratch space for FNSTENV/FLDENV images. */
    final Fp80 fp = new Fp80();
    final long[] envScratch = new long[7];
    /** SSE operand and result scratch (bits 63:0, 127:64). */
    final long[] sseSrc = new long[2];
    final long[] sseRes = new long[2];
    final long[] sseTmp = new long[2];
    final long[] sseMask = new long[2];
    int sseFlags;
    private long decodeMisses;
    /** An NMI waits for delivery; NMIs are blocked from delivery until the handler's IRET. */
    private boolean nmiPending;
    boolean nmiBlocked;

    /** The NMI input (a local APIC's LINT1 or an NMI IPI): delivered at the next instruction boundary. */
    public void raiseNmi() {
        nmiPending = true;
    }

    /** Instructions decoded because the decoded-instruction cache did not hold them (a diagnostic). */
    public long decodeMisses() {
        return decodeMisses;
    }

    /** RDRAND/RDSEED values: a fixed-seed generator unless the machine supplies its own. */
    private EntropySource entropy = EntropySource.seeded(0);

    public void setEntropySource(final EntropySource source) {
        this.entropy = source;
    }

    EntropySource entropy() {
        return entropy;
    }

    /** Parameters a call gate copies between stacks (at most 31). */
    final long[] gateParams = new long[32];
    /** A TSS image being switched to, and its segment selectors. */
    final long[] taskImage = new long[26];
    final int[] taskSelectors = new int[6];
    private static final int[] V86_DATA_SEGMENTS = {CpuState.ES, CpuState.DS, CpuState.FS, CpuState.GS};
    /** Instructions until interrupts are recognised again (MOV SS / STI shadow). */
    int interruptShadow;
    // Lazy arithmetic flags (Bochs/JPC style): the last flag-setting operation, its operands, result and size.
    // While lfOp != LF_NONE the arithmetic bits of s.rflags are stale; flags() materializes them. run() always
    // returns with them materialized, so CpuState.rflags is exact between runs.
    static final int LF_NONE = 0, LF_ADD = 1, LF_SUB = 2, LF_LOGIC = 3, LF_INC = 4, LF_DEC = 5;
    int lfOp;
    long lfA;
    long lfB;
    long lfR;
    int lfSize;
    private int lastVector = -1;
    private long exceptionsRaised;
    private boolean apicPresent;
    private int raisedVector = -1;
    private int raisedErrorCode;
    private int lastErrorCode;
    private long lastFaultRip;

    // The page instructions were last fetched from: its linear page number, the CPL and A20 mask it was checked
    // for, and its physical frame. Consulted before the TLB; cleared with it (flushTlb, invlpg).
    private long fetchPage = -1;
    private int fetchCpl;
    private long fetchA20;
    private long fetchFrame;

    // Software TLB: direct-mapped, 1024 entries, tag = linear page number + 1 (0 = empty).
    private static final int TLB_SIZE = 1024;
    private final long[] tlbTag = new long[TLB_SIZE];
    private final long[] tlbPhys = new long[TLB_SIZE];
    /** Bit 0 writable, bit 1 user, bit 2 no-execute, bit 3 dirty already set, bit 4 global. */
    private final int[] tlbPerm = new int[TLB_SIZE];

    public Interpreter(final CpuState state, final PhysicalMemory memory, final PortBus ports, final Timeline timeline) {
        this.s = state;
        this.mem = memory;
        this.ports = ports;
        this.timeline = timeline;
        for (int i = 0; i < DCACHE_SIZE; i++) {
            dcache[i] = new DecodedInsn();
        }
        this.d = scratch;
        memory.setCodeWriteListener(this::onCodeWrite);
    }

    /** Self-modifying code: drops cached decodes of every instruction that may overlap the written bytes. */
    private void onCodeWrite(final long pa, final int size) {
        for (long k = pa - (Decoder.MAX_LENGTH - 1); k < pa + size; k++) {
            final int slot = (int) (k & DCACHE_MASK);
            if ((dcacheTag[slot] >>> 2) == k) {
                dcacheTag[slot] = 0;
            }
        }
    }

    /**
     * Forgets every cached translation and decoded instruction. Call after guest memory or CPU state changed
     * behind the interpreter's back (snapshot restore, memory written by another engine such as KVM).
     */
    public void flushCaches() {
        java.util.Arrays.fill(dcacheTag, 0);
        flushTlb(true);
    }

    public CpuState state() {
        return s;
    }

    /** Whether the board has a local APIC at IA32_APIC_BASE (reported by CPUID leaf 1 EDX bit 9). */
    public void setApicPresent(final boolean present) {
        apicPresent = present;
    }

    boolean apicPresent() {
        return apicPresent;
    }

    public void setInterruptSource(final InterruptSource source) {
        this.interrupts = source;
    }

    /** Asks {@link #run} to return after the current instruction. */
    public void requestStop() {
        stopRequested = true;
    }

    // ---- snapshot: the interpreter's own execution state (the architectural state is CpuState, id "cpu") ---

    @Override
    public String stateId() {
        return "interpreter";
    }

    @Override
    public int stateVersion() {
        return 3;
    }

    /**
     * Saves the instruction count, the interrupt shadow, NMI state and the linear address of the last instruction
     * (what events are stamped with until the next one runs); flags are materialized first (they live in "cpu").
     */
    @Override
    public void save(final StateWriter w) {
        flags();
        w.putLong(icount).putInt(interruptShadow).putBoolean(nmiPending).putBoolean(nmiBlocked).putLong(insnLinear);
    }

    @Override
    public void load(final StateReader r, final int version) {
        icount = r.getLong();
        interruptShadow = r.getInt();
        if (version >= 2) {
            nmiPending = r.getBoolean();
            nmiBlocked = r.getBoolean();
        }
        if (version >= 3) {
            insnLinear = r.getLong();
        }
        lfOp = LF_NONE;
        tripleFault = false;
        flushCaches();
    }

    // ---- lazy flags ------------------------------------------------------------------------------------------

    void setLazyFlags(final int op, final long a, final long b, final long r, final int size) {
        lfOp = op;
        lfA = a;
        lfB = b;
        lfR = r;
        lfSize = size;
    }

    /** RFLAGS with the arithmetic flags materialized. */
    long flags() {
        if (lfOp != LF_NONE) {
            materializeFlags();
        }
        return s.rflags;
    }

    void materializeFlags() {
        s.rflags = (s.rflags & ~CpuState.ARITH_FLAGS) | AluExec.lazyFlags(lfOp, lfA, lfB, lfR, lfSize, s.rflags);
        lfOp = LF_NONE;
    }

    /** The exact RFLAGS (also usable from device callbacks while {@link #run} is executing). */
    public long rflags() {
        return flags();
    }

    // ---- ExecutionStamp -------------------------------------------------------------------------------------

    @Override
    public long icount() {
        return icount;
    }

    @Override
    public long cycles() {
        return timeline.now();
    }

    @Override
    public long rip() {
        return insnLinear;
    }

    @Override
    public int engine() {
        return Engine.INTERPRETER;
    }

    public int lastExceptionVector() {
        return lastVector;
    }

    public int lastExceptionErrorCode() {
        return lastErrorCode;
    }

    // ---- reset and run -----------------------------------------------------------------------------------

    /** The architectural RESET state (SDM Vol. 3A, 10.1.1, Table 10-1). */
    public void reset() {
        java.util.Arrays.fill(s.gpr, 0);
        s.gpr[Reg.RDX] = SIGNATURE;
        s.rip = 0xFFF0;
        s.rflags = 2;
        lfOp = LF_NONE;
        for (int i = 0; i < 6; i++) {
            s.sel[i] = 0;
            s.segBase[i] = 0;
            s.segLimit[i] = 0xFFFF;
            s.segAttr[i] = 0x93; // present, read/write data, accessed
        }
        s.sel[CpuState.CS] = 0xF000;
        s.segBase[CpuState.CS] = 0xFFFF0000L;
        s.segAttr[CpuState.CS] = 0x9B; // present, execute/read code, accessed
        s.sel[CpuState.LDTR] = 0;
        s.segBase[CpuState.LDTR] = 0;
        s.segLimit[CpuState.LDTR] = 0xFFFF;
        s.segAttr[CpuState.LDTR] = 0x82;
        s.sel[CpuState.TR] = 0;
        s.segBase[CpuState.TR] = 0;
        s.segLimit[CpuState.TR] = 0xFFFF;
        s.segAttr[CpuState.TR] = 0x8B;
        s.gdtrBase = 0;
        s.gdtrLimit = 0xFFFF;
        s.idtrBase = 0;
        s.idtrLimit = 0xFFFF;
        s.cr0 = 0x60000010L;
        s.cr2 = 0;
        s.cr3 = 0;
        s.cr4 = 0;
        s.cr8 = 0;
        s.efer = 0;
        java.util.Arrays.fill(s.dr, 0);
        s.dr[6] = 0xFFFF0FF0L;
        s.dr[7] = 0x400;
        s.apicBase = 0xFEE00900L;
        s.pat = 0x0007040600070406L;
        s.star = 0;
        s.lstar = 0;
        s.cstar = 0;
        s.sfmask = 0;
        s.kernelGsBase = 0;
        s.sysenterCs = 0;
        s.sysenterEsp = 0;
        s.sysenterEip = 0;
        s.miscEnable = 1; // fast strings
        s.tscAux = 0;
        s.mtrrDefType = 0;
        java.util.Arrays.fill(s.mtrrFixed, 0);
        java.util.Arrays.fill(s.mtrrVar, 0);
        s.cpl = 0;
        s.halted = false;
        s.fpuControl = 0x0040; // SDM Vol. 3A Table 10-1: x87 state at power-up and RESET
        s.fpuStatus = 0;
        s.fpuTag = 0x5555;
        java.util.Arrays.fill(s.fpSig, 0); // R0-R7 read +0.0 after RESET
        java.util.Arrays.fill(s.fpExp, 0);
        s.fpuOpcode = 0;
        s.fpuIp = 0;
        s.fpuCs = 0;
        s.fpuDp = 0;
        s.fpuDs = 0;
        s.mxcsr = 0x1F80;
        s.xcr0 = 1;
        java.util.Arrays.fill(s.xmm, 0);
        interruptShadow = 0;
        tripleFault = false;
        nmiPending = false;
        nmiBlocked = false;
        flushCaches();
        insnLinear = s.segBase[CpuState.CS] + s.rip;
    }

    /**
     * Executes up to {@code maxInstructions} instructions.
     *
     * @return a {@link StopReason}
     */
    public int run(final long maxInstructions) {
        // The loop runs in short slices so that HotSpot compiles runLoop as an ordinary method with a complete
        // profile rather than only as an on-stack replacement of one endless invocation (measured: the OSR-only
        // code was up to 40% slower and varied from run to run).
        fetchPage = -1; // the state may have been changed between runs (a test harness, a hand-off)
        long remaining = maxInstructions;
        int reason;
        do {
            final long slice = Math.min(remaining, RUN_SLICE);
            reason = runLoop(slice);
            remaining -= slice;
        } while (reason == StopReason.BUDGET && remaining > 0);
        if (lfOp != LF_NONE) {
            materializeFlags();
        }
        return reason;
    }

    private static final long RUN_SLICE = 1 << 14;

    private int runLoop(final long maxInstructions) {
        stopRequested = false;
        final long end = icount + maxInstructions;
        final Timeline tl = timeline;
        while (icount < end) {
            if (tl.now() >= tl.nextDeadline()) {
                tl.runDue();
            }
            if (stopRequested) {
                return StopReason.REQUEST;
            }
            if (interruptShadow > 0) {
                interruptShadow--;
            } else if (nmiPending && !nmiBlocked) {
                // NMI (SDM Vol. 3A, 7.7 and 6.7.1): regardless of IF, then blocked until the next IRET.
                nmiPending = false;
                nmiBlocked = true;
                s.halted = false;
                insnRip = s.rip;
                deliver(VEC_NMI, 0, false, SOURCE_EXTERNAL, s.rip);
                if (tripleFault) {
                    return StopReason.TRIPLE_FAULT;
                }
                continue;
            } else if ((s.rflags & CpuState.IF) != 0 && interrupts != null && interrupts.pending()) {
                s.halted = false;
                final int vector = interrupts.acknowledge();
                if (vector >= 0) {
                    insnRip = s.rip;
                    deliver(vector, 0, false, SOURCE_EXTERNAL, s.rip);
                    if (tripleFault) {
                        return StopReason.TRIPLE_FAULT;
                    }
                }
            }
            if (s.halted) {
                if ((s.rflags & CpuState.IF) == 0 && !(nmiPending && !nmiBlocked)) {
                    return StopReason.HALT;
                }
                final long next = tl.nextDeadline();
                if (next == Timeline.NEVER) {
                    return StopReason.HALT;
                }
                tl.advanceTo(next);
                continue;
            }
            step();
            if (tripleFault) {
                return StopReason.TRIPLE_FAULT;
            }
        }
        return stopRequested ? StopReason.REQUEST : StopReason.BUDGET;
    }

    /** Executes one instruction (or delivers the exception it raises). */
    private void step() {
        insnRip = s.rip;
        codeSize = codeSize();
        try {
            insnLinear = truncLinear(s.segBase[CpuState.CS] + s.rip);
            final int status = fetchDecode();
            if (status != DecodeStatus.OK) {
                throw status == DecodeStatus.TOO_LONG ? gp(0) : ud();
            }
            nextRip = s.rip + d.length;
            if (codeSize != 64) {
                nextRip &= codeSize == 16 ? 0xFFFFL : 0xFFFFFFFFL;
                if (s.rip + d.length - 1 > s.segLimit[CpuState.CS]) {
                    throw gp(0); // the instruction extends past the CS limit (SDM Vol. 3A 5.3)
                }
            }
            if (d.hasMem) {
                memOff = effectiveAddress();
                final int bytes = d.memBytes;
                memLin = bytes == 0 || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.LEA
                    ? segLinear(d.segment, memOff) : segLinear(d.segment, memOff, bytes);
            }
            s.rip = nextRip;
            Dispatch.execute(this, d);
            icount++;
            timeline.advance(1);
        } catch (final CpuException e) {
            // Faults: the saved rIP is the faulting instruction's (SDM Vol. 3A, 6.5); the instruction counts as
            // executed for icount/time so that a fault loop still advances virtual time.
            s.rip = insnRip;
            icount++;
            timeline.advance(1);
            deliver(e.vector, e.errorCode, e.hasErrorCode, SOURCE_FAULT, insnRip);
        }
    }

    private int fetchDecode() {
        final long lin = insnLinear;
        final long pa;
        final long a20 = mem.a20Mask();
        if ((lin >>> 12) == fetchPage && s.cpl == fetchCpl && a20 == fetchA20) {
            pa = fetchFrame | (lin & 0xFFF);
        } else {
            pa = translate(lin, ACCESS_FETCH) & a20;
            fetchPage = lin >>> 12;
            fetchCpl = s.cpl;
            fetchA20 = a20;
            fetchFrame = pa & ~0xFFFL;
        }
        final int slot = (int) (pa & DCACHE_MASK);
        final long tag = (pa << 2) | (codeSize == 64 ? 3 : codeSize == 32 ? 2 : 1);
        if (dcacheTag[slot] == tag) {
            d = dcache[slot];
            return DecodeStatus.OK;
        }
        decodeMisses++;
        final int inPage = (int) (PhysicalMemory.PAGE_SIZE - (lin & PhysicalMemory.PAGE_MASK));
        final int n = Math.min(Decoder.MAX_LENGTH, inPage);
        for (int i = 0; i < n; i++) {
            fetch[i] = (byte) mem.peekByte(pa + i);
        }
        if (mem.isMemory(pa)) {
            final DecodedInsn e = dcache[slot];
            dcacheTag[slot] = 0;
            final int status = decoder.decode(fetch, 0, n, codeSize, e);
            if (status != DecodeStatus.TRUNCATED || n == Decoder.MAX_LENGTH) {
                d = e;
                if (status == DecodeStatus.OK) {
                    dcacheTag[slot] = tag;
                    mem.markCodePage(pa);
                }
                return status;
            }
        }
        d = scratch;
        if (n < Decoder.MAX_LENGTH) {
            // The instruction may continue on the next page: fetch it only if decoding needs it (a #PF on a
            // page the instruction does not reach must not happen).
            final int status = decoder.decode(fetch, 0, n, codeSize, scratch);
            if (status != DecodeStatus.TRUNCATED) {
                return status;
            }
            final long pa2 = translate(truncLinear(lin + n), ACCESS_FETCH) & mem.a20Mask();
            for (int i = n; i < Decoder.MAX_LENGTH; i++) {
                fetch[i] = (byte) mem.peekByte(pa2 + i - n);
            }
        }
        return decoder.decode(fetch, 0, Decoder.MAX_LENGTH, codeSize, scratch);
    }

    // ---- modes -------------------------------------------------------------------------------------------

    boolean protectedMode() {
        return (s.cr0 & CpuState.CR0_PE) != 0;
    }

    boolean longMode() {
        return (s.efer & CpuState.EFER_LMA) != 0;
    }

    /** 16, 32 or 64: the default operand/address size of the current code segment. */
    int codeSize() {
        if (longMode() && (s.segAttr[CpuState.CS] & CpuState.ATTR_L) != 0) {
            return 64;
        }
        if (protectedMode() && (s.segAttr[CpuState.CS] & CpuState.ATTR_DB) != 0) {
            return 32;
        }
        return 16;
    }

    /** Stack address size: 64 in 64-bit mode, else SS.B selects 32 or 16. */
    int stackSize() {
        if (codeSize == 64) {
            return 64;
        }
        return (s.segAttr[CpuState.SS] & CpuState.ATTR_DB) != 0 && protectedMode() ? 32 : 16;
    }

    long truncLinear(final long lin) {
        return codeSize == 64 ? lin : lin & 0xFFFFFFFFL;
    }

    // ---- addresses ---------------------------------------------------------------------------------------

    long effectiveAddress() {
        long ea = d.disp;
        if (d.base == Reg.RIP) {
            ea += nextRip;
        } else if (d.base >= 0) {
            ea += s.gpr[d.base];
        }
        if (d.index >= 0) {
            ea += s.gpr[d.index] * d.scale;
        }
        return switch (d.addrSize) {
            case 16 -> ea & 0xFFFF;
            case 32 -> ea & 0xFFFFFFFFL;
            default -> ea;
        };
    }

    /** Linear address of offset {@code off} in segment {@code seg}. */
    long segLinear(final int seg, final long off) {
        if (codeSize == 64) {
            return seg >= CpuState.FS ? s.segBase[seg] + off : off;
        }
        return (s.segBase[seg] + off) & 0xFFFFFFFFL;
    }

    /**
     * The linear address of a {@code bytes}-byte access at {@code off} in segment {@code seg}, after the limit
     * check of SDM Vol. 3A 5.3 (also in real mode, where the cached limit is normally 0xFFFF): expand-up segments
     * allow offsets 0..limit, expand-down data segments limit+1..0xFFFF or 0xFFFFFFFF (by the B flag). A violation
     * is #SS(0) for SS, #GP(0) otherwise. 64-bit mode has no limit checks.
     */
    long segLinear(final int seg, final long off, final int bytes) {
        if (codeSize == 64) {
            return seg >= CpuState.FS ? s.segBase[seg] + off : off;
        }
        final long limit = s.segLimit[seg];
        final int attr = s.segAttr[seg];
        final boolean expandDown = (attr & 0x1C) == 0x14; // S = 1, data, E = 1
        if (limit != 0xFFFFFFFFL || expandDown) {
            final long last = off + bytes - 1;
            final boolean bad;
            if (expandDown) {
                final long top = (attr & CpuState.ATTR_DB) != 0 ? 0xFFFFFFFFL : 0xFFFFL;
                bad = off <= limit || last > top;
            } else {
                bad = last > limit;
            }
            if (bad) {
                throw seg == CpuState.SS ? fault.set(VEC_SS, 0, true) : gp(0);
            }
        }
        return (s.segBase[seg] + off) & 0xFFFFFFFFL;
    }

    /** Size in bytes of the decoded instruction's memory operand (0 when it has none or gives no size). */
    // ---- paging ------------------------------------------------------------------------------------------

    static final int ACCESS_READ = 0;
    static final int ACCESS_WRITE = 1;
    static final int ACCESS_FETCH = 2;

    void flushTlb(final boolean includingGlobal) {
        fetchPage = -1;
        for (int i = 0; i < TLB_SIZE; i++) {
            if (includingGlobal || (tlbPerm[i] & 16) == 0) {
                tlbTag[i] = 0;
            }
        }
    }

    void invlpg(final long lin) {
        fetchPage = -1;
        final long vpn = lin >>> 12;
        final int i = (int) (vpn & (TLB_SIZE - 1));
        if (tlbTag[i] == vpn + 1) {
            tlbTag[i] = 0;
        }
    }

    /** Linear → physical, raising #PF on a violation. Without paging the linear address is physical. */
    long translate(final long lin, final int access) {
        if ((s.cr0 & CpuState.CR0_PG) == 0) {
            return lin & 0xFFFFFFFFL;
        }
        final long vpn = lin >>> 12;
        final int i = (int) (vpn & (TLB_SIZE - 1));
        final boolean user = s.cpl == 3;
        if (tlbTag[i] == vpn + 1) {
            final int perm = tlbPerm[i];
            final boolean ok = (access != ACCESS_WRITE || ((perm & 1) != 0 || (!user && (s.cr0 & CpuState.CR0_WP) == 0)) && (perm & 8) != 0)
                    && (!user || (perm & 2) != 0) && (access != ACCESS_FETCH || (perm & 4) == 0)
                    && (user || (perm & 2) == 0 || (s.cr4 & (CpuState.CR4_SMEP | CpuState.CR4_SMAP)) == 0); // SMEP/SMAP: slow path
            if (ok) {
                return tlbPhys[i] | (lin & 0xFFF);
            }
        }
        return walk(lin, access, i);
    }

    /**
     * The physical address of {@code linear} under the current paging mode, or -1 if it is not mapped. Reads the
     * page tables without setting accessed/dirty bits or faulting (for reports and disassembly).
     */
    public long peekPhysical(final long linear) {
        if ((s.cr0 & CpuState.CR0_PG) == 0) {
            return linear & 0xFFFFFFFFL & mem.a20Mask();
        }
        final long addrMask = 0x000F_FFFF_FFFF_F000L;
        if ((s.cr4 & CpuState.CR4_PAE) == 0) {
            final long pde = peek32((s.cr3 & 0xFFFFF000L) + ((linear >>> 22) & 0x3FF) * 4);
            if ((pde & 1) == 0) {
                return -1;
            }
            if ((pde & 0x80) != 0 && (s.cr4 & CpuState.CR4_PSE) != 0) {
                return (pde & 0xFFC00000L) | (linear & 0x3FFFFF);
            }
            final long pte = peek32((pde & 0xFFFFF000L) + ((linear >>> 12) & 0x3FF) * 4);
            return (pte & 1) == 0 ? -1 : (pte & 0xFFFFF000L) | (linear & 0xFFF);
        }
        long table;
        int level;
        if ((s.efer & CpuState.EFER_LMA) != 0) {
            table = s.cr3 & addrMask;
            level = 4;
        } else {
            final long pdpte = peek64((s.cr3 & 0xFFFFFFE0L) + ((linear >>> 30) & 3) * 8);
            if ((pdpte & 1) == 0) {
                return -1;
            }
            table = pdpte & addrMask;
            level = 2;
        }
        for (; level >= 1; level--) {
            final int shift = 12 + 9 * (level - 1);
            final long e = peek64(table + ((linear >>> shift) & 0x1FF) * 8);
            if ((e & 1) == 0) {
                return -1;
            }
            if (level == 1 || ((level == 2 || level == 3) && (e & 0x80) != 0)) {
                final long pageMask = (1L << shift) - 1;
                return (e & addrMask & ~pageMask) | (linear & pageMask);
            }
            table = e & addrMask;
        }
        return -1;
    }

    private long peek32(final long pa) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (long) mem.peekByte(pa + i) << (8 * i);
        }
        return v;
    }

    private long peek64(final long pa) {
        return peek32(pa) | peek32(pa + 4) << 32;
    }

    private long walk(final long lin, final int access, final int slot) {
        final boolean user = s.cpl == 3;
        final boolean write = access == ACCESS_WRITE;
        final boolean nxe = (s.efer & CpuState.EFER_NXE) != 0;
        boolean writable = true;
        boolean userOk = true;
        boolean noExec = false;
        long pageBase;
        long pageSize;
        final long[] entries = walkEntries;
        final long[] entryAddr = walkAddrs;
        int levels = 0;
        if ((s.cr4 & CpuState.CR4_PAE) == 0) {
            // 32-bit paging: 4 KiB pages or 4 MiB pages with CR4.PSE.
            final long pdeAddr = (s.cr3 & 0xFFFFF000L) | ((lin >>> 22) & 0x3FF) << 2;
            final long pde = mem.readDword(pdeAddr) & 0xFFFFFFFFL;
            if ((pde & 1) == 0) {
                throw pageFault(lin, access, false);
            }
            entries[levels] = pde;
            entryAddr[levels++] = pdeAddr;
            writable = (pde & 2) != 0;
            userOk = (pde & 4) != 0;
            if ((pde & 0x80) != 0 && (s.cr4 & CpuState.CR4_PSE) != 0) {
                pageSize = 4L << 20;
                pageBase = (pde & 0xFFC00000L) | ((pde >>> 13) & 0xFF) << 32;
            } else {
                final long pteAddr = (pde & 0xFFFFF000L) | ((lin >>> 12) & 0x3FF) << 2;
                final long pte = mem.readDword(pteAddr) & 0xFFFFFFFFL;
                if ((pte & 1) == 0) {
                    throw pageFault(lin, access, false);
                }
                entries[levels] = pte;
                entryAddr[levels++] = pteAddr;
                writable &= (pte & 2) != 0;
                userOk &= (pte & 4) != 0;
                pageSize = 4096;
                pageBase = pte & 0xFFFFF000L;
            }
            return finishWalk(lin, access, slot, entries, entryAddr, levels, 4, pageBase, pageSize, writable, userOk, false);
        }
        long table;
        int level;
        if (longMode()) {
            table = s.cr3 & 0x000FFFFFFFFFF000L;
            level = 4;
        } else {
            // PAE: the four PDPTEs (loaded at CR3 write on hardware; read here at walk time).
            final long pdpteAddr = (s.cr3 & 0xFFFFFFE0L) + ((lin >>> 30) & 3) * 8;
            final long pdpte = mem.readQword(pdpteAddr);
            if ((pdpte & 1) == 0) {
                throw pageFault(lin, access, false);
            }
            table = pdpte & 0x000FFFFFFFFFF000L;
            level = 2;
        }
        while (true) {
            final int shift = 12 + 9 * (level - 1);
            final long entryA = table + ((lin >>> shift) & 0x1FF) * 8;
            final long e = mem.readQword(entryA);
            if ((e & 1) == 0) {
                throw pageFault(lin, access, false);
            }
            if (!nxe && (e & (1L << 63)) != 0) {
                throw pageFault(lin, access, true); // reserved bit set
            }
            entries[levels] = e;
            entryAddr[levels++] = entryA;
            writable &= (e & 2) != 0;
            userOk &= (e & 4) != 0;
            noExec |= nxe && (e & (1L << 63)) != 0;
            if (level == 1 || ((e & 0x80) != 0 && (level == 2 || level == 3))) {
                pageSize = 1L << shift;
                pageBase = e & 0x000FFFFFFFFFF000L & ~(pageSize - 1);
                return finishWalk(lin, access, slot, entries, entryAddr, levels, 8, pageBase, pageSize, writable, userOk, noExec);
            }
            table = e & 0x000FFFFFFFFFF000L;
            level--;
        }
    }

    private final long[] walkEntries = new long[5];
    private final long[] walkAddrs = new long[5];

    private long finishWalk(final long lin, final int access, final int slot, final long[] entries, final long[] addrs,
                            final int levels, final int entrySize, final long pageBase, final long pageSize,
                            final boolean writable, final boolean userOk, final boolean noExec) {
        final boolean user = s.cpl == 3;
        final boolean write = access == ACCESS_WRITE;
        if (user && !userOk) {
            throw pageFault(lin, access, false, true);
        }
        if (write && !writable && (user || (s.cr0 & CpuState.CR0_WP) != 0)) {
            throw pageFault(lin, access, false, true);
        }
        if (access == ACCESS_FETCH && noExec) {
            throw pageFault(lin, access, false, true);
        }
        if (!user && userOk && access == ACCESS_FETCH && (s.cr4 & CpuState.CR4_SMEP) != 0) {
            throw pageFault(lin, access, false, true);
        }
        // SMAP (SDM Vol. 3A, 4.6.1): supervisor data accesses to user pages fault unless EFLAGS.AC is set.
        if (!user && userOk && access != ACCESS_FETCH && (s.cr4 & CpuState.CR4_SMAP) != 0 && (s.rflags & CpuState.AC) == 0) {
            throw pageFault(lin, access, false, true);
        }
        // Accessed bits on every level, dirty on the leaf for writes (SDM Vol. 3A, 4.8).
        for (int i = 0; i < levels; i++) {
            long e = entries[i];
            final boolean leaf = i == levels - 1;
            long ne = e | 0x20;
            if (leaf && write) {
                ne |= 0x40;
            }
            if (ne != e) {
                if (entrySize == 4) {
                    mem.writeDword(addrs[i], (int) ne);
                } else {
                    mem.writeQword(addrs[i], ne);
                }
            }
        }
        final long leafEntry = entries[levels - 1];
        final boolean dirty = write || (leafEntry & 0x40) != 0;
        final long phys = pageBase + (lin & (pageSize - 1) & ~0xFFFL);
        tlbTag[slot] = (lin >>> 12) + 1;
        tlbPhys[slot] = phys;
        tlbPerm[slot] = (writable ? 1 : 0) | (userOk ? 2 : 0) | (noExec ? 4 : 0) | (dirty ? 8 : 0)
                | ((leafEntry & 0x100) != 0 && (s.cr4 & CpuState.CR4_PGE) != 0 ? 16 : 0);
        return phys | (lin & 0xFFF);
    }

    private CpuException pageFault(final long lin, final int access, final boolean reserved) {
        return pageFault(lin, access, reserved, false);
    }

    private CpuException pageFault(final long lin, final int access, final boolean reserved, final boolean present) {
        s.cr2 = lin;
        int code = (present ? 1 : 0) | (access == ACCESS_WRITE ? 2 : 0) | (s.cpl == 3 ? 4 : 0) | (reserved ? 9 : 0)
                | (access == ACCESS_FETCH && ((s.efer & CpuState.EFER_NXE) != 0 || (s.cr4 & CpuState.CR4_SMEP) != 0) ? 16 : 0);
        return fault.set(VEC_PF, code, true);
    }

    // ---- memory access by linear address ---------------------------------------------------------------

    int read8(final long lin) {
        return mem.readByte(translate(lin, ACCESS_READ));
    }

    int read16(final long lin) {
        if ((lin & 0xFFF) <= 0xFFE) {
            return mem.readWord(translate(lin, ACCESS_READ));
        }
        return read8(lin) | read8(truncLinear(lin + 1)) << 8;
    }

    int read32(final long lin) {
        if ((lin & 0xFFF) <= 0xFFC) {
            return mem.readDword(translate(lin, ACCESS_READ));
        }
        return read16(lin) | read16(truncLinear(lin + 2)) << 16;
    }

    long read64(final long lin) {
        if ((lin & 0xFFF) <= 0xFF8) {
            return mem.readQword(translate(lin, ACCESS_READ));
        }
        return (read32(lin) & 0xFFFFFFFFL) | (long) read32(truncLinear(lin + 4)) << 32;
    }

    long read(final long lin, final int size) {
        return switch (size) {
            case 8 -> read8(lin);
            case 16 -> read16(lin);
            case 32 -> read32(lin) & 0xFFFFFFFFL;
            default -> read64(lin);
        };
    }

    void write8(final long lin, final int v) {
        mem.writeByte(translate(lin, ACCESS_WRITE), v);
    }

    void write16(final long lin, final int v) {
        if ((lin & 0xFFF) <= 0xFFE) {
            mem.writeWord(translate(lin, ACCESS_WRITE), v);
        } else {
            // Check both pages before writing either (no partial write on a #PF).
            translate(truncLinear(lin + 1), ACCESS_WRITE);
            write8(lin, v);
            write8(truncLinear(lin + 1), v >>> 8);
        }
    }

    void write32(final long lin, final int v) {
        if ((lin & 0xFFF) <= 0xFFC) {
            mem.writeDword(translate(lin, ACCESS_WRITE), v);
        } else {
            translate(truncLinear(lin + 3), ACCESS_WRITE);
            for (int i = 0; i < 4; i++) {
                write8(truncLinear(lin + i), v >>> (8 * i));
            }
        }
    }

    void write64(final long lin, final long v) {
        if ((lin & 0xFFF) <= 0xFF8) {
            mem.writeQword(translate(lin, ACCESS_WRITE), v);
        } else {
            translate(truncLinear(lin + 7), ACCESS_WRITE);
            for (int i = 0; i < 8; i++) {
                write8(truncLinear(lin + i), (int) (v >>> (8 * i)));
            }
        }
    }

    void write(final long lin, final int size, final long v) {
        switch (size) {
            case 8 -> write8(lin, (int) v);
            case 16 -> write16(lin, (int) v);
            case 32 -> write32(lin, (int) v);
            default -> write64(lin, v);
        }
    }

    // ---- registers and operands ----------------------------------------------------------------------------

    static long mask(final int size) {
        return size == 64 ? -1L : (1L << size) - 1;
    }

    /** Register {@code r} at {@code size} bits (8-bit: AH..BH for 4..7 without REX). */
    long getReg(final int r, final int size) {
        if (size == 8) {
            if (r >= 4 && r < 8 && d.rex == 0) {
                return (s.gpr[r - 4] >>> 8) & 0xFF;
            }
            return s.gpr[r] & 0xFF;
        }
        return s.gpr[r] & mask(size);
    }

    /** Writes register {@code r}: 8/16-bit writes merge, 32-bit writes zero the upper half, 64-bit replace. */
    void setReg(final int r, final int size, final long v) {
        switch (size) {
            case 8 -> {
                if (r >= 4 && r < 8 && d.rex == 0) {
                    s.gpr[r - 4] = (s.gpr[r - 4] & ~0xFF00L) | (v & 0xFF) << 8;
                } else {
                    s.gpr[r] = (s.gpr[r] & ~0xFFL) | (v & 0xFF);
                }
            }
            case 16 -> s.gpr[r] = (s.gpr[r] & ~0xFFFFL) | (v & 0xFFFF);
            case 32 -> s.gpr[r] = v & 0xFFFFFFFFL;
            default -> s.gpr[r] = v;
        }
    }

    /** The r/m operand (register or memory) at {@code size} bits. */
    long readRm(final int size) {
        return d.mod == 3 ? getReg(d.rm, size) : read(memLin, size);
    }

    void writeRm(final int size, final long v) {
        if (d.mod == 3) {
            setReg(d.rm, size, v);
        } else {
            write(memLin, size, v);
        }
    }

    // ---- stack -----------------------------------------------------------------------------------------

    void push(final int size, final long v) {
        final int ss = stackSize();
        final long sp = (s.gpr[Reg.RSP] - size / 8) & mask(ss);
        write(segLinear(CpuState.SS, sp, size / 8), size, v);
        setReg(Reg.RSP, ss, sp);
    }

    long pop(final int size) {
        final int ss = stackSize();
        final long sp = s.gpr[Reg.RSP] & mask(ss);
        final long v = read(segLinear(CpuState.SS, sp, size / 8), size);
        setReg(Reg.RSP, ss, sp + size / 8);
        return v;
    }

    // ---- segments ------------------------------------------------------------------------------------

    /** Loads a data/stack segment register (MOV/POP Sreg, LDS...) per the current mode. */
    void loadSegment(final int seg, final int selector) {
        if (!protectedMode() || (s.rflags & CpuState.VM) != 0) {
            s.sel[seg] = selector & 0xFFFF;
            s.segBase[seg] = (long) (selector & 0xFFFF) << 4;
            return;
        }
        if ((selector & 0xFFFC) == 0) {
            if (seg == CpuState.SS && (codeSize != 64 || s.cpl == 3)) {
                throw gp(0);
            }
            s.sel[seg] = selector & 0xFFFF;
            s.segBase[seg] = 0;
            s.segLimit[seg] = 0;
            s.segAttr[seg] = 0; // unusable
            return;
        }
        final long desc = readDescriptor(selector);
        final int attr = descAttr(desc);
        if ((attr & 0x10) == 0) {
            throw gp(selector & 0xFFFC); // system descriptor
        }
        if (seg == CpuState.SS) {
            if ((attr & 0x0A) != 0x02) {
                throw gp(selector & 0xFFFC); // must be writable data
            }
            if ((attr & 0x80) == 0) {
                throw fault.set(VEC_SS, selector & 0xFFFC, true);
            }
        } else {
            if ((attr & 0x0A) == 0x08) {
                throw gp(selector & 0xFFFC); // execute-only code
            }
            if ((attr & 0x80) == 0) {
                throw fault.set(VEC_NP, selector & 0xFFFC, true);
            }
        }
        setAccessed(selector, desc);
        s.sel[seg] = selector & 0xFFFF;
        s.segBase[seg] = descBase(desc);
        s.segLimit[seg] = descLimit(desc);
        s.segAttr[seg] = attr;
    }

    /** Loads CS for a far transfer to a code segment (same privilege or conforming), switching the code size. */
    void loadCodeSegment(final int selector, final long offset) {
        if (!protectedMode() || (s.rflags & CpuState.VM) != 0) {
            s.sel[CpuState.CS] = selector & 0xFFFF;
            s.segBase[CpuState.CS] = (long) (selector & 0xFFFF) << 4;
            s.rip = offset & 0xFFFF_FFFFL;
            return;
        }
        if ((selector & 0xFFFC) == 0) {
            throw gp(0);
        }
        final long desc = readDescriptor(selector);
        final int attr = descAttr(desc);
        if ((attr & 0x18) != 0x18) {
            throw gp(selector & 0xFFFC); // not a code segment (gates are not supported yet)
        }
        if ((attr & 0x80) == 0) {
            throw fault.set(VEC_NP, selector & 0xFFFC, true);
        }
        setAccessed(selector, desc);
        s.sel[CpuState.CS] = (selector & 0xFFFC) | s.cpl;
        s.segBase[CpuState.CS] = descBase(desc);
        s.segLimit[CpuState.CS] = descLimit(desc);
        s.segAttr[CpuState.CS] = attr;
        final boolean is64 = longMode() && (attr & CpuState.ATTR_L) != 0;
        s.rip = is64 ? offset : ((attr & CpuState.ATTR_DB) != 0 ? offset & 0xFFFFFFFFL : offset & 0xFFFF);
    }

    long readDescriptor(final int selector) {
        final boolean ldt = (selector & 4) != 0;
        final long base = ldt ? s.segBase[CpuState.LDTR] : s.gdtrBase;
        final long limit = ldt ? s.segLimit[CpuState.LDTR] : s.gdtrLimit;
        final int index = selector & 0xFFF8;
        if (index + 7 > limit) {
            throw gp(selector & 0xFFFC);
        }
        return read64(truncDesc(base + index));
    }

    /** The upper 8 bytes of a 16-byte system descriptor (IA-32e call gates, TSS and LDT descriptors). */
    long readDescriptorHigh(final int selector) {
        final boolean ldt = (selector & 4) != 0;
        final long base = ldt ? s.segBase[CpuState.LDTR] : s.gdtrBase;
        final long limit = ldt ? s.segLimit[CpuState.LDTR] : s.gdtrLimit;
        final int index = selector & 0xFFF8;
        if (index + 15 > limit) {
            throw gp(selector & 0xFFFC);
        }
        return read64(truncDesc(base + index + 8));
    }

    void setAccessedPublic(final int selector, final long desc) {
        setAccessed(selector, desc);
    }

    private long truncDesc(final long a) {
        return longMode() ? a : a & 0xFFFFFFFFL;
    }

    private void setAccessed(final int selector, final long desc) {
        if ((desc & (1L << 40)) == 0) {
            final boolean ldt = (selector & 4) != 0;
            final long base = ldt ? s.segBase[CpuState.LDTR] : s.gdtrBase;
            final long a = truncDesc(base + (selector & 0xFFF8) + 5);
            write8(a, (int) ((desc >>> 40) & 0xFF) | 1);
        }
    }

    static long descBase(final long desc) {
        return ((desc >>> 16) & 0xFFFFFF) | ((desc >>> 32) & 0xFF000000L);
    }

    static long descLimit(final long desc) {
        long limit = (desc & 0xFFFF) | ((desc >>> 32) & 0xF0000);
        if ((desc & (1L << 55)) != 0) {
            limit = (limit << 12) | 0xFFF;
        }
        return limit;
    }

    static int descAttr(final long desc) {
        return (int) ((desc >>> 40) & 0xFF) | (int) ((desc >>> 40) & 0xF000);
    }

    // ---- exceptions and interrupts ---------------------------------------------------------------------

    CpuException gp(final int code) {
        return fault.set(VEC_GP, code, true);
    }

    /** A fault without an error code (#NM, #DE, ...). */
    CpuException fault(final int vector) {
        return fault.set(vector, 0, false);
    }

    CpuException ud() {
        return fault.set(VEC_UD, 0, false);
    }

    private static boolean contributory(final int v) {
        return v == VEC_DE || v == VEC_TS || v == VEC_NP || v == VEC_SS || v == VEC_GP;
    }

    /**
     * Delivers an exception or interrupt, escalating per SDM Vol. 3A Table 6-5: a contributory fault or #PF while
     * delivering a contributory fault (or #PF after #PF) becomes #DF; any fault while delivering #DF shuts the CPU
     * down (triple fault).
     *
     * @param source {@link #SOURCE_FAULT} (an exception), {@link #SOURCE_SOFTWARE} (INT n/INT3/INTO: the gate's
     *               DPL must allow the CPL, and error codes of faults during delivery have EXT = 0) or
     *               {@link #SOURCE_EXTERNAL} (INTR: no DPL check)
     */
    void deliver(int vector, int code, boolean hasCode, final int source, final long returnRip) {
        if (lfOp != LF_NONE) {
            materializeFlags();
        }
        lastVector = vector;
        lastErrorCode = code;
        if (source == SOURCE_FAULT) {
            raised(vector, code);
        }
        lastFaultRip = insnLinear;
        long ret = returnRip;
        boolean software = source == SOURCE_SOFTWARE;
        while (true) {
            try {
                deliverOnce(vector, code, hasCode, software, ret);
                return;
            } catch (final CpuException second) {
                if (vector == VEC_DF) {
                    tripleFault = true;
                    lastVector = second.vector;
                    lastErrorCode = second.errorCode;
                    raised(second.vector, second.errorCode);
                    return;
                }
                final int v2 = second.vector;
                if ((contributory(vector) && contributory(v2)) || (vector == VEC_PF && (contributory(v2) || v2 == VEC_PF))) {
                    vector = VEC_DF;
                    code = 0;
                    hasCode = true;
                } else {
                    vector = v2;
                    code = second.errorCode;
                    hasCode = second.hasErrorCode;
                }
                lastVector = vector;
                lastErrorCode = code;
                raised(vector, code);
                software = false;
                ret = insnRip;
            }
        }
    }

    private void raised(final int vector, final int code) {
        exceptionsRaised++;
        raisedVector = vector;
        raisedErrorCode = code;
    }

    /** Exceptions the CPU has raised (faults, traps and their escalations; not INT n/INT3/INTO or interrupts). */
    public long exceptionsRaised() {
        return exceptionsRaised;
    }

    /** Vector of the last exception the CPU raised, -1 if none. */
    public int raisedVector() {
        return raisedVector;
    }

    /** Error code of the last exception the CPU raised (0 for vectors without one). */
    public int raisedErrorCode() {
        return raisedErrorCode;
    }

    /** Software interrupt (INT n, INT3, INTO): return address is the next instruction. */
    void softwareInterrupt(final int vector) {
        deliver(vector, 0, false, SOURCE_SOFTWARE, s.rip);
    }

    static final int SOURCE_FAULT = 0;
    static final int SOURCE_SOFTWARE = 1;
    static final int SOURCE_EXTERNAL = 2;

    private void deliverOnce(final int vector, final int code, final boolean hasCode, final boolean software, final long ret) {
        s.halted = false;
        if (!protectedMode()) {
            // Real mode: IVT entry = offset:segment at IDTR.base + 4 * vector.
            if (vector * 4 + 3 > s.idtrLimit) {
                throw gp(vector * 8 + 2);
            }
            final long entry = s.idtrBase + vector * 4L;
            final int off = mem.readWord(entry & 0xFFFFFFFFL);
            final int seg = mem.readWord((entry + 2) & 0xFFFFFFFFL);
            final int savedCodeSize = codeSize;
            codeSize = 16;
            push(16, s.rflags & 0xFFFF);
            push(16, s.sel[CpuState.CS]);
            push(16, ret & 0xFFFF);
            codeSize = savedCodeSize;
            s.rflags &= ~(CpuState.IF | CpuState.TF | CpuState.AC | CpuState.RF);
            s.sel[CpuState.CS] = seg;
            s.segBase[CpuState.CS] = (long) seg << 4;
            s.rip = off;
            return;
        }
        final boolean lm = longMode();
        final int gateSize = lm ? 16 : 8;
        final int extBit = software ? 0 : 1; // EXT: set unless the event is INT n (SDM Vol. 3A, 7.13)
        if (vector * gateSize + gateSize - 1 > s.idtrLimit) {
            throw gp(vector * 8 + 2 + extBit);
        }
        final long gateAddr = s.idtrBase + (long) vector * gateSize;
        final long lo = read64(lm ? gateAddr : gateAddr & 0xFFFFFFFFL);
        final int type = (int) ((lo >>> 40) & 0x1F);
        final int dpl = (int) ((lo >>> 45) & 3);
        final boolean present = (lo & (1L << 47)) != 0;
        final boolean trapGate = (type & 1) != 0;
        final boolean validType = lm ? (type == 0xE || type == 0xF) : (type == 0xE || type == 0xF || type == 0x6 || type == 0x7 || type == 0x5);
        if (!validType) {
            throw gp(vector * 8 + 2 + extBit);
        }
        if (software && dpl < s.cpl) {
            throw gp(vector * 8 + 2);
        }
        if (!present) {
            throw fault.set(VEC_NP, vector * 8 + 2 + extBit, true);
        }
        if (type == 0x5) {
            TaskExec.viaGate(this, lo, TaskExec.INT, ret, hasCode, code, vector * 8 + 2 + extBit);
            return;
        }
        final int selector = (int) ((lo >>> 16) & 0xFFFF);
        long offset = (lo & 0xFFFF) | ((lo >>> 32) & 0xFFFF0000L);
        if (lm) {
            offset |= read64(gateAddr + 8) << 32;
        }
        if ((selector & 0xFFFC) == 0) {
            throw gp(extBit);
        }
        final long desc = readDescriptor(selector);
        final int attr = descAttr(desc);
        if ((attr & 0x18) != 0x18) {
            throw gp((selector & 0xFFFC) + extBit);
        }
        if ((attr & 0x80) == 0) {
            throw fault.set(VEC_NP, (selector & 0xFFFC) + extBit, true);
        }
        final int targetDpl = (attr >> 5) & 3;
        final boolean conforming = (attr & 4) != 0;
        final int newCpl = conforming ? s.cpl : targetDpl;
        final long oldFlags = s.rflags;
        final int oldCs = s.sel[CpuState.CS];
        final int oldSs = s.sel[CpuState.SS];
        final long oldRsp = s.gpr[Reg.RSP];
        if (lm) {
            final int ist = (int) ((lo >>> 32) & 7);
            long rsp = s.gpr[Reg.RSP];
            if (newCpl < s.cpl || ist != 0) {
                rsp = ist != 0 ? read64(s.segBase[CpuState.TR] + 0x24 + 8L * (ist - 1)) : read64(s.segBase[CpuState.TR] + 4 + 8L * newCpl);
            }
            rsp &= ~0xFL;
            final int savedCodeSize = codeSize;
            codeSize = 64;
            // 64-bit frame (SDM Vol. 3A, 7.14.2): SS, RSP, RFLAGS, CS, RIP[, error code], written without allocating.
            write64(rsp - 8, oldSs);
            write64(rsp - 16, oldRsp);
            write64(rsp - 24, oldFlags);
            write64(rsp - 32, oldCs);
            write64(rsp - 40, ret);
            rsp -= 40;
            if (hasCode) {
                rsp -= 8;
                write64(rsp, code & 0xFFFFFFFFL);
            }
            codeSize = savedCodeSize;
            if (newCpl < s.cpl) {
                s.sel[CpuState.SS] = newCpl;
                s.segBase[CpuState.SS] = 0;
                s.segLimit[CpuState.SS] = 0;
                s.segAttr[CpuState.SS] = 0;
            }
            s.gpr[Reg.RSP] = rsp;
            s.cpl = newCpl;
        } else {
            final int size = (type & 8) != 0 ? 32 : 16;
            if (newCpl < s.cpl) {
                final boolean fromV86 = (oldFlags & CpuState.VM) != 0;
                if (fromV86 && (targetDpl != 0 || size != 32)) {
                    throw gp((selector & 0xFFFC) + extBit); // a handler for virtual-8086 mode runs at CPL 0 (32-bit gate)
                }
                // Inner privilege: SS:ESP from the TSS, the old ones saved on the new stack (SDM Vol. 3A, 6.12.1);
                // from virtual-8086 mode GS, FS, DS and ES come first and are then nulled (SDM Vol. 3A, 21.3.1.1).
                final long oldSsBase = s.segBase[CpuState.SS];
                final long oldSsLimit = s.segLimit[CpuState.SS];
                final int oldSsAttr = s.segAttr[CpuState.SS];
                final int oldCpl = s.cpl;
                try {
                    GateExec.enterInnerStack(this, newCpl);
                    s.cpl = newCpl; // the new stack is written with the new privilege
                    if (fromV86) {
                        s.rflags &= ~CpuState.VM; // the frame is built with 32-bit protected-mode addressing
                        push(32, s.sel[CpuState.GS]);
                        push(32, s.sel[CpuState.FS]);
                        push(32, s.sel[CpuState.DS]);
                        push(32, s.sel[CpuState.ES]);
                    }
                    push(size, oldSs);
                    push(size, oldRsp);
                    push(size, oldFlags);
                    push(size, oldCs);
                    push(size, ret);
                    if (hasCode) {
                        push(size, code);
                    }
                    if (fromV86) {
                        for (final int seg : V86_DATA_SEGMENTS) {
                            s.sel[seg] = 0;
                            s.segBase[seg] = 0;
                            s.segLimit[seg] = 0;
                            s.segAttr[seg] = 0;
                        }
                    }
                } catch (final CpuException e) {
                    s.sel[CpuState.SS] = oldSs;
                    s.segBase[CpuState.SS] = oldSsBase;
                    s.segLimit[CpuState.SS] = oldSsLimit;
                    s.segAttr[CpuState.SS] = oldSsAttr;
                    s.gpr[Reg.RSP] = oldRsp;
                    s.cpl = oldCpl;
                    s.rflags = oldFlags;
                    throw e;
                }
            } else {
                push(size, oldFlags);
                push(size, oldCs);
                push(size, ret);
                if (hasCode) {
                    push(size, code);
                }
            }
        }
        setAccessed(selector, desc);
        s.sel[CpuState.CS] = (selector & 0xFFFC) | newCpl;
        s.segBase[CpuState.CS] = descBase(desc);
        s.segLimit[CpuState.CS] = descLimit(desc);
        s.segAttr[CpuState.CS] = attr;
        s.rip = lm && (attr & CpuState.ATTR_L) != 0 ? offset : offset & 0xFFFFFFFFL;
        s.rflags &= ~(CpuState.TF | CpuState.NT | CpuState.RF | CpuState.VM);
        if (!trapGate) {
            s.rflags &= ~CpuState.IF;
        }
    }

    // ---- reports -------------------------------------------------------------------------------------

    /** Register dump for crash reports. */
    public String describe() {
        flags();
        final StringBuilder b = new StringBuilder();
        final String[] names = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
        for (int i = 0; i < 16; i++) {
            b.append(String.format(Locale.ROOT, "%-3s=%016x%s", names[i], s.gpr[i], i % 4 == 3 ? "\n" : "  "));
        }
        b.append(String.format(Locale.ROOT, "rip=%016x  rflags=%08x  cpl=%d  mode=%s%n", s.rip, s.rflags, s.cpl, modeName()));
        final String[] segs = {"es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr"};
        for (int i = 0; i < 8; i++) {
            b.append(String.format(Locale.ROOT, "%-4s=%04x base=%016x limit=%08x attr=%04x%n", segs[i], s.sel[i], s.segBase[i],
                    s.segLimit[i], s.segAttr[i]));
        }
        b.append(String.format(Locale.ROOT, "gdtr=%016x/%04x idtr=%016x/%04x%n", s.gdtrBase, s.gdtrLimit, s.idtrBase, s.idtrLimit));
        b.append(String.format(Locale.ROOT, "cr0=%08x cr2=%016x cr3=%016x cr4=%08x efer=%x%n", s.cr0, s.cr2, s.cr3, s.cr4, s.efer));
        if (lastVector >= 0) {
            b.append(String.format(Locale.ROOT, "last exception: vector %d (%s) error code 0x%x at linear 0x%x%n", lastVector,
                    vectorName(lastVector), lastErrorCode, lastFaultRip));
        }
        return b.toString();
    }

    String modeName() {
        if (!protectedMode()) {
            return "real";
        }
        if ((s.rflags & CpuState.VM) != 0) {
            return "v86";
        }
        return switch (codeSize()) {
            case 64 -> "long64";
            case 32 -> longMode() ? "compat32" : "prot32";
            default -> longMode() ? "compat16" : "prot16";
        };
    }

    public static String vectorName(final int v) {
        final String[] n = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "", "#TS", "#NP", "#SS", "#GP", "#PF", "",
            "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
        return v >= 0 && v < n.length && !n[v].isEmpty() ? n[v] : "int " + v;
    }

    /** Prefix helpers for families. */
    boolean rep() {
        return (d.prefixes & (Prefix.REP | Prefix.REPNE)) != 0;
    }
}
