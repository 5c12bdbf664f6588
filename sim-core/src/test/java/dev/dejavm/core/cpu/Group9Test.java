package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 0F C7 per the SDM: CMPXCHG8B/CMPXCHG16B (ZF, the loaded comparand, 16-byte alignment) and RDRAND/RDSEED flags. */
class Group9Test {
    @Test
    void shouldCompareAndExchangeEightAndSixteenBytes() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(13, "h_gp") + Idt.lidt64() + """
                movabsq $0x1111111122222222, %rax
                movq %rax, 0x6000
                movl $0x22222222, %eax
                movl $0x11111111, %edx
                movl $0xAAAAAAAA, %ebx
                movl $0xBBBBBBBB, %ecx
                cmpxchg8b 0x6000
                setz 0x6100
                movl $0, %eax
                cmpxchg8b 0x6000
                setz 0x6101
                movl %eax, 0x6104
                movl %edx, 0x6108
                movq $1, 0x6010
                movq $2, 0x6018
                movq $1, %rax
                movq $2, %rdx
                movq $3, %rbx
                movq $4, %rcx
                cmpxchg16b 0x6010
                setz 0x6102
                movq $0, %r9
                cmpxchg16b 0x6008
                hlt
            h_gp:
                movq $13, %r9
                hlt
            """)) {
            m.runToHalt();
            assertEquals(1, m.mem.readByte(0x6100), "equal: ZF");
            assertEquals(0xBBBBBBBBAAAAAAAAL, m.mem.readQword(0x6000), "ECX:EBX stored");
            assertEquals(0, m.mem.readByte(0x6101), "different: ZF clear");
            assertEquals(0xAAAAAAAA, m.mem.readDword(0x6104), "EDX:EAX loaded with the memory operand");
            assertEquals(0xBBBBBBBB, m.mem.readDword(0x6108));
            assertEquals(1, m.mem.readByte(0x6102));
            assertEquals(3, m.mem.readQword(0x6010));
            assertEquals(4, m.mem.readQword(0x6018));
            assertEquals(13, m.reg(Reg.R9), "CMPXCHG16B of a misaligned operand: #GP(0)");
        }
    }

    @Test
    void shouldSetOnlyCarryWhenReadingRandomNumbers() {
        try (TestMachine m = TestMachine.long64("""
                movq $-1, %rax
                pushq $0x8D5
                popfq
                rdrand %eax
                pushfq
                popq %rbx
                rdseed %rcx
                hlt
            """)) {
            m.runToHalt();
            assertEquals(1, m.reg(Reg.RBX) & 0x8D5, "CF = 1; OF, SF, ZF, AF, PF cleared");
            assertEquals(0, m.reg(Reg.RAX) >>> 32, "a 32-bit destination is zero-extended");
        }
    }
}
