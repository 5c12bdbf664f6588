package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Reg;

/**
 * System instructions: control/debug registers, MSRs, CPUID, descriptor tables, I/O, HLT, flag control.
 *
 * <p>CPUID describes exactly what the interpreter implements: vendor "GenuineIntel", family 6 model 0x0F stepping
 * 0xB, brand "dejavm virtual CPU"; leaf 1 EDX = FPU, PSE, TSC, MSR, PAE, CX8, APIC (on boards with one), SEP, MTRR,
 * PGE, CMOV, PAT, MMX, FXSR, SSE, SSE2, ECX = SSE3, SSSE3, CX16, SSE4.1, SSE4.2, POPCNT, XSAVE, OSXSAVE (CR4), RDRAND; leaf 7 EBX = SMEP, RDSEED, SMAP; leaf 0xD: XCR0 components x87 and SSE,
 * XSAVEOPT; leaves 2-6 and 8-0xC are zero; leaf 0x80000001 EDX = SYSCALL, NX, LM. Leaves
 * above the maximum return zeros.
 */
final class SystemExec {
    static final int MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B, MSR_MTRRCAP = 0xFE, MSR_SYSENTER_CS = 0x174,
            MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176, MSR_MISC_ENABLE = 0x1A0, MSR_PAT = 0x277,
            MSR_MTRR_DEF_TYPE = 0x2FF, MSR_EFER = 0xC0000080, MSR_STAR = 0xC0000081, MSR_LSTAR = 0xC0000082,
            MSR_CSTAR = 0xC0000083, MSR_SFMASK = 0xC0000084, MSR_FS_BASE = 0xC0000100, MSR_GS_BASE = 0xC0000101,
            MSR_KERNEL_GS_BASE = 0xC0000102, MSR_TSC_AUX = 0xC0000103, MSR_PLATFORM_ID = 0x17, MSR_BIOS_SIGN_ID = 0x8B;
    /** Fixed-range MTRR MSR numbers in the order of {@link CpuState#mtrrFixed}. */
    static final int[] MTRR_FIXED = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26A, 0x26B, 0x26C, 0x26D, 0x26E, 0x26F};

    private SystemExec() {
    }

    static void requireCpl0(final Interpreter c) {
        if (c.protectedMode() && c.s.cpl != 0) {
            throw c.gp(0);
        }
    }

    static void movFromCr(final Interpreter c, final DecodedInsn d) {
        requireCpl0(c);
        final CpuState s = c.s;
        final long v = switch (d.reg) {
            case 0 -> s.cr0;
            case 2 -> s.cr2;
            case 3 -> s.cr3;
            case 4 -> s.cr4;
            case 8 -> s.cr8;
            default -> throw c.ud();
        };
        c.setReg(d.rm, c.codeSize == 64 ? 64 : 32, v);
    }

    static void movToCr(final Interpreter c, final DecodedInsn d) {
        requireCpl0(c);
        final CpuState s = c.s;
        final long v = c.getReg(d.rm, c.codeSize == 64 ? 64 : 32);
        switch (d.reg) {
            case 0 -> writeCr0(c, v);
            case 2 -> s.cr2 = v;
            case 3 -> {
                s.cr3 = v;
                c.flushTlb(false);
            }
            case 4 -> {
                if ((v & ~0x3F77FFL) != 0 || (c.longMode() && (v & CpuState.CR4_PAE) == 0)) {
                    throw c.gp(0);
                }
                s.cr4 = v;
                c.flushTlb(true);
            }
            case 8 -> s.cr8 = v & 0xF;
            default -> throw c.ud();
        }
    }

    /** CR0 write with the long-mode activation rule: PG set with EFER.LME and CR4.PAE sets EFER.LMA (SDM 10.8.5). */
    static void writeCr0(final Interpreter c, long v) {
        final CpuState s = c.s;
        v |= CpuState.CR0_ET;
        if ((v & CpuState.CR0_PG) != 0 && (v & CpuState.CR0_PE) == 0) {
            throw c.gp(0);
        }
        if ((v & CpuState.CR0_NW) != 0 && (v & CpuState.CR0_CD) == 0) {
            throw c.gp(0);
        }
        final boolean pgOn = (v & CpuState.CR0_PG) != 0 && (s.cr0 & CpuState.CR0_PG) == 0;
        final boolean pgOff = (v & CpuState.CR0_PG) == 0 && (s.cr0 & CpuState.CR0_PG) != 0;
        if (pgOn && (s.efer & CpuState.EFER_LME) != 0) {
            if ((s.cr4 & CpuState.CR4_PAE) == 0) {
                throw c.gp(0);
            }
            s.efer |= CpuState.EFER_LMA;
        }
        if (pgOff && c.longMode()) {
            if (c.codeSize == 64) {
                throw c.gp(0);
            }
            s.efer &= ~CpuState.EFER_LMA;
        }
        s.cr0 = v & 0xFFFFFFFFL;
        if (!c.protectedMode()) {
            s.cpl = 0;
        }
        c.flushTlb(true);
    }

    static void movDr(final Interpreter c, final DecodedInsn d) {
        requireCpl0(c);
        final int n = d.reg & 7;
        final int size = c.codeSize == 64 ? 64 : 32;
        if (d.opcode == 0x21) {
            c.setReg(d.rm, size, c.s.dr[n == 4 ? 6 : n == 5 ? 7 : n]);
        } else {
            c.s.dr[n == 4 ? 6 : n == 5 ? 7 : n] = c.getReg(d.rm, size);
        }
    }

    static void rdmsr(final Interpreter c) {
        requireCpl0(c);
        final CpuState s = c.s;
        final int index = (int) s.gpr[Reg.RCX];
        final long v;
        switch (index) {
            case MSR_TSC -> v = tsc(c);
            case MSR_APIC_BASE -> v = s.apicBase;
            case MSR_MTRRCAP -> v = 0x508; // 8 variable ranges, fixed ranges, write-combining
            case MSR_SYSENTER_CS -> v = s.sysenterCs;
            case MSR_SYSENTER_ESP -> v = s.sysenterEsp;
            case MSR_SYSENTER_EIP -> v = s.sysenterEip;
            case MSR_MISC_ENABLE -> v = s.miscEnable;
            case MSR_PLATFORM_ID -> v = 0; // platform ID 0 (bits 52:50): what microcode-loading firmware reads
            case MSR_BIOS_SIGN_ID -> v = 0; // microcode update revision 0: none loaded
            case MSR_PAT -> v = s.pat;
            case MSR_MTRR_DEF_TYPE -> v = s.mtrrDefType;
            case MSR_EFER -> v = s.efer;
            case MSR_STAR -> v = s.star;
            case MSR_LSTAR -> v = s.lstar;
            case MSR_CSTAR -> v = s.cstar;
            case MSR_SFMASK -> v = s.sfmask;
            case MSR_FS_BASE -> v = s.segBase[CpuState.FS];
            case MSR_GS_BASE -> v = s.segBase[CpuState.GS];
            case MSR_KERNEL_GS_BASE -> v = s.kernelGsBase;
            case MSR_TSC_AUX -> v = s.tscAux;
            default -> {
                if (index >= 0x200 && index < 0x210) {
                    v = s.mtrrVar[index - 0x200];
                } else {
                    final int f = fixedMtrr(index);
                    if (f < 0) {
                        throw c.gp(0);
                    }
                    v = s.mtrrFixed[f];
                }
            }
        }
        s.gpr[Reg.RAX] = v & 0xFFFFFFFFL;
        s.gpr[Reg.RDX] = v >>> 32;
    }

    static void wrmsr(final Interpreter c) {
        requireCpl0(c);
        final CpuState s = c.s;
        final int index = (int) s.gpr[Reg.RCX];
        final long v = (s.gpr[Reg.RAX] & 0xFFFFFFFFL) | (s.gpr[Reg.RDX] << 32);
        switch (index) {
            case MSR_TSC -> s.tscOffset = v - c.timeline.now();
            case MSR_APIC_BASE -> s.apicBase = v & 0xFFFFFF900L | (s.apicBase & 0x100);
            case MSR_SYSENTER_CS -> s.sysenterCs = v;
            case MSR_SYSENTER_ESP -> s.sysenterEsp = v;
            case MSR_SYSENTER_EIP -> s.sysenterEip = v;
            case MSR_MISC_ENABLE -> s.miscEnable = v;
            case MSR_BIOS_SIGN_ID -> {
                // writing 0 before CPUID is how software asks for the revision; no microcode to update
            }
            case MSR_PAT -> s.pat = v;
            case MSR_MTRR_DEF_TYPE -> s.mtrrDefType = v;
            case MSR_EFER -> {
                if ((v & ~(CpuState.EFER_SCE | CpuState.EFER_LME | CpuState.EFER_LMA | CpuState.EFER_NXE)) != 0) {
                    throw c.gp(0);
                }
                if (((v ^ s.efer) & CpuState.EFER_LME) != 0 && (s.cr0 & CpuState.CR0_PG) != 0) {
                    throw c.gp(0); // LME cannot change while paging is on
                }
                s.efer = (v & ~CpuState.EFER_LMA) | (s.efer & CpuState.EFER_LMA);
                c.flushTlb(true);
            }
            case MSR_STAR -> s.star = v;
            case MSR_LSTAR -> s.lstar = v;
            case MSR_CSTAR -> s.cstar = v;
            case MSR_SFMASK -> s.sfmask = v;
            case MSR_FS_BASE -> s.segBase[CpuState.FS] = v;
            case MSR_GS_BASE -> s.segBase[CpuState.GS] = v;
            case MSR_KERNEL_GS_BASE -> s.kernelGsBase = v;
            case MSR_TSC_AUX -> s.tscAux = v & 0xFFFFFFFFL;
            default -> {
                if (index >= 0x200 && index < 0x210) {
                    s.mtrrVar[index - 0x200] = v;
                } else {
                    final int f = fixedMtrr(index);
                    if (f < 0) {
                        throw c.gp(0);
                    }
                    s.mtrrFixed[f] = v;
                }
            }
        }
    }

    private static int fixedMtrr(final int index) {
        for (int i = 0; i < MTRR_FIXED.length; i++) {
            if (MTRR_FIXED[i] == index) {
                return i;
            }
        }
        return -1;
    }

    /** Time-stamp counter: virtual nanoseconds (a 1 GHz TSC) plus the offset written through MSR 0x10. */
    static long tsc(final Interpreter c) {
        return c.timeline.now() + c.s.tscOffset;
    }

    static void rdtsc(final Interpreter c, final boolean withAux) {
        if ((c.s.cr4 & 4) != 0 && c.s.cpl != 0) { // CR4.TSD
            throw c.gp(0);
        }
        final long t = tsc(c);
        c.s.gpr[Reg.RAX] = t & 0xFFFFFFFFL;
        c.s.gpr[Reg.RDX] = t >>> 32;
        if (withAux) {
            c.s.gpr[Reg.RCX] = c.s.tscAux;
        }
    }

    // ---- fast system calls (SDM Vol. 2: SYSCALL, SYSRET, SYSENTER, SYSEXIT) ---------------------------------

    /** Flat 4 GiB segment cache: base 0, limit 0xFFFFFFFF, page granular. */
    private static void flat(final CpuState s, final int seg, final int selector, final int attr) {
        s.sel[seg] = selector & 0xFFFF;
        s.segBase[seg] = 0;
        s.segLimit[seg] = 0xFFFFFFFFL;
        s.segAttr[seg] = attr | CpuState.ATTR_G;
    }

    private static final int CODE = 0x9B; // present, S, execute/read, accessed
    private static final int DATA = 0x93; // present, S, read/write, accessed

    /** SYSCALL: 64-bit mode with EFER.SCE only (Intel raises #UD in compatibility and legacy mode). */
    static void syscall(final Interpreter c) {
        final CpuState s = c.s;
        if (c.codeSize != 64 || (s.efer & CpuState.EFER_SCE) == 0) {
            throw c.ud();
        }
        final int sel = (int) (s.star >>> 32) & 0xFFFF;
        s.gpr[Reg.RCX] = s.rip;
        s.gpr[Reg.R11] = c.rflags() & ~CpuState.RF;
        s.rflags = (c.rflags() & ~s.sfmask & ~CpuState.RF) | 2;
        flat(s, CpuState.CS, sel & 0xFFFC, CODE | CpuState.ATTR_L);
        flat(s, CpuState.SS, (sel + 8) & 0xFFFC, DATA | CpuState.ATTR_DB);
        s.cpl = 0;
        s.rip = s.lstar;
        c.flushTlb(false);
    }

    /** SYSRET: back to CPL 3, 64-bit (REX.W) or compatibility mode. */
    static void sysret(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        if (c.codeSize != 64 || (s.efer & CpuState.EFER_SCE) == 0) {
            throw c.ud();
        }
        if (s.cpl != 0) {
            throw c.gp(0);
        }
        final int sel = (int) (s.star >>> 48) & 0xFFFF;
        final boolean to64 = (d.rex & 8) != 0;
        final long rip = to64 ? s.gpr[Reg.RCX] : s.gpr[Reg.RCX] & 0xFFFFFFFFL;
        if (to64 && ((rip << 16) >> 16) != rip) {
            throw c.gp(0); // Intel: #GP(0) in CPL 0 for a non-canonical RCX
        }
        s.rflags = (s.gpr[Reg.R11] & 0x3C7FD7L) | 2;
        if (to64) {
            flat(s, CpuState.CS, (sel + 16) | 3, CODE | 0x60 | CpuState.ATTR_L);
        } else {
            flat(s, CpuState.CS, sel | 3, CODE | 0x60 | CpuState.ATTR_DB);
        }
        // SS.sel = STAR[63:48] + 8 with RPL 3; the cached descriptor is flat, DPL 3.
        flat(s, CpuState.SS, (sel + 8) | 3, DATA | 0x60 | CpuState.ATTR_DB);
        s.cpl = 3;
        s.rip = rip;
        c.flushTlb(false);
    }

    /** SYSENTER: to CPL 0 at IA32_SYSENTER_EIP/ESP; 64-bit code segment when IA-32e mode is active. */
    static void sysenter(final Interpreter c) {
        final CpuState s = c.s;
        final int cs = (int) s.sysenterCs & 0xFFFF;
        if (!c.protectedMode() || (cs & 0xFFFC) == 0) {
            throw c.gp(0);
        }
        s.rflags = (c.rflags() & ~(CpuState.VM | CpuState.IF | CpuState.RF)) | 2;
        final boolean ia32e = c.longMode();
        flat(s, CpuState.CS, cs & 0xFFFC, CODE | (ia32e ? CpuState.ATTR_L : CpuState.ATTR_DB));
        flat(s, CpuState.SS, (cs + 8) & 0xFFFC, DATA | CpuState.ATTR_DB);
        s.cpl = 0;
        s.gpr[Reg.RSP] = ia32e ? s.sysenterEsp : s.sysenterEsp & 0xFFFFFFFFL;
        s.rip = ia32e ? s.sysenterEip : s.sysenterEip & 0xFFFFFFFFL;
        c.flushTlb(false);
    }

    /** SYSEXIT: to CPL 3 at RDX with stack RCX; REX.W returns to 64-bit mode. */
    static void sysexit(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int cs = (int) s.sysenterCs & 0xFFFF;
        if (!c.protectedMode() || (cs & 0xFFFC) == 0 || s.cpl != 0) {
            throw c.gp(0);
        }
        final boolean to64 = c.codeSize == 64 && (d.rex & 8) != 0;
        if (to64) {
            final long rip = s.gpr[Reg.RDX];
            final long rsp = s.gpr[Reg.RCX];
            if (((rip << 16) >> 16) != rip || ((rsp << 16) >> 16) != rsp) {
                throw c.gp(0);
            }
            flat(s, CpuState.CS, (cs + 32) | 3, CODE | 0x60 | CpuState.ATTR_L);
            flat(s, CpuState.SS, (cs + 40) | 3, DATA | 0x60 | CpuState.ATTR_DB);
            s.rip = rip;
            s.gpr[Reg.RSP] = rsp;
        } else {
            flat(s, CpuState.CS, (cs + 16) | 3, CODE | 0x60 | CpuState.ATTR_DB);
            flat(s, CpuState.SS, (cs + 24) | 3, DATA | 0x60 | CpuState.ATTR_DB);
            s.rip = s.gpr[Reg.RDX] & 0xFFFFFFFFL;
            s.gpr[Reg.RSP] = s.gpr[Reg.RCX] & 0xFFFFFFFFL;
        }
        s.cpl = 3;
        c.flushTlb(false);
    }

    static void cpuid(final Interpreter c) {
        final CpuState s = c.s;
        final int leaf = (int) s.gpr[Reg.RAX];
        int a = 0;
        int b = 0;
        int cx = 0;
        int dx = 0;
        switch (leaf) {
            case 0 -> {
                a = 0xD;
                b = 0x756E6547; // "Genu"
                dx = 0x49656E69; // "ineI"
                cx = 0x6C65746E; // "ntel"
            }
            case 1 -> {
                a = Interpreter.SIGNATURE;
                b = 0; // brand index 0, CLFLUSH size 0, one logical processor, initial APIC ID 0
                // SSE3, SSSE3, CX16, SSE4.1, SSE4.2, POPCNT, XSAVE, OSXSAVE (CR4), RDRAND
                cx = 1 | (1 << 9) | (1 << 13) | (1 << 19) | (1 << 20) | (1 << 23) | (1 << 26) | ((s.cr4 & CpuState.CR4_OSXSAVE) != 0 ? 1 << 27 : 0) | (1 << 30);
                dx = 1 | (1 << 8) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 15) | (1 << 16)
                        | (c.apicPresent() ? 1 << 9 : 0);
            }
            case 7 -> {
                if (s.gpr[Reg.RCX] == 0 || (int) s.gpr[Reg.RCX] == 0) {
                    b = (1 << 7) | (1 << 18) | (1 << 20); // SMEP, RDSEED, SMAP
                }
            }
            case 0xD -> {
                final int sub = (int) s.gpr[Reg.RCX];
                if (sub == 0) {
                    a = (int) FpuExec.XCR0_SUPPORTED;
                    b = 576; // legacy region + header for the components enabled in XCR0 (x87 and SSE only)
                    cx = 576;
                } else if (sub == 1) {
                    a = 1; // XSAVEOPT
                }
            }
            case 0x80000000 -> a = 0x80000008;
            case 0x80000001 -> dx = (1 << 11) | (1 << 20) | (1 << 29);
            case 0x80000002, 0x80000003, 0x80000004 -> {
                final byte[] brand = "dejavm virtual CPU".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final int[] regs = new int[4];
                final int base = (leaf - 0x80000002) * 16;
                for (int i = 0; i < 16; i++) {
                    final int k = base + i;
                    final int ch = k < brand.length ? brand[k] : 0;
                    regs[i / 4] |= (ch & 0xFF) << (8 * (i % 4));
                }
                a = regs[0];
                b = regs[1];
                cx = regs[2];
                dx = regs[3];
            }
            case 0x80000008 -> a = 0x3024; // 48 linear, 36 physical address bits
            default -> {
            }
        }
        s.gpr[Reg.RAX] = a & 0xFFFFFFFFL;
        s.gpr[Reg.RBX] = b & 0xFFFFFFFFL;
        s.gpr[Reg.RCX] = cx & 0xFFFFFFFFL;
        s.gpr[Reg.RDX] = dx & 0xFFFFFFFFL;
    }

    /** 0F 01 group: SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG, and the register forms RDTSCP/SWAPGS. */
    static void group7(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int r = d.reg & 7;
        if (d.mod == 3) {
            if (d.modrm == 0xCA || d.modrm == 0xCB) { // CLAC, STAC
                if (c.s.cpl != 0 || (c.s.rflags & CpuState.VM) != 0) {
                    throw c.ud();
                }
                s.rflags = d.modrm == 0xCB ? s.rflags | CpuState.AC : s.rflags & ~CpuState.AC;
            } else if (d.modrm == 0xD0) {
                FpuExec.xgetbv(c);
            } else if (d.modrm == 0xD1) {
                FpuExec.xsetbv(c);
            } else if (d.modrm == 0xF9) {
                rdtsc(c, true);
            } else if (d.modrm == 0xF8 && c.codeSize == 64) {
                requireCpl0(c);
                final long t = s.segBase[CpuState.GS];
                s.segBase[CpuState.GS] = s.kernelGsBase;
                s.kernelGsBase = t;
            } else if (r == 4) {
                c.setReg(d.rm, d.opSize, s.cr0 & Interpreter.mask(d.opSize));
            } else if (r == 6) {
                requireCpl0(c);
                lmsw(c, c.getReg(d.rm, 16));
            } else {
                throw c.ud();
            }
            return;
        }
        final boolean is64 = c.codeSize == 64;
        switch (r) {
            case 0, 1 -> {
                c.write16(c.memLin, r == 0 ? s.gdtrLimit : s.idtrLimit);
                final long base = r == 0 ? s.gdtrBase : s.idtrBase;
                if (is64) {
                    c.write64(c.truncLinear(c.memLin + 2), base);
                } else {
                    c.write32(c.truncLinear(c.memLin + 2), (int) base);
                }
            }
            case 2, 3 -> {
                requireCpl0(c);
                final int limit = c.read16(c.memLin);
                long base = is64 ? c.read64(c.truncLinear(c.memLin + 2)) : c.read32(c.truncLinear(c.memLin + 2)) & 0xFFFFFFFFL;
                if (!is64 && d.opSize == 16) {
                    base &= 0xFFFFFF; // 16-bit operand size loads 24 bits of base
                }
                if (r == 2) {
                    s.gdtrBase = base;
                    s.gdtrLimit = limit;
                } else {
                    s.idtrBase = base;
                    s.idtrLimit = limit;
                }
            }
            case 4 -> c.write16(c.memLin, (int) s.cr0);
            case 6 -> {
                requireCpl0(c);
                lmsw(c, c.read16(c.memLin));
            }
            case 7 -> {
                requireCpl0(c);
                c.invlpg(c.memLin);
            }
            default -> throw c.ud();
        }
    }

    /** LMSW: loads PE, MP, EM, TS; cannot clear PE (SDM "LMSW"). */
    private static void lmsw(final Interpreter c, final long v) {
        final long keep = c.s.cr0 & ~0xEL;
        writeCr0(c, keep | (v & 0xF) | (c.s.cr0 & CpuState.CR0_PE));
    }

    /** 0F 00 group: SLDT, STR, LLDT, LTR. */
    static void group6(final Interpreter c, final DecodedInsn d) {
        if (!c.protectedMode()) {
            throw c.ud();
        }
        final CpuState s = c.s;
        switch (d.reg & 7) {
            case 0 -> c.writeRm(d.mod == 3 ? d.opSize : 16, s.sel[CpuState.LDTR]);
            case 1 -> c.writeRm(d.mod == 3 ? d.opSize : 16, s.sel[CpuState.TR]);
            case 2, 3 -> {
                requireCpl0(c);
                final int sel = (int) c.readRm(16);
                final boolean ldt = (d.reg & 7) == 2;
                final int reg = ldt ? CpuState.LDTR : CpuState.TR;
                if ((sel & 0xFFFC) == 0) {
                    if (!ldt) {
                        throw c.gp(0);
                    }
                    s.sel[reg] = sel;
                    s.segAttr[reg] = 0;
                    return;
                }
                if ((sel & 4) != 0) {
                    throw c.gp(sel & 0xFFFC);
                }
                final long desc = c.readDescriptor(sel);
                final int type = (int) ((desc >>> 40) & 0x1F);
                if (ldt ? type != 0x02 : (type != 0x09 && type != 0x01)) {
                    throw c.gp(sel & 0xFFFC);
                }
                if ((desc & (1L << 47)) == 0) {
                    throw c.fault.set(Interpreter.VEC_NP, sel & 0xFFFC, true);
                }
                long base = Interpreter.descBase(desc);
                if (c.longMode()) {
                    base |= (c.read64(c.truncLinear(s.gdtrBase + (sel & 0xFFF8) + 8)) & 0xFFFFFFFFL) << 32;
                }
                s.sel[reg] = sel;
                s.segBase[reg] = base;
                s.segLimit[reg] = Interpreter.descLimit(desc);
                s.segAttr[reg] = Interpreter.descAttr(desc) | (ldt ? 0 : 2); // LTR marks the TSS busy
                if (!ldt) {
                    final long a = c.truncLinear(s.gdtrBase + (sel & 0xFFF8) + 5);
                    c.write8(a, (int) ((desc >>> 40) & 0xFF) | 2);
                }
            }
            default -> throw c.ud();
        }
    }

    /**
     * I/O protection (SDM Vol. 1, 19.5): in protected mode with CPL > IOPL, and always in virtual-8086 mode, every
     * byte of the port range must have a clear bit in the I/O permission bitmap of the current 32-bit TSS (the
     * bitmap's offset at TSS+0x66; bits beyond the TSS limit count as set), else #GP(0).
     */
    static void checkIo(final Interpreter c, final int port, final int bytes) {
        final CpuState s = c.s;
        if (!c.protectedMode()) {
            return;
        }
        final boolean v86 = (s.rflags & CpuState.VM) != 0;
        if (!v86 && s.cpl <= ((s.rflags >> 12) & 3)) {
            return;
        }
        final int trType = s.segAttr[CpuState.TR] & 0xF;
        if ((trType != 0x9 && trType != 0xB) || s.segLimit[CpuState.TR] < 0x67) {
            throw c.gp(0);
        }
        final long tr = s.segBase[CpuState.TR];
        final int mapBase = c.read16(tr + 0x66);
        final int first = mapBase + ((port & 0xFFFF) >> 3);
        final int last = mapBase + (((port & 0xFFFF) + bytes - 1) >> 3);
        if (last > s.segLimit[CpuState.TR]) {
            throw c.gp(0);
        }
        final int bits = c.read8(tr + first) | (last != first ? c.read8(tr + last) << 8 : 0);
        final int mask = ((1 << bytes) - 1) << (port & 7);
        if ((bits & mask) != 0) {
            throw c.gp(0);
        }
    }

    static void in(final Interpreter c, final DecodedInsn d, final int port) {
        final int size = Math.min(d.opSize, 32);
        checkIo(c, port, size / 8);
        c.setReg(Reg.RAX, size, c.ports.read(port & 0xFFFF, size / 8) & 0xFFFFFFFFL);
    }

    static void out(final Interpreter c, final DecodedInsn d, final int port) {
        final int size = Math.min(d.opSize, 32);
        checkIo(c, port, size / 8);
        c.ports.write(port & 0xFFFF, size / 8, (int) c.getReg(Reg.RAX, size));
    }

    static void hlt(final Interpreter c) {
        requireCpl0(c);
        c.s.halted = true;
    }

    static void cli(final Interpreter c) {
        checkIopl(c);
        c.s.rflags &= ~CpuState.IF;
    }

    static void sti(final Interpreter c) {
        checkIopl(c);
        if ((c.s.rflags & CpuState.IF) == 0) {
            c.interruptShadow = 1;
        }
        c.s.rflags |= CpuState.IF;
    }

    private static void checkIopl(final Interpreter c) {
        if (c.protectedMode() && c.s.cpl > ((c.s.rflags >> 12) & 3)) {
            throw c.gp(0);
        }
    }
}
