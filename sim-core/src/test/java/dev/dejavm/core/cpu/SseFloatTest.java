package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the host cannot show for SSE floating point (its traps would end the native run): an unmasked exception
 * leaves the destination unchanged, sets its MXCSR flag and raises #XM with CR4.OSXMMEXCPT or #UD without it
 * (SDM Vol. 1, 11.5.1; Vol. 3A, 6.15 "#XM"); packed operands of legacy SSE must be 16-byte aligned (#GP(0)).
 */
class SseFloatTest {
    private static String program(final long cr4Bits, final String insn) {
        return Idt.gate64(19, "h_xm") + Idt.gate64(6, "h_ud") + Idt.gate64(13, "h_gp") + Idt.lidt64() + """
                    movq %%cr4, %%rax
                    orq $0x%x, %%rax
                    movq %%rax, %%cr4
                    movl $0x1D80, 0x6000
                    ldmxcsr 0x6000
                    movl $0x3F800000, 0x6010
                    movss 0x6010, %%xmm0
                    xorps %%xmm1, %%xmm1
                    movq $0, %%rbx
                    %s
                    hlt
                h_xm:
                    movq $19, %%rbx
                    jmp out
                h_ud:
                    movq $6, %%rbx
                    jmp out
                h_gp:
                    movq $13, %%rbx
                out:
                    stmxcsr 0x6020
                    movd %%xmm0, %%ecx
                    hlt
                """.formatted(cr4Bits, insn);
    }

    @Test
    void shouldRaiseSimdExceptionAndKeepDestinationWhenDivideByZeroIsUnmasked() {
        try (TestMachine m = TestMachine.long64(program(0x600, "divss %xmm1, %xmm0"))) {
            m.runToHalt();
            assertEquals(19, m.reg(Reg.RBX), "#XM");
            assertEquals(0x3F800000L, m.reg(Reg.RCX), "destination unchanged");
            assertEquals(0x1D84, m.mem.readDword(0x6020), "ZE set");
        }
        try (TestMachine m = TestMachine.long64(program(0x200, "divss %xmm1, %xmm0"))) {
            m.runToHalt();
            assertEquals(6, m.reg(Reg.RBX), "#UD without CR4.OSXMMEXCPT");
        }
    }

    @Test
    void shouldRaiseGeneralProtectionForMisalignedPackedOperand() {
        try (TestMachine m = TestMachine.long64(program(0x600, "addps 0x6004, %xmm0"))) {
            m.runToHalt();
            assertEquals(13, m.reg(Reg.RBX));
        }
        try (TestMachine m = TestMachine.long64(program(0x600, "addss 0x6004, %xmm0"))) {
            m.runToHalt();
            assertEquals(0, m.reg(Reg.RBX), "scalar operands need no alignment");
        }
    }
}
