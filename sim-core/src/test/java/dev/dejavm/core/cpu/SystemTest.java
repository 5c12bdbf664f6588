package dev.dejavm.core.cpu;

import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPUID, MSRs, TSC, port I/O, self-modifying code, instruction counting, snapshots. */
class SystemTest {
    private static String regs(final long... r) {
        final StringBuilder b = new StringBuilder();
        for (final long v : r) {
            for (int i = 0; i < 4; i++) {
                b.append((char) ((v >>> (8 * i)) & 0xFF));
            }
        }
        return b.toString();
    }

    @Test
    void shouldReportVendorSignatureAndBrandWhenExecutingCpuid() {
        try (TestMachine m = TestMachine.prot32("""
                    xorl %eax, %eax
                    cpuid
                    movl %ebx, 0x4000
                    movl %edx, 0x4004
                    movl %ecx, 0x4008
                    movl %eax, 0x400C
                    movl $1, %eax
                    cpuid
                    movl %eax, 0x4010
                    movl %edx, 0x4014
                    movl $0x80000001, %eax
                    cpuid
                    movl %edx, 0x4018
                    movl $0x80000002, %esi
                    movl $0x4100, %edi
                1:
                    movl %esi, %eax
                    cpuid
                    movl %eax, (%edi)
                    movl %ebx, 4(%edi)
                    movl %ecx, 8(%edi)
                    movl %edx, 12(%edi)
                    addl $16, %edi
                    incl %esi
                    cmpl $0x80000005, %esi
                    jne 1b
                    hlt
                """)) {
            m.runToHalt();
            assertEquals("GenuineIntel", regs(m.mem.readDword(0x4000), m.mem.readDword(0x4004), m.mem.readDword(0x4008)));
            assertTrue(m.mem.readDword(0x400C) >= 1, "max basic leaf");
            assertEquals(Interpreter.SIGNATURE, m.mem.readDword(0x4010));
            final int edx1 = m.mem.readDword(0x4014);
            assertEquals(1, edx1 & 1, "x87 FPU");
            assertTrue((edx1 & (1 << 24)) != 0, "FXSAVE/FXRSTOR");
            assertEquals((1 << 23) | (1 << 25) | (1 << 26), edx1 & ((1 << 23) | (1 << 25) | (1 << 26)), "MMX, SSE, SSE2");
            assertTrue((edx1 & (1 << 6)) != 0, "PAE");
            assertTrue((m.mem.readDword(0x4018) & (1 << 29)) != 0, "LM");
            final byte[] brand = new byte[48];
            m.mem.read(0x4100, brand, 0, 48);
            final String s = new String(brand, StandardCharsets.US_ASCII);
            assertEquals("dejavm virtual CPU", s.substring(0, s.indexOf('\0')));
        }
    }

