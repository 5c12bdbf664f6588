package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exception delivery, paging faults, double and triple faults (SDM Vol. 3A chapters 4 and 6). */
class ExceptionTest {
    /** A 32-bit handler that stores the error code (if any), CR2 and the saved EIP at 0x4000.. and halts. */
    static final String HANDLER32_WITH_CODE = """
            h_code:
                popl %eax
                movl %eax, 0x4000
                movl %cr2, %eax
                movl %eax, 0x4004
                movl (%esp), %eax
                movl %eax, 0x4008
                movl $1, 0x400C
                hlt
            """;

    @Test
    void shouldDeliverDivideErrorWithFaultingEipWhenDividingByZero() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(0, "h_de") + Idt.lidt32(0x7FF) + """
                    movl $fault, %edx
                    xorl %ecx, %ecx
                    movl $5, %eax
                fault:
                    divl %ecx
                    hlt
                h_de:
                    movl (%esp), %ebx
                    movl 4(%esp), %esi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(m.reg(Reg.RDX), m.reg(Reg.RBX), "#DE is a fault: saved EIP = the DIV");
            assertEquals(0x08, m.reg(Reg.RSI) & 0xFFFF, "saved CS");
            assertEquals(0, m.cpu.lastExceptionVector());
        }
    }

    @Test
    void shouldRaiseDivideErrorWhenQuotientOverflows() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(0, "h_de") + Idt.lidt32(0x7FF) + """
                    movl $0x10, %edx
                    movl $0, %eax
                    movl $0x10, %ecx
                    divl %ecx
                    movl $0xAA, %edi
                    hlt
                h_de:
                    movl $0xDE, %edi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0xDE, m.reg(Reg.RDI)); // quotient 2^32 does not fit in EAX
        }
    }

    @Test
    void shouldRaiseInvalidOpcodeWhenExecutingUd2OrUnimplemented() {
        // UD2, UD0, a reserved x87 encoding (D9 D8+1 is FSTP1 but D9 /1 with memory is reserved), and AVX (VEX).
        for (final String bad : new String[] {"ud2", ".byte 0x0f, 0xff, 0xc0", ".byte 0xd9, 0x08", ".byte 0xc5, 0xf8, 0x58, 0xc0"}) {
            try (TestMachine m = TestMachine.prot32(Idt.gate32(6, "h_ud") + Idt.lidt32(0x7FF) + """
                        movl $fault, %%edx
                    fault:
                        %s
                        hlt
                    h_ud:
                        movl (%%esp), %%ebx
                        hlt
                    """.formatted(bad))) {
                m.runToHalt();
                assertEquals(m.reg(Reg.RDX), m.reg(Reg.RBX), bad);
                assertEquals(6, m.cpu.lastExceptionVector(), bad);
            }
        }
    }

    @Test
    void shouldReportNotPresentPageFaultWithCr2WhenReadingUnmappedPage() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(14, "h_pf") + Idt.lidt64() + """
                    movabsq $fault, %rdx
                fault:
                    movq 0x400123, %rax
                    hlt
                h_pf:
                    popq %rax
                    movq %rax, 0x4000
                    movq %cr2, %rax
                    movq %rax, 0x4008
                    movq (%rsp), %rax
                    movq %rax, 0x4010
                    hlt
                """)) {
            m.mem.writeQword(0x3000 + 8 * 2, 0); // 0x400000-0x5FFFFF not present
            m.runToHalt();
            assertEquals(0, m.mem.readQword(0x4000), "error code: P=0, read, supervisor");
            assertEquals(0x400123, m.mem.readQword(0x4008), "CR2 = faulting linear address");
            assertEquals(m.reg(Reg.RDX), m.mem.readQword(0x4010), "saved RIP = faulting instruction");
        }
    }

    @Test
    void shouldReportProtectionWriteFaultWhenWpIsSetAndPageIsReadOnly() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(14, "h_pf") + Idt.lidt64() + """
                    movq $0x401000, %rdi
                    movl $0x1111, (%rdi)
                    movq %cr0, %rax
                    orl $0x10000, %eax
                    movq %rax, %cr0
                    movl $0x2222, (%rdi)
                    hlt
                h_pf:
                    popq %rax
                    movq %rax, 0x4000
                    movq %cr2, %rax
                    movq %rax, 0x4008
                    hlt
                """)) {
            m.mem.writeQword(0x3000 + 8 * 2, 0x400000L | 0x81); // present, read-only, 2 MiB
            m.runToHalt();
            assertEquals(0x1111, m.mem.readDword(0x401000), "CR0.WP = 0: supervisor writes ignore R/W");
            assertEquals(3, m.mem.readQword(0x4000), "error code: P=1, W=1");
            assertEquals(0x401000, m.mem.readQword(0x4008));
        }
    }

    @Test
    void shouldReportInstructionFetchFaultWhenJumpingToNxPage() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(14, "h_pf") + Idt.lidt64() + """
                    movl $0xC0000080, %ecx
                    rdmsr
                    orl $0x800, %eax
                    wrmsr
                    movq $0x400010, %rax
                    jmp *%rax
                h_pf:
                    popq %rax
                    movq %rax, 0x4000
                    movq %cr2, %rax
                    movq %rax, 0x4008
                    hlt
                """)) {
            m.mem.writeQword(0x3000 + 8 * 2, 0x400000L | 0x83 | (1L << 63)); // NX
            m.mem.writeByte(0x400010, 0xF4);
            m.runToHalt();
            assertEquals(0x11, m.mem.readQword(0x4000), "error code: P=1, I/D=1");
            assertEquals(0x400010, m.mem.readQword(0x4008));
        }
    }

    @Test
    void shouldTranslateThroughPageTableWhenUsing4KPages() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(14, "h_pf") + Idt.lidt64() + """
                    movq $0x606000, %rdi
                    movl $0xFEEDF00D, 8(%rdi)
                    movq 0x605000, %rax
                    hlt
                h_pf:
                    popq %rax
                    movq %rax, 0x4000
                    movq %cr2, %rax
                    movq %rax, 0x4008
                    hlt
                """)) {
            m.mem.writeQword(0x3000 + 8 * 3, 0x6000 | 3); // PD[3] -> page table at 0x6000
            for (int i = 0; i < 512; i++) {
                m.mem.writeQword(0x6000 + 8L * i, 0);
            }
            m.mem.writeQword(0x6000 + 8 * 6, 0x900000 | 3);
            m.runToHalt();
            assertEquals(0xFEEDF00DL, m.mem.readDword(0x900008) & 0xFFFFFFFFL);
            assertEquals(0x900000L | 3 | 0x20 | 0x40, m.mem.readQword(0x6000 + 8 * 6), "A and D set on the PTE");
            assertEquals(0, m.mem.readQword(0x4000));
            assertEquals(0x605000, m.mem.readQword(0x4008));
        }
    }

    @Test
    void shouldDeliverDoubleFaultWhenGpHandlerIsNotPresent() {
        try (TestMachine m = TestMachine.prot32(Idt.absent32(13, "h_gp") + Idt.gate32(8, "h_df") + Idt.lidt32(0x7FF) + """
                    movl $0xC0001234, %ecx
                    rdmsr
                    hlt
                h_gp:
                    movl $0x13, %edi
                    hlt
                h_df:
                    popl %esi
                    movl $0x8, %edi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(8, m.reg(Reg.RDI), "#GP then #NP (contributory + contributory) = #DF");
            assertEquals(0, m.reg(Reg.RSI), "#DF error code is 0");
        }
    }

    @Test
    void shouldTripleFaultWhenIdtCannotDeliverAnything() {
        try (TestMachine m = TestMachine.prot32(Idt.lidt32(0) + """
                    int3
                    hlt
                """)) {
            assertEquals(StopReason.TRIPLE_FAULT, m.cpu.run(1000));
            assertTrue(m.cpu.describe().contains("rip="));
        }
    }

    @Test
    void shouldCallRealModeIvtHandlerAndReturnWhenExecutingIntN() {
        try (TestMachine m = TestMachine.real("""
                    movw $h21, 0x84
                    movw $0, 0x86
                    movw %sp, %si
                    stc
                    int $0x21
                    movw %sp, %di
                    hlt
                h21:
                    movw $0x77, %bx
                    movw %sp, %cx
                    pushf
                    popw %dx
                    iret
                """)) {
            m.runToHalt();
            assertEquals(0x77, m.reg(Reg.RBX));
            assertEquals(m.reg(Reg.RSI) - 6, m.reg(Reg.RCX), "FLAGS, CS, IP pushed");
            assertEquals(0, m.reg(Reg.RDX) & CpuState.IF, "IF cleared by INT");
            assertEquals(m.reg(Reg.RSI), m.reg(Reg.RDI), "IRET pops the frame");
        }
    }

    @Test
    void shouldPush64BitFrameWithErrorCodeWhenGpInLongMode() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(13, "h_gp") + Idt.lidt64() + """
                    movabsq $fault, %rdx
                    movq %rsp, %rbp
                    movl $0xC0001234, %ecx
                fault:
                    rdmsr
                    hlt
                h_gp:
                    movq 0(%rsp), %r8
                    movq 8(%rsp), %r9
                    movq 16(%rsp), %r10
                    movq 32(%rsp), %r11
                    movq 40(%rsp), %r12
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0, m.reg(Reg.R8), "error code");
            assertEquals(m.reg(Reg.RDX), m.reg(Reg.R9), "RIP");
            assertEquals(0x18, m.reg(Reg.R10), "CS");
            assertEquals(m.reg(Reg.RBP), m.reg(Reg.R11), "RSP");
            assertEquals(0x10, m.reg(Reg.R12), "SS");
        }
    }
}
