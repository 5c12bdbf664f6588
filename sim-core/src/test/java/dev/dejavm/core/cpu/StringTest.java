package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** String instructions with REP prefixes, both directions and each address size (SDM Vol. 2 "MOVS", "REP"). */
class StringTest {
    @Test
    void shouldCopyForwardWhenDirectionFlagIsClear() {
        try (TestMachine m = TestMachine.prot32("""
                    cld
                    movl $0x100000, %esi
                    movl $0x200000, %edi
                    movl $10, %ecx
                    rep movsb
                    hlt
                """)) {
            for (int i = 0; i < 16; i++) {
                m.mem.writeByte(0x100000 + i, 0x30 + i);
            }
            m.runToHalt();
            for (int i = 0; i < 10; i++) {
                assertEquals(0x30 + i, m.mem.readByte(0x200000 + i));
            }
            assertEquals(0, m.mem.readByte(0x20000A));
            assertEquals(0, m.reg(Reg.RCX));
            assertEquals(0x10000A, m.reg(Reg.RSI));
            assertEquals(0x20000A, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldCopyBackwardWhenDirectionFlagIsSet() {
        try (TestMachine m = TestMachine.prot32("""
                    std
                    movl $0x10000C, %esi
                    movl $0x20000C, %edi
                    movl $4, %ecx
                    rep movsl
                    cld
                    hlt
                """)) {
            for (int i = 0; i < 16; i++) {
                m.mem.writeDword(0x100000 + 4L * i, 0x1000 + i);
            }
            m.runToHalt();
            for (int i = 0; i < 4; i++) {
                assertEquals(0x1000 + i, m.mem.readDword(0x200000 + 4L * i));
            }
            assertEquals(0xFFFFC, m.reg(Reg.RSI));
            assertEquals(0x1FFFFC, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldStopAtFirstDifferenceWhenRepeCmps() {
        try (TestMachine m = TestMachine.prot32("""
                    cld
                    movl $0x100000, %esi
                    movl $0x200000, %edi
                    movl $16, %ecx
                    repe cmpsb
                    pushfl
                    popl %edx
                    hlt
                """)) {
            final byte[] a = "hello, world!!!!".getBytes();
            final byte[] b = "hello, there!!!!".getBytes();
            for (int i = 0; i < 16; i++) {
                m.mem.writeByte(0x100000 + i, a[i]);
                m.mem.writeByte(0x200000 + i, b[i]);
            }
            m.runToHalt();
            assertEquals(16 - 8, m.reg(Reg.RCX), "stops after comparing the 8th byte ('w' vs 't')");
            assertEquals(0x100008, m.reg(Reg.RSI));
            assertEquals(0, m.reg(Reg.RDX) & CpuState.ZF);
            assertEquals(0, m.reg(Reg.RDX) & CpuState.CF, "'w' > 't' unsigned");
        }
    }

    @Test
    void shouldFindByteWhenRepneScas() {
        try (TestMachine m = TestMachine.long64("""
                    cld
                    movq $0x100000, %rdi
                    movq $-1, %rcx
                    xorl %eax, %eax
                    repne scasb
                    notq %rcx
                    decq %rcx
                    hlt
                """)) {
            final byte[] s = "dejavm\0".getBytes();
            for (int i = 0; i < s.length; i++) {
                m.mem.writeByte(0x100000 + i, s[i]);
            }
            m.runToHalt();
            assertEquals(6, m.reg(Reg.RCX), "strlen idiom");
        }
    }

    @Test
    void shouldWrapSiAndDiWhenAddressSizeIs16() {
        try (TestMachine m = TestMachine.real("""
                    cld
                    movw $0x1000, %ax
                    movw %ax, %es
                    movw $0xFFFE, %di
                    movw $0xABCD, %ax
                    movw $3, %cx
                    rep stosw
                    hlt
                """)) {
            m.runToHalt();
            assertEquals(0xABCD, m.mem.readWord(0x1FFFE));
            assertEquals(0xABCD, m.mem.readWord(0x10000), "DI wrapped to 0 within ES");
            assertEquals(0xABCD, m.mem.readWord(0x10002));
            assertEquals(4, m.reg(Reg.RDI));
        }
    }

    @Test
    void shouldMoveDataThroughPortsWhenRepInsAndOuts() {
        try (TestMachine m = TestMachine.prot32("""
                    cld
                    movw $0xE4, %dx
                    movl $0x100000, %esi
                    movl $3, %ecx
                    rep outsb
                    movl $0x200000, %edi
                    movl $2, %ecx
                    rep insw
                    movl $0x100000, %esi
                    lodsl
                    hlt
                """)) {
            m.mem.writeDword(0x100000, 0x44332211);
            m.portReadValue = 0x5678;
            m.runToHalt();
            assertEquals(3, m.portWrites.size());
            assertArrayEquals(new long[] {0xE4, 1, 0x11}, m.portWrites.get(0));
            assertArrayEquals(new long[] {0xE4, 1, 0x33}, m.portWrites.get(2));
            assertEquals(0x56785678, m.mem.readDword(0x200000));
            assertEquals(0x44332211L, m.rax());
            assertEquals(0x100004, m.reg(Reg.RSI));
        }
    }
}
