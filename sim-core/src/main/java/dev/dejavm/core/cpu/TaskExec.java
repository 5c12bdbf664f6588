package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;

/**
 * Hardware task switches with 32-bit TSSs in legacy protected mode (SDM Vol. 3A, 9.3): through JMP or CALL to a
 * TSS descriptor or a task gate, through a task gate in the IDT (interrupts and exceptions, with the error code
 * pushed on the new task's stack), and back through IRET with EFLAGS.NT set (the previous-task link). The busy
 * bits, the link field and NT follow the SDM's Table 9-2; CR0.TS is set; the outgoing state is saved into the
 * current TSS (EIP, EFLAGS, general registers, segment selectors) and the incoming one loaded, including CR3 and
 * the LDT, with #TS for a bad TSS or a bad segment in the new task. 16-bit TSSs and the TSS's debug trap bit are
 * not implemented (#GP(selector) and ignored respectively). IA-32e mode has no task switching (#GP).
 */
final class TaskExec {
    static final int JMP = 0;
    static final int CALL = 1;
    static final int IRET = 2;
    static final int INT = 3;

    private static final int[] SEG_ORDER = {CpuState.ES, CpuState.CS, CpuState.SS, CpuState.DS, CpuState.FS, CpuState.GS};
    private static final int[] DATA_INDEXES = {0, 3, 4, 5};

    private TaskExec() {
    }

    /** A task gate (JMP/CALL or IDT): checks it and switches to the TSS it names. */
    static void viaGate(final Interpreter c, final long gate, final int source, final long ret, final boolean hasCode, final int code,
            final int errBase) {
        if ((gate & (1L << 47)) == 0) {
            throw c.fault.set(Interpreter.VEC_NP, errBase, true);
        }
        final int tss = (int) (gate >>> 16) & 0xFFFF;
        switchTask(c, tss, source, ret, hasCode, code);
    }

    static void switchTask(final Interpreter c, final int selector, final int source, final long ret, final boolean hasCode, final int code) {
        final CpuState s = c.s;
        if (c.lfOp != Interpreter.LF_NONE) {
            c.materializeFlags();
        }
        final int err = selector & 0xFFFC;
        if (c.longMode()) {
            throw c.gp(err);
        }
        if ((selector & 4) != 0 || err == 0) {
            throw source == IRET ? c.fault.set(Interpreter.VEC_TS, err, true) : c.gp(err);
        }
        final long desc = c.readDescriptor(selector);
        final int type = (int) (desc >>> 40) & 0x1F;
        final boolean busy = type == 0x0B;
        if (type != 0x09 && type != 0x0B) {
            throw source == IRET ? c.fault.set(Interpreter.VEC_TS, err, true) : c.gp(err); // not a 32-bit TSS
        }
        if (source == IRET ? !busy : busy) {
            throw source == IRET ? c.fault.set(Interpreter.VEC_TS, err, true) : c.gp(err);
        }
        if ((desc & (1L << 47)) == 0) {
            throw c.fault.set(Interpreter.VEC_NP, err, true);
        }
        final long newBase = Interpreter.descBase(desc);
        if (Interpreter.descLimit(desc) < 0x67) {
            throw c.fault.set(Interpreter.VEC_TS, err, true);
        }
        final int oldTr = s.sel[CpuState.TR];
        final long oldBase = s.segBase[CpuState.TR];
        // The new task's image is read before the old one is written (they may overlap in odd guests).
        final long[] img = c.taskImage;
        for (int i = 0; i < 26; i++) {
            img[i] = c.read32(newBase + 4L * i) & 0xFFFFFFFFL;
        }
        // Save the outgoing task.
        long flags = s.rflags;
        if (source == IRET) {
            flags &= ~CpuState.NT;
        }
        c.write32(oldBase + 0x20, (int) ret);
        c.write32(oldBase + 0x24, (int) flags);
        for (int r = 0; r < 8; r++) {
            c.write32(oldBase + 0x28 + 4L * r, (int) s.gpr[r]);
        }
        for (int i = 0; i < 6; i++) {
            c.write16(oldBase + 0x48 + 4L * i, s.sel[SEG_ORDER[i]]);
        }
        // Busy bits and the link (SDM Vol. 3A, Table 9-2).
        if (source == JMP || source == IRET) {
            setBusy(c, oldTr, false);
        }
        if (source != IRET) {
            setBusy(c, selector, true);
        }
        long newFlags = img[9];
        if (source == CALL || source == INT) {
            c.write16(newBase, oldTr);
            newFlags |= CpuState.NT;
        }
        s.sel[CpuState.TR] = selector & 0xFFFF;
        s.segBase[CpuState.TR] = newBase;
        s.segLimit[CpuState.TR] = Interpreter.descLimit(desc);
        s.segAttr[CpuState.TR] = Interpreter.descAttr(desc) | 0x02; // busy
        s.cr0 |= CpuState.CR0_TS;
        // Load the incoming task.
        if ((s.cr0 & CpuState.CR0_PG) != 0 && img[7] != s.cr3) {
            s.cr3 = img[7];
            c.flushTlb(false);
        }
        s.rip = img[8];
        s.rflags = (newFlags & 0x3F7FD7L) | 2; // every flag, including IOPL and VM, comes from the image
        for (int r = 0; r < 8; r++) {
            s.gpr[r] = img[10 + r];
        }
        final int[] sels = c.taskSelectors;
        for (int i = 0; i < 6; i++) {
            sels[i] = (int) img[18 + i] & 0xFFFF;
            s.sel[SEG_ORDER[i]] = sels[i];
        }
        final int ldt = (int) img[24] & 0xFFFF;
        loadNewTaskSegments(c, sels, ldt);
        if (hasCode) {
            c.push(32, code);
        }
    }

