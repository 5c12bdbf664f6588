package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hardware task switches with 32-bit TSSs (SDM Vol. 3A, 9.3 and Table 9-2): CALL to a TSS nests the new task
 * (link = old TR, NT set, both busy), IRET with NT returns to the old task with its registers intact and clears the
 * returning task's busy bit; CR0.TS is set by every switch; an exception through an IDT task gate runs the handler
 * task with the error code on its stack and the faulting task's state saved in its TSS.
 */
class TaskTest {
    /** GDT at 0x6000: 08 code, 10 data, 18 TSS A at 0x6800, 20 TSS B at 0x6900, 28 task gate to B. TR = A. */
    private static final String SETUP = """
                movl $0x0000FFFF, 0x6008
                movl $0x00CF9A00, 0x600C
                movl $0x0000FFFF, 0x6010
                movl $0x00CF9200, 0x6014
                movl $0x68000067, 0x6018
                movl $0x00008900, 0x601C
                movl $0x69000067, 0x6020
                movl $0x00008900, 0x6024
                movl $0x00200000, 0x6028
                movl $0x00008500, 0x602C
                movw $0x2F, 0x5F00
                movl $0x6000, 0x5F02
                lgdt 0x5F00
                ljmp $0x08, $reloaded
            reloaded:
                movw $0x10, %ax
                movw %ax, %ds
                movw %ax, %es
                movw %ax, %ss
                movl $0x9000, %esp
                movw $0x18, %ax
                ltr %ax
                movl $taskB, 0x6920
                movl $0x2, 0x6924
                movl $0x1234, 0x6928
                movl $0xA000, 0x6938
                movl $0x10, 0x6948
                movl $0x08, 0x694C
                movl $0x10, 0x6950
                movl $0x10, 0x6954
            """;

    @Test
    void shouldNestAndReturnWhenCallingATssAndIretWithNt() {
        try (TestMachine m = TestMachine.prot32(SETUP + """
                movl $0x5555, %eax
                movl $0x7777, %ebp
                lcall $0x20, $0
                movl %eax, 0x7000
                movl %ebp, 0x7004
                smsw %cx
                movw %cx, 0x7008
                str %dx
                movw %dx, 0x700C
                hlt
            taskB:
                movl %eax, 0x7010
                pushfl
                popl 0x7014
                movw 0x6900, %ax
                movw %ax, 0x7018
                str %ax
                movw %ax, 0x701C
                movl %esp, 0x7020
                movl $0x9999, %eax
                iret
            """)) {
            m.runToHalt();
            assertEquals(0x1234, m.mem.readDword(0x7010), "task B starts with its TSS's EAX");
            assertEquals(CpuState.NT, m.mem.readDword(0x7014) & CpuState.NT, "a nested task runs with NT set");
            assertEquals(0x18, m.mem.readWord(0x7018), "link = the caller's TSS");
            assertEquals(0x20, m.mem.readWord(0x701C), "TR = B");
            assertEquals(0xA000, m.mem.readDword(0x7020), "ESP from B's TSS");
            assertEquals(0x5555, m.mem.readDword(0x7000), "A's registers come back from its TSS");
            assertEquals(0x7777, m.mem.readDword(0x7004));
            assertEquals(8, m.mem.readWord(0x7008) & 8, "CR0.TS set by the task switch");
            assertEquals(0x18, m.mem.readWord(0x700C), "TR = A again");
            assertEquals(0x8B, m.mem.readByte(0x601D), "A busy");
            assertEquals(0x89, m.mem.readByte(0x6025), "B no longer busy after IRET");
            assertEquals(0x9999, m.mem.readDword(0x6928), "B's state was saved into its TSS when it left");
        }
    }

    @Test
    void shouldRunHandlerTaskWithErrorCodeWhenExceptionGoesThroughTaskGate() {
        try (TestMachine m = TestMachine.prot32(SETUP + """
                movw $0x0000, 0x5000 + 13 * 8
                movw $0x20, 0x5000 + 13 * 8 + 2
                movw $0x8500, 0x5000 + 13 * 8 + 4
                movw $0, 0x5000 + 13 * 8 + 6
            """ + Idt.lidt32(0x7FF) + """
                movl $0x4242, %esi
            fault:
                movw $0x1230, %ax
                movw %ax, %ds
                hlt
            taskB:
                popl %ebx
                movl 0x6820, %ecx
                movl 0x6840, %edi
                hlt
            """)) {
            m.runToHalt();
            assertEquals(0x1230, m.reg(Reg.RBX), "#GP(selector beyond the GDT limit): the error code on the handler task's stack");
            assertEquals(0x4242, m.reg(Reg.RDI), "the faulting task's ESI saved in its TSS");
            assertEquals(0x20, m.s.sel[CpuState.TR]);
            final long faultAt = m.reg(Reg.RCX);
            assertEquals(0x8E, m.mem.readByte(faultAt) & 0xFF, "the saved EIP is the faulting MOV DS");
        }
    }
}
