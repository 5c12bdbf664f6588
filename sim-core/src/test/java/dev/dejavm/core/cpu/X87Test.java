package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the native differential test cannot show: the x87's interaction with the system (#NM from CR0.EM/TS, #MF
 * for a pending unmasked exception with CR0.NE) and the memory images in modes a user-mode host program cannot run
 * (the 16-bit real-mode FNSTENV layout, FNSAVE/FRSTOR in 32-bit protected mode, FXSAVE's register order).
 * Expectations from the SDM: Vol. 1, 8.1.10 and Figures 8-9 to 8-12; Vol. 3A, 2.5 (CR0) and 6.15 (#MF, #NM).
 */
class X87Test {
    private static String handlers() {
        return Idt.gate32(7, "h_nm") + Idt.gate32(16, "h_mf") + Idt.lidt32(0x7FF);
    }

    private static final String HANDLER_CODE = """
            h_nm:
                movl $7, %ebx
                movl (%esp), %ecx
                hlt
            h_mf:
                movl $16, %ebx
                movl (%esp), %ecx
                hlt
            """;

    @Test
    void shouldRaiseDeviceNotAvailableWhenEmOrTsIsSet() {
        for (final String setup : new String[] {"orl $4, %eax", "orl $8, %eax"}) {
            try (TestMachine m = TestMachine.prot32(handlers() + """
                        movl %%cr0, %%eax
                        %s
                        movl %%eax, %%cr0
                        movl $0, %%ebx
                        fwait
                        movl $at, %%edx
                    at:
                        fld1
                        hlt
                    """.formatted(setup) + HANDLER_CODE)) {
                m.runToHalt();
                assertEquals(7, m.reg(Reg.RBX), setup);
                assertEquals(m.reg(Reg.RDX), m.reg(Reg.RCX), "#NM is a fault at the x87 instruction");
            }
        }
    }

    @Test
    void shouldRaiseDeviceNotAvailableOnFwaitOnlyWhenTsAndMpAreSet() {
        try (TestMachine m = TestMachine.prot32(handlers() + """
                    movl %cr0, %eax
                    orl $0xA, %eax
                    movl %eax, %cr0
                    movl $at, %edx
                at:
                    fwait
                    hlt
                """ + HANDLER_CODE)) {
            m.runToHalt();
            assertEquals(7, m.reg(Reg.RBX));
            assertEquals(m.reg(Reg.RDX), m.reg(Reg.RCX));
        }
    }

    @Test
    void shouldRaiseMathFaultAtNextWaitingInstructionWhenUnmaskedExceptionIsPending() {
        try (TestMachine m = TestMachine.prot32(handlers() + """
                    movl %cr0, %eax
                    orl $0x20, %eax
                    movl %eax, %cr0
                    fninit
                    movw $0x037B, 0x6000
                    fldcw 0x6000
                    fld1
                    fldz
                    fdivrp
                    fnstsw %ax
                    movl %eax, %esi
                    movl $at, %edx
                at:
                    fld1
                    hlt
                """ + HANDLER_CODE)) {
            m.runToHalt();
            assertEquals(16, m.reg(Reg.RBX));
            assertEquals(m.reg(Reg.RDX), m.reg(Reg.RCX), "#MF is reported at the next waiting instruction");
            final int fsw = (int) m.reg(Reg.RSI) & 0xFFFF;
            assertEquals(0x8084, fsw & 0x80BF, "ZE, ES and B set; the non-waiting FNSTSW did not fault");
            assertEquals(6, (fsw >> 11) & 7, "FDIVRP did not pop: the unmasked exception blocked it");
        }
    }

    @Test
    void shouldNotRaiseMathFaultWhenNeIsClear() {
        try (TestMachine m = TestMachine.prot32(handlers() + """
                    movl $0, %ebx
                    fninit
                    movw $0x037B, 0x6000
                    fldcw 0x6000
                    fld1
                    fldz
                    fdivrp
                    fld1
                    hlt
                """ + HANDLER_CODE)) {
            m.runToHalt();
            assertEquals(0, m.reg(Reg.RBX), "with CR0.NE clear the error goes to FERR#, not #MF");
        }
    }

    /** SDM Vol. 1, Figure 8-11: the 14-byte real-mode environment (16-bit operand size). */
    @Test
    void shouldStoreRealModeLayoutWhenFnstenvHasSixteenBitOperands() {
        try (TestMachine m = TestMachine.real("""
                    fninit
                    movw $0x1234, 0x6100
                at:
                    filds 0x6100
                    fnstenv 0x6000
                    hlt
                """)) {
            m.runToHalt();
            final long at = Asm.ORIGIN + Asm.assemble(TestMachine.REAL + "    fninit\n    movw $0x1234, 0x6100\n").length;
            assertEquals(0x037F, m.mem.readWord(0x6000), "FCW (all exceptions masked afterwards as well)");
            assertEquals(0x3800, m.mem.readWord(0x6002), "FSW: TOP = 7");
            assertEquals(0x3FFF, m.mem.readWord(0x6004), "FTW: R7 valid, the others empty");
            assertEquals(at & 0xFFFF, m.mem.readWord(0x6006), "FIP bits 15:0");
            assertEquals((int) (((at >> 16) & 0xF) << 12) | 0x706, m.mem.readWord(0x6008), "FIP 19:16 and FOP (DF, ModRM 06)");
            assertEquals(0x6100, m.mem.readWord(0x600A), "FDP bits 15:0");
            assertEquals(0, m.mem.readWord(0x600C), "FDP 19:16");
        }
    }

    @Test
    void shouldRestoreRegistersAndReinitializeWhenFnsaveThenFrstor() {
        try (TestMachine m = TestMachine.prot32("""
                    fninit
                    fldpi
                    fld1
                    fldl2e
                    fnsave 0x6000
                    fnstcw 0x6200
                    fnstsw 0x6202
                    fldz
                    frstor 0x6000
                    fstpt 0x6300
                    fstpt 0x6310
                    fstpt 0x6320
                    fnstsw 0x6330
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x037F, m.mem.readWord(0x6200), "FNSAVE reinitializes the FPU");
            assertEquals(0, m.mem.readWord(0x6202));
            assertEquals(0x03FF, m.mem.readWord(0x6000 + 8), "FTW: R5, R6, R7 valid, the others empty");
            assertEquals(0xB8AA3B295C17F0BCL, m.mem.readQword(0x6300), "log2 e (rounded to nearest)");
            assertEquals(0x3FFF, m.mem.readWord(0x6308));
            assertEquals(0x8000000000000000L, m.mem.readQword(0x6310), "1.0");
            assertEquals(0xC90FDAA22168C235L, m.mem.readQword(0x6320), "pi (rounded to nearest)");
            assertEquals(0, (m.mem.readWord(0x6330) >> 11) & 7, "all popped");
        }
    }

    /** FXSAVE stores ST0-ST7 in stack order (slot i = ST(i)), with the abridged tag by physical register. */
    @Test
    void shouldStoreStackOrderWhenFxsave() {
        try (TestMachine m = TestMachine.prot32("""
                    fninit
                    fld1
                    fldz
                    fxsave 0x6000
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0, m.mem.readQword(0x6000 + 32), "ST0 = +0.0");
            assertEquals(0x8000000000000000L, m.mem.readQword(0x6000 + 48), "ST1 = 1.0");
            assertEquals(0x3FFF, m.mem.readWord(0x6000 + 56));
            assertEquals(0xC0, m.mem.readByte(0x6004), "abridged tag: R6 and R7 non-empty");
            assertEquals(0x3000, m.mem.readWord(0x6002), "TOP = 6");
        }
    }

    /** SDM Vol. 1, 9.5: an MMX instruction sets TOP to 0 and every tag valid, a write sets the exponent to all ones; EMMS empties the tags. */
    @Test
    void shouldShareRegistersWithMmxAndEmptyTagsOnEmms() {
        try (TestMachine m = TestMachine.long64("""
                    fninit
                    fld1
                    movq $0x1234, %rax
                    movq %rax, %mm2
                    fnstenv 0x6000
                    fxsave 0x6400
                    fsave 0x6100
                    emms
                    fnstenv 0x6200
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0, (m.mem.readWord(0x6004) >> 11) & 7, "TOP = 0");
            assertEquals(0xFF, m.mem.readByte(0x6404), "all tags valid (FXSAVE's abridged tag)");
            assertEquals(0x1565, m.mem.readWord(0x6008), "FNSTENV derives the full tags from the contents: R7 valid, R2 special, the rest zero");
            assertEquals(0x1234, m.mem.readQword(0x6100 + 28 + 2 * 10), "MM2 is R2's significand (ST2 with TOP = 0)");
            assertEquals(0xFFFF, m.mem.readWord(0x6100 + 28 + 2 * 10 + 8), "its exponent field all ones");
            assertEquals(0xFFFF, m.mem.readWord(0x6208), "EMMS: all empty");
        }
    }
}
