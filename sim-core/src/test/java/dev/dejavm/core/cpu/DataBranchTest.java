package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Data movement, multiply/divide, bit ops and control transfer, checked against the SDM's Operation sections. */
class DataBranchTest {
    @Test
    void shouldProduceDoubleWidthProductWhenMultiplying64Bit() {
        try (TestMachine m = TestMachine.long64("""
                    movabsq $0xFFFFFFFFFFFFFFFF, %rax
                    movabsq $0x123456789, %rbx
                    mulq %rbx
                    movq %rax, %r8
                    movq %rdx, %r9
                    pushfq
                    popq %r10
                    movq $-7, %rax
                    movq $3, %rcx
                    imulq %rcx
                    movq %rax, %r11
                    movq %rdx, %r12
                    movq $1000, %rax
                    xorl %edx, %edx
                    movq $7, %rcx
                    divq %rcx
                    movq %rax, %r13
                    movq %rdx, %r14
                    movq $-1000, %rax
                    cqo
                    idivq %rcx
                    movq %rax, %r15
                    movq %rdx, %rsi
                    imulq $-3, %rcx, %rdi
                    hlt
                """)) {
            m.runToHalt();
            final BigInteger p = new BigInteger("FFFFFFFFFFFFFFFF", 16).multiply(BigInteger.valueOf(0x123456789L));
            assertEquals(p.longValue(), m.reg(Reg.R8));
            assertEquals(p.shiftRight(64).longValue(), m.reg(Reg.R9));
            assertEquals(CpuState.CF | CpuState.OF, m.reg(Reg.R10) & (CpuState.CF | CpuState.OF), "high half non-zero");
            assertEquals(-21L, m.reg(Reg.R11));
            assertEquals(-1L, m.reg(Reg.R12), "sign extension into RDX");
            assertEquals(1000 / 7, m.reg(Reg.R13));
            assertEquals(1000 % 7, m.reg(Reg.R14));
            assertEquals(-1000 / 7, m.reg(Reg.R15), "IDIV truncates toward zero");
            assertEquals(-1000 % 7, m.reg(Reg.RSI), "remainder has the dividend's sign");
            assertEquals(-21L, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldZeroUpperHalfWhenWriting32BitRegisterIn64BitMode() {
        try (TestMachine m = TestMachine.long64("""
                    movq $-1, %rax
                    movl $5, %eax
                    movq $-1, %rbx
                    movw $5, %bx
                    movq $-1, %rcx
                    movb $5, %cl
                    movq $-1, %rdx
                    movl $0x80000000, %esi
                    movslq %esi, %rdx
                    movq $-1, %rdi
                    movzbl %cl, %edi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(5, m.rax());
            assertEquals(0xFFFFFFFFFFFF0005L, m.reg(Reg.RBX));
            assertEquals(0xFFFFFFFFFFFFFF05L, m.reg(Reg.RCX));
            assertEquals(0xFFFFFFFF80000000L, m.reg(Reg.RDX));
            assertEquals(5, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldBalanceStackWhenCallingAndReturning() {
        try (TestMachine m = TestMachine.prot32("""
                    movl %esp, %esi
                    call f
                    movl %esp, %edi
                    pushl $0x11
                    pushl $0x22
                    call g
                    movl %esp, %ebp
                    hlt
                f:
                    movl (%esp), %ebx
                    ret
                g:
                    movl 4(%esp), %ecx
                    ret $8
                """)) {
            m.runToHalt();
            assertEquals(m.reg(Reg.RSI), m.reg(Reg.RDI));
            assertEquals(0x22, m.reg(Reg.RCX));
            assertEquals(m.reg(Reg.RSI), m.reg(Reg.RBP), "RET imm16 releases the arguments");
        }
    }

    @Test
    void shouldBuildFrameWhenEnterAndLeave() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $0x1234, %ebp
                    movl %esp, %esi
                    enter $16, $0
                    movl %ebp, %ebx
                    movl %esp, %ecx
                    leave
                    movl %esp, %edi
                    hlt
                """)) {
            m.runToHalt();
            final long sp0 = m.reg(Reg.RSI);
            assertEquals(sp0 - 4, m.reg(Reg.RBX), "EBP = frame pointer after pushing the old EBP");
            assertEquals(sp0 - 4 - 16, m.reg(Reg.RCX));
            assertEquals(sp0, m.reg(Reg.RDI));
            assertEquals(0x1234, m.reg(Reg.RBP));
        }
    }

    @Test
    void shouldRestoreAllRegistersExceptSpWhenPushaPopa() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $1, %eax
                    movl $2, %ecx
                    movl $3, %edx
                    movl $4, %ebx
                    movl $6, %ebp
                    movl $7, %esi
                    movl $8, %edi
                    pushal
                    movl 12(%esp), %eax
                    movl %eax, 0x4000
                    xorl %eax, %eax
                    xorl %ecx, %ecx
                    xorl %edi, %edi
                    popal
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(1, m.rax());
            assertEquals(2, m.reg(Reg.RCX));
            assertEquals(8, m.reg(Reg.RDI));
            assertEquals(0x7000, m.reg(Reg.RSP));
            assertEquals(0x7000, m.mem.readDword(0x4000), "PUSHA stores the original ESP");
        }
    }

    @Test
    void shouldCountDownWhenLoopingAndSkipWhenJcxz() {
        try (TestMachine m = TestMachine.real("""
                    xorw %ax, %ax
                    movw $5, %cx
                1:
                    addw $3, %ax
                    loop 1b
                    jcxz 2f
                    movw $0xBAD, %ax
                2:
                    movw $3, %cx
                    movw $0, %bx
                3:
                    incw %bx
                    cmpw $1, %bx
                    loope 3b
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(15, m.rax());
            assertEquals(2, m.reg(Reg.RBX), "LOOPE stops when ZF = 0");
        }
    }

    @Test
    void shouldSwapAndCompareWhenCmpxchgXaddBswap() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $5, 0x4000
                    movl $5, %eax
                    movl $9, %ecx
                    lock cmpxchgl %ecx, 0x4000
                    setz %bl
                    movl $7, %eax
                    cmpxchgl %ecx, 0x4000
                    setz %bh
                    movl %eax, %esi
                    movl $10, %edx
                    lock xaddl %edx, 0x4000
                    movl $0x11223344, %edi
                    bswapl %edi
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(1, m.reg(Reg.RBX) & 0xFF, "equal: stored, ZF = 1");
            assertEquals(0, (m.reg(Reg.RBX) >> 8) & 0xFF, "not equal: ZF = 0");
            assertEquals(9, m.reg(Reg.RSI), "EAX loaded with the destination");
            assertEquals(9, m.reg(Reg.RDX), "XADD returns the old value");
            assertEquals(19, m.mem.readDword(0x4000));
            assertEquals(0x44332211, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldTestAndModifyBitsWhenBtFamilyAndScan() {
        try (TestMachine m = TestMachine.prot32("""
                    movl $0, 0x4000
                    movl $0, 0x4004
                    movl $35, %ecx
                    btsl %ecx, 0x4000
                    setc %al
                    btl %ecx, 0x4000
                    setc %ah
                    movl $0x00F00000, %edx
                    bsfl %edx, %esi
                    bsrl %edx, %edi
                    movl $0x80, %ebx
                    btrl $7, %ebx
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(8, m.mem.readDword(0x4004), "bit offset 35 addresses bit 3 of the next dword");
            assertEquals(0, m.rax() & 0xFF);
            assertEquals(1, (m.rax() >> 8) & 0xFF);
            assertEquals(20, m.reg(Reg.RSI));
            assertEquals(23, m.reg(Reg.RDI));
            assertEquals(0, m.reg(Reg.RBX));
        }
    }

    @Test
    void shouldSwitchCodeSegmentsWhenFarCallAndReturnInProtectedMode() {
        try (TestMachine m = TestMachine.prot32("""
                    lcall $0x08, $far
                    movl %esp, %edi
                    hlt
                far:
                    movl 4(%esp), %ebx
                    lret
                """)) {
            m.runToHalt();
            assertEquals(0x08, m.reg(Reg.RBX), "CS pushed");
            assertEquals(0x7000, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldAdjustBcdWhenDaaAndAam() {
        try (TestMachine m = TestMachine.prot32("""
                    movb $0x79, %al
                    addb $0x35, %al
                    daa
                    setc %bl
                    movb %al, %bh
                    movb $93, %al
                    aam
                    movw %ax, %cx
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0x14, (m.reg(Reg.RBX) >> 8) & 0xFF, "79 + 35 = 114 in BCD");
            assertEquals(1, m.reg(Reg.RBX) & 0xFF);
            assertEquals(0x0903, m.reg(Reg.RCX) & 0xFFFF, "AAM: AH = 93 / 10, AL = 93 % 10");
        }
    }
}