    private static void setBusy(final Interpreter c, final int selector, final boolean busy) {
        final long at = c.s.gdtrBase + (selector & 0xFFF8) + 5;
        final int access = c.read8(at & 0xFFFFFFFFL);
        c.write8(at & 0xFFFFFFFFL, busy ? access | 0x02 : access & ~0x02);
    }

    /** LDTR, CS (CPL = its RPL), SS and the data segments of the new task; errors are #TS in the new task. */
    private static void loadNewTaskSegments(final Interpreter c, final int[] sels, final int ldt) {
        final CpuState s = c.s;
        if ((ldt & 0xFFFC) == 0) {
            s.sel[CpuState.LDTR] = ldt;
            s.segBase[CpuState.LDTR] = 0;
            s.segLimit[CpuState.LDTR] = 0;
            s.segAttr[CpuState.LDTR] = 0;
        } else {
            if ((ldt & 4) != 0) {
                throw c.fault.set(Interpreter.VEC_TS, ldt & 0xFFFC, true);
            }
            final long d = c.readDescriptor(ldt);
            if (((d >>> 40) & 0x1F) != 0x02 || (d & (1L << 47)) == 0) {
                throw c.fault.set(Interpreter.VEC_TS, ldt & 0xFFFC, true);
            }
            s.sel[CpuState.LDTR] = ldt;
            s.segBase[CpuState.LDTR] = Interpreter.descBase(d);
            s.segLimit[CpuState.LDTR] = Interpreter.descLimit(d);
            s.segAttr[CpuState.LDTR] = Interpreter.descAttr(d);
        }
        if ((s.rflags & CpuState.VM) != 0) {
            for (int i = 0; i < 6; i++) {
                final int seg = SEG_ORDER[i];
                s.segBase[seg] = (long) sels[i] << 4;
                s.segLimit[seg] = 0xFFFF;
                s.segAttr[seg] = 0xF3;
            }
            s.cpl = 3;
            return;
        }
        final int cs = sels[1];
        if ((cs & 0xFFFC) == 0) {
            throw c.fault.set(Interpreter.VEC_TS, 0, true);
        }
        final long cd = c.readDescriptor(cs);
        final int ca = Interpreter.descAttr(cd);
        final int cdpl = (ca >> 5) & 3;
        if ((ca & 0x18) != 0x18 || ((ca & 4) == 0 ? cdpl != (cs & 3) : cdpl > (cs & 3))) {
            throw c.fault.set(Interpreter.VEC_TS, cs & 0xFFFC, true);
        }
        if ((ca & 0x80) == 0) {
            throw c.fault.set(Interpreter.VEC_NP, cs & 0xFFFC, true);
        }
        s.cpl = cs & 3;
        s.segBase[CpuState.CS] = Interpreter.descBase(cd);
        s.segLimit[CpuState.CS] = Interpreter.descLimit(cd);
        s.segAttr[CpuState.CS] = ca;
        GateExec.loadStack(c, sels[2], s.cpl, true);
        for (final int i : DATA_INDEXES) {
            try {
                c.loadSegment(SEG_ORDER[i], sels[i]);
            } catch (final CpuException e) {
                if (e.vector == Interpreter.VEC_GP) {
                    throw c.fault.set(Interpreter.VEC_TS, sels[i] & 0xFFFC, true);
                }
                throw e;
            }
        }
        c.s.gpr[Reg.RSP] &= (s.segAttr[CpuState.SS] & CpuState.ATTR_DB) != 0 ? 0xFFFFFFFFL : 0xFFFFL;
    }
}