    @Test
    void shouldStoreAndReturnMsrsWhenWritingKnownMsrs() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $0x277, %ecx
                    movl $0x01020304, %eax
                    movl $0x05060700, %edx
                    wrmsr
                    xorl %eax, %eax
                    xorl %edx, %edx
                    rdmsr
                    movl %eax, %esi
                    movl %edx, %edi
                    movl $0xC0000080, %ecx
                    rdmsr
                    movl %eax, %ebp
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x01020304, m.reg(Reg.RSI));
            assertEquals(0x05060700, m.reg(Reg.RDI));
            assertEquals(0, m.reg(Reg.RBP), "EFER after reset");
            assertEquals(0x0506070001020304L, m.s.pat);
        }
    }

    @Test
    void shouldRaiseGpWhenReadingUnknownMsr() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(13, "h_gp") + Idt.lidt32(0x7FF) + """
                    movl $0x12345, %ecx
                    rdmsr
                    hlt
                h_gp:
                    popl %edi
                    movl $13, %esi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(13, m.reg(Reg.RSI));
            assertEquals(0, m.reg(Reg.RDI), "#GP(0)");
        }
    }

    @Test
    void shouldReadTscFromVirtualTimeWhenExecutingRdtsc() {
        try (TestMachine m = TestMachine.prot32("""
                    rdtsc
                    movl %eax, %esi
                    nop
                    nop
                    nop
                    rdtsc
                    movl %eax, %edi
                    hlt
                """)) {
            m.runToHalt();
            // One instruction = 1 ns = one TSC tick: RDTSC, MOV, 3 NOPs between the two reads.
            assertEquals(5, m.reg(Reg.RDI) - m.reg(Reg.RSI));
        }
    }

    @Test
    void shouldMoveValuesOfEachSizeWhenUsingInAndOut() {
        try (TestMachine m = TestMachine.prot32("""
                    movb $0x11, %al
                    outb %al, $0xE1
                    movw $0x2233, %ax
                    movw $0xE2, %dx
                    outw %ax, %dx
                    movl $0x44556677, %eax
                    outl %eax, %dx
                    xorl %eax, %eax
                    inb $0xE0, %al
                    movl %eax, %esi
                    inw %dx, %ax
                    movl %eax, %edi
                    inl %dx, %eax
                    hlt
                """)) {
            m.portReadValue = 0x89ABCDEF;
            m.runToHalt();
            assertEquals(3, m.portWrites.size());
            assertArrayEquals(new long[] {0xE1, 1, 0x11}, m.portWrites.get(0));
            assertArrayEquals(new long[] {0xE2, 2, 0x2233}, m.portWrites.get(1));
            assertArrayEquals(new long[] {0xE2, 4, 0x44556677}, m.portWrites.get(2));
            assertEquals(0xEF, m.reg(Reg.RSI));
            assertEquals(0xCDEF, m.reg(Reg.RDI));
            assertEquals(0x89ABCDEFL, m.rax());
        }
    }

    @Test
    void shouldExecuteNewBytesWhenCodeIsModifiedAfterRunning() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $0, %ecx
                again:
                    movl $patch, %edi
                patch:
                    movl $0x11111111, %eax
                    incl %ecx
                    cmpl $2, %ecx
                    je done
                    movl $0x22222222, 1(%edi)
                    jmp again
                done:
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x22222222, m.rax(), "the second pass executes the patched immediate");
        }
    }

    @Test
    void shouldCountRepStringAsOneInstructionWhenIterating() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $0x100000, %edi
                    movl $1000, %ecx
                    xorl %eax, %eax
                    cld
                    rep stosl
                    hlt
                """)) {
            final long before;
            m.runToHalt();
            before = m.cpu.icount();
            try (TestMachine n = TestMachine.prot32("""
                        movl $0x100000, %edi
                        movl $1, %ecx
                        xorl %eax, %eax
                        cld
                        rep stosl
                        hlt
                    """)) {
                n.runToHalt();
                assertEquals(n.cpu.icount(), before, "icount does not depend on the repeat count");
                assertEquals(n.tl.now() + 999, m.tl.now(), "each further iteration costs one nanosecond");
            }
        }
    }

    @Test
    void shouldRestoreIdenticalStateWhenSavingAndLoadingCpu() {
        try (TestMachine m = TestMachine.long64("""
                    movabsq $0x1122334455667788, %r15
                    hlt
                """)) {
            m.runToHalt();
            final StateWriter w = new StateWriter();
            m.s.save(w);
            final byte[] first = w.toByteArray();
            final CpuState copy = new CpuState();
            copy.load(new StateReader(first), copy.stateVersion());
            final StateWriter w2 = new StateWriter();
            copy.save(w2);
            assertArrayEquals(first, w2.toByteArray());
            assertEquals(0x1122334455667788L, copy.gpr[Reg.R15]);
            assertEquals("cpu", copy.stateId());
        }
    }

    /** SDM Vol. 2, SYSCALL/SYSRET: selectors from IA32_STAR, RIP from IA32_LSTAR, RFLAGS masked by IA32_FMASK. */
    @Test
    void shouldSwitchPrivilegeWithSyscallAndSysret() {
        try (TestMachine m = TestMachine.long64("""
                    movl $0xC0000080, %ecx
                    rdmsr
                    orl $1, %eax
                    wrmsr
                    movl $0xC0000081, %ecx
                    xorl %eax, %eax
                    movl $0x00200018, %edx
                    wrmsr
                    movl $0xC0000082, %ecx
                    leaq handler(%rip), %rax
                    movq %rax, %rdx
                    shrq $32, %rdx
                    wrmsr
                    movl $0xC0000084, %ecx
                    movl $0x200, %eax
                    xorl %edx, %edx
                    wrmsr
                    leaq user(%rip), %rcx
                    movq $0x202, %r11
                    sysretq
                user:
                    movw %cs, %bx
                    movw %ss, %si
                    movq $0x1234, %rdi
                    syscall
                after:
                    hlt
                handler:
                    movw %cs, %r12w
                    movw %ss, %r14w
                    pushfq
                    popq %r13
                    leaq after(%rip), %r15
                    hlt
                """)) {
            // User-accessible identity map (U/S set on every level) so that CPL 3 can run the same code.
            m.mem.writeQword(0x1000, 0x2007);
            m.mem.writeQword(0x2000, 0x3007);
            for (int i = 0; i < 512; i++) {
                m.mem.writeQword(0x3000 + 8L * i, ((long) i << 21) | 0x87);
            }
            m.runToHalt();
            assertEquals(0x33, m.reg(Reg.RBX) & 0xFFFF, "user CS = STAR[63:48] + 16, RPL 3");
            assertEquals(0x2B, m.reg(Reg.RSI) & 0xFFFF, "user SS = STAR[63:48] + 8, RPL 3");
            assertEquals(0x18, m.reg(Reg.R12) & 0xFFFF, "kernel CS = STAR[47:32]");
            assertEquals(0x20, m.reg(Reg.R14) & 0xFFFF, "kernel SS = STAR[47:32] + 8");
            assertEquals(0, m.reg(Reg.R13) & 0x200, "IF masked by IA32_FMASK");
            assertEquals(m.reg(Reg.R15), m.reg(Reg.RCX), "RCX = the instruction after SYSCALL");
            assertEquals(0x202, m.reg(Reg.R11) & 0x3C7FD7, "R11 = user RFLAGS");
            assertEquals(0x1234, m.reg(Reg.RDI));
            assertEquals(0, m.s.cpl);
        }
    }

    /** SDM Vol. 2, SYSENTER/SYSEXIT: CS/SS from IA32_SYSENTER_CS (+0/+8 to CPL 0, +16/+24 to CPL 3). */
    @Test
    void shouldSwitchPrivilegeWithSysenterAndSysexit() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $0x174, %ecx
                    movl $0x08, %eax
                    xorl %edx, %edx
                    wrmsr
                    movl $0x175, %ecx
                    movl $0x6000, %eax
                    wrmsr
                    movl $0x176, %ecx
                    movl $kentry, %eax
                    wrmsr
                    movl $user, %edx
                    movl $0x5000, %ecx
                    sysexit
                user:
                    movw %cs, %bx
                    movw %ss, %si
                    movl %esp, %edi
                    sysenter
                kentry:
                    movw %cs, %ax
                    movl %esp, %ebp
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x1B, m.reg(Reg.RBX) & 0xFFFF, "user CS = SYSENTER_CS + 16, RPL 3");
            assertEquals(0x23, m.reg(Reg.RSI) & 0xFFFF, "user SS = SYSENTER_CS + 24, RPL 3");
            assertEquals(0x5000, m.reg(Reg.RDI), "user ESP = ECX");
            assertEquals(0x08, m.reg(Reg.RAX) & 0xFFFF, "kernel CS = SYSENTER_CS");
            assertEquals(0x6000, m.reg(Reg.RBP), "kernel ESP = IA32_SYSENTER_ESP");
        }
    }

    @Test
    void shouldRaiseUdForSyscallOutside64BitMode() {
        try (TestMachine m = TestMachine.prot32("""
                    lidt idtr
                    syscall
                    hlt
                udh:
                    movl $0x55, %ebx
                    hlt
                    .p2align 3
                idt:
                    .fill 6, 8, 0
                    .word udh, 0x08, 0x8E00, 0
                idtr:
                    .word 7 * 8 - 1
                    .long idt
                """)) {
            m.runToHalt();
            assertEquals(0x55, m.reg(Reg.RBX), "SYSCALL in 32-bit protected mode raised #UD (Intel)");
            assertEquals(Interpreter.VEC_UD, m.cpu.raisedVector());
        }
    }

    /** SDM Vol. 1 8.1.5/8.1.1 and Vol. 3A Table 10-1: FNINIT state, control-word round trip, MXCSR with OSFXSR. */
    @Test
    void shouldKeepX87AndSseControlState() {
        try (TestMachine m = TestMachine.prot32("""
                    fnstcw 0x4000
                    fninit
                    fnstcw 0x4002
                    fnstsw %ax
                    movw $0x027F, 0x4004
                    fldcw 0x4004
                    fnstcw 0x4006
                    movl %cr4, %ecx
                    orl $0x200, %ecx
                    movl %ecx, %cr4
                    stmxcsr 0x4008
                    movl $0x1F80 | 0x6000, 0x400C
                    ldmxcsr 0x400C
                    stmxcsr 0x4010
                    fwait
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x0040, m.mem.readWord(0x4000), "FCW at RESET");
            assertEquals(0x037F, m.mem.readWord(0x4002), "FCW after FNINIT");
            assertEquals(0, m.reg(Reg.RAX) & 0xFFFF, "FSW after FNINIT");
            assertEquals(0x027F, m.mem.readWord(0x4006));
            assertEquals(0x1F80, m.mem.readDword(0x4008), "MXCSR at RESET");
            assertEquals(0x7F80, m.mem.readDword(0x4010), "rounding toward zero stored and read back");
        }
    }

    @Test
    void shouldRaiseUdForLdmxcsrWithoutOsfxsr() {
        for (final String insn : new String[] {"ldmxcsr 0x4000", "stmxcsr 0x4000"}) {
            try (TestMachine m = TestMachine.prot32("""
                        lidt idtr
                        %s
                        hlt
                    udh:
                        movl $0x55, %%ebx
                        hlt
                        .p2align 3
                    idt:
                        .fill 6, 8, 0
                        .word udh, 0x08, 0x8E00, 0
                    idtr:
                        .word 7 * 8 - 1
                        .long idt
                    """.formatted(insn))) {
                m.runToHalt();
                assertEquals(0x55, m.reg(Reg.RBX), insn + " raised #UD");
            }
        }
    }

    /** SDM Vol. 2: MOVDQU/MOVDQA/MOVAPS copy 128 bits; MOVD/MOVQ zero-extend into XMM; PXOR/POR/PAND/PANDN. */
    @Test
    void shouldMoveAndCombineXmmRegisters() {
        try (TestMachine m = TestMachine.long64("""
                    movq %cr4, %rax
                    orq $0x600, %rax
                    movq %rax, %cr4
                    movabsq $0x1122334455667788, %rax
                    movq %rax, 0x5000
                    movabsq $0x99AABBCCDDEEFF00, %rax
                    movq %rax, 0x5008
                    movdqu 0x5000, %xmm3
                    movdqa %xmm3, %xmm12
                    movups %xmm12, 0x5011
                    movq 0x5011, %r8
                    movq 0x5019, %r9
                    movl $0xCAFEBABE, %eax
                    movd %eax, %xmm3
                    movq %xmm3, %r10
                    pxor %xmm4, %xmm4
                    por %xmm12, %xmm4
                    pandn 0x5000, %xmm4
                    movaps %xmm4, 0x5020
                    movq %xmm12, %r11
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x1122334455667788L, m.reg(Reg.R8), "unaligned 128-bit store, low half");
            assertEquals(0x99AABBCCDDEEFF00L, m.reg(Reg.R9), "high half");
            assertEquals(0xCAFEBABEL, m.reg(Reg.R10), "MOVD zero-extends into the XMM register");
            assertEquals(0L, m.mem.readQword(0x5020), "PANDN of a value with itself is zero");
            assertEquals(0L, m.mem.readQword(0x5028));
            assertEquals(0x1122334455667788L, m.reg(Reg.R11));
        }
    }

    /** SDM Vol. 2 FXSAVE Table 3-43 (64-bit layout): FCW at 0, MXCSR at 24, MXCSR_MASK at 28, XMMn at 160 + 16n. */
    @Test
    void shouldSaveAndRestoreTheFxsaveImage() {
        try (TestMachine m = TestMachine.long64("""
                    movq %cr4, %rax
                    orq $0x600, %rax
                    movq %rax, %cr4
                    fninit
                    movabsq $0x0123456789ABCDEF, %rax
                    movq %rax, %xmm15
                    fxsave 0x6000
                    pxor %xmm15, %xmm15
                    fxrstor 0x6000
                    movq %xmm15, %rbx
                    movl $0x17, %ecx
                    rdmsr
                    movl %eax, %esi
                    movl $0x8B, %ecx
                    xorl %eax, %eax
                    xorl %edx, %edx
                    wrmsr
                    rdmsr
                    movl %edx, %edi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x037F, m.mem.readWord(0x6000), "FCW");
            assertEquals(0x1F80, m.mem.readDword(0x6000 + 24), "MXCSR");
            assertEquals(0xFFFF, m.mem.readDword(0x6000 + 28), "MXCSR_MASK");
            assertEquals(0x0123456789ABCDEFL, m.mem.readQword(0x6000 + 160 + 16 * 15), "XMM15");
            assertEquals(0x0123456789ABCDEFL, m.reg(Reg.RBX), "restored by FXRSTOR");
            assertEquals(0, m.reg(Reg.RSI), "IA32_PLATFORM_ID");
            assertEquals(0, m.reg(Reg.RDI), "IA32_BIOS_SIGN_ID: no microcode revision");
        }
    }

    /** The report-only page walk follows the same 4-level tables as execution, without faulting. */
    @Test
    void shouldPeekPhysicalAddressesThroughThePageTables() {
        try (TestMachine m = TestMachine.long64("""
                    hlt
                """)) {
            assertEquals(0x12345, m.cpu.peekPhysical(0x12345), "paging off: identity");
            m.runToHalt();
            assertEquals(0x3FF_FFFFL, m.cpu.peekPhysical(0x3FF_FFFFL), "identity-mapped 2 MiB pages");
            m.mem.writeQword(0x3000 + 8 * 3, (0x200L << 21) | 0x83); // remap 6-8 MiB onto 1 GiB
            assertEquals((0x200L << 21) + 0x1234, m.cpu.peekPhysical((3L << 21) + 0x1234));
            assertEquals(-1, m.cpu.peekPhysical(1L << 40), "not mapped");
        }
    }
}
