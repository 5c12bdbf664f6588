package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Call gates and privilege changes in 32-bit protected mode (SDM Vol. 3A, 5.8.3-5.8.6, 6.12.1): ring 3 calls ring 0
 * through a 32-bit call gate with two dword parameters, the CPU switches to the TSS's SS0:ESP0 and copies the
 * parameters, RETF 8 returns to ring 3 and releases them on both stacks; IRET to ring 3 nulls DS, which ring 3 may
 * not use; a gate more privileged than the caller raises #GP with the gate's selector.
 */
class GateTest {
    /** GDT at 0x6000: 08 code0, 10 data0, 18 code3, 20 data3, 28 TSS32 at 0x6800, 30 call gate (DPL 3), 38 call gate (DPL 0). */
    private static final String SETUP = """
                movl $0x0000FFFF, 0x6008
                movl $0x00CF9A00, 0x600C
                movl $0x0000FFFF, 0x6010
                movl $0x00CF9200, 0x6014
                movl $0x0000FFFF, 0x6018
                movl $0x00CFFA00, 0x601C
                movl $0x0000FFFF, 0x6020
                movl $0x00CFF200, 0x6024
                movl $0x68000067, 0x6028
                movl $0x00008900, 0x602C
                movl $gate_target, %eax
                movw %ax, 0x6030
                movw $0x08, 0x6032
                movw $0xEC02, 0x6034
                shrl $16, %eax
                movw %ax, 0x6036
                movl 0x6030, %eax
                movl %eax, 0x6038
                movl $0x00008C02, %eax
                movl %eax, 0x603C
                movl $gate_target, %eax
                shrl $16, %eax
                movw %ax, 0x603E
                movw $0x3F, 0x5F00
                movl $0x6000, 0x5F02
                lgdt 0x5F00
                ljmp $0x08, $reloaded
            reloaded:
                movw $0x10, %ax
                movw %ax, %ds
                movw %ax, %es
                movw %ax, %ss
                movl $0x9000, 0x6804
                movl $0x10, 0x6808
                movw $0x28, %ax
                ltr %ax
            """ + Idt.gate32(0x80, "done") + Idt.gate32(13, "h_gp") + """
                movw $0xEE00, 0x5404
            """ + Idt.lidt32(0x7FF) + """
                movl $0x9000, %esp
                pushl $0x23
                pushl $0x8000
                pushl $0x2
                pushl $0x1B
                pushl $ring3
                iret
            done:
                hlt
            h_gp:
                popl %ebx
                hlt
            """;

    @Test
    void shouldSwitchStacksAndCopyParametersWhenCallingRingZeroThroughACallGate() {
        try (TestMachine m = TestMachine.prot32(SETUP + """
            ring3:
                movw %ds, %si
                movw $0x23, %ax
                movw %ax, %ds
                pushl $0x11111111
                pushl $0x22222222
                lcall $0x33, $0
            back:
                movl %esp, 0x7000
                movw %cs, 0x7004
                int $0x80
            gate_target:
                movw %cs, 0x7010
                movw %ss, 0x7014
                movl %esp, 0x7018
                movl 8(%esp), %eax
                movl %eax, 0x7020
                movl 12(%esp), %eax
                movl %eax, 0x7024
                movl 16(%esp), %eax
                movl %eax, 0x7028
                movl 20(%esp), %eax
                movl %eax, 0x702C
                movl 4(%esp), %eax
                movl %eax, 0x7030
                lret $8
            """)) {
            m.runToHalt();
            assertEquals(0, m.reg(Reg.RSI) & 0xFFFF, "IRET to ring 3 nulls DS (DPL 0 data)");
            assertEquals(0x08, m.mem.readWord(0x7010), "CS in ring 0: the gate's selector, RPL 0");
            assertEquals(0x10, m.mem.readWord(0x7014), "SS0 from the TSS");
            assertEquals(0x9000 - 24, m.mem.readDword(0x7018), "ESP0 minus SS, ESP, 2 parameters, CS, EIP");
            assertEquals(0x22222222, m.mem.readDword(0x7020), "parameters in the caller's order");
            assertEquals(0x11111111, m.mem.readDword(0x7024));
            assertEquals(0x8000 - 8, m.mem.readDword(0x7028), "the caller's ESP");
            assertEquals(0x23, m.mem.readDword(0x702C), "the caller's SS");
            assertEquals(0x1B, m.mem.readDword(0x7030), "the caller's CS");
            assertEquals(0x8000, m.mem.readDword(0x7000), "RETF 8 released the parameters on the outer stack");
            assertEquals(0x1B, m.mem.readWord(0x7004), "back in ring 3");
        }
    }

    @Test
    void shouldRaiseGeneralProtectionWithGateSelectorWhenGateIsMorePrivilegedThanCaller() {
        try (TestMachine m = TestMachine.prot32(SETUP + """
            ring3:
                lcall $0x3B, $0
            gate_target:
                hlt
            """)) {
            m.runToHalt();
            assertEquals(0x38, m.reg(Reg.RBX), "#GP(gate selector): gate DPL 0 < CPL 3");
        }
    }
}
