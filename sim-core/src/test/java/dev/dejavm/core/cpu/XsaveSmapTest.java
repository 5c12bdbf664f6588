package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * XSAVE for the x87 and SSE components and SMAP, against the SDM (Vol. 1, 13.4-13.8; Vol. 2 "XSETBV", "XSAVE",
 * "XRSTOR", "STAC"/"CLAC"; Vol. 3A, 4.6.1): CPUID leaf 0xD and leaf 7 describe exactly this; XSETBV refuses
 * unsupported components; XSAVE writes the legacy region and XSTATE_BV; XRSTOR initializes a component whose
 * XSTATE_BV bit is clear and rejects a bad header; a supervisor read of a user page faults under SMAP unless AC
 * is set (STAC).
 */
class XsaveSmapTest {
    private static final String ENABLE = """
                movq %cr4, %rax
                orq $0x40600, %rax
                movq %rax, %cr4
            """;

    @Test
    void shouldDescribeXsaveAndSmapThroughCpuid() {
        try (TestMachine m = TestMachine.long64(ENABLE + """
                movl $0xD, %eax
                xorl %ecx, %ecx
                cpuid
                movl %eax, 0x6000
                movl %ecx, 0x6004
                movl $1, %eax
                cpuid
                movl %ecx, 0x6008
                movl $7, %eax
                xorl %ecx, %ecx
                cpuid
                movl %ebx, 0x600C
                hlt
            """)) {
            m.runToHalt();
            assertEquals(3, m.mem.readDword(0x6000), "XCR0 may hold x87 and SSE");
            assertEquals(576, m.mem.readDword(0x6004), "512-byte legacy region + 64-byte header");
            assertEquals(3 << 26, m.mem.readDword(0x6008) & (3 << 26), "XSAVE and OSXSAVE (CR4.OSXSAVE set)");
            assertEquals((1 << 7) | (1 << 18) | (1 << 20), m.mem.readDword(0x600C), "SMEP, RDSEED and SMAP");
        }
    }

    @Test
    void shouldSaveAndRestoreComponentsPerXstateBv() {
        try (TestMachine m = TestMachine.long64(ENABLE + """
                xorl %ecx, %ecx
                movl $3, %eax
                xorl %edx, %edx
                xsetbv
                xgetbv
                movl %eax, 0x6000
                fninit
                fldpi
                movabsq $0x1122334455667788, %rax
                movq %rax, %xmm3
                movl $3, %eax
                xorl %edx, %edx
                xsave 0x8000
                movq 0x8200, %r8
                movq %r8, 0x6040
                pxor %xmm3, %xmm3
                fninit
                movl $3, %eax
                xrstor 0x8000
                movq %xmm3, 0x6010
                fstpt 0x6020
                movq $1, 0x8200
                movl $3, %eax
                xrstor 0x8000
                movq %xmm3, 0x6030
                fnstsw 0x6038
                hlt
            """)) {
            m.runToHalt();
            assertEquals(3, m.mem.readDword(0x6000), "XGETBV reads back XCR0");
            assertEquals(3, m.mem.readQword(0x6040), "XSTATE_BV: both components");
            assertEquals(0x037F, m.mem.readWord(0x8000), "FCW in the legacy region");
            assertEquals(0x1122334455667788L, m.mem.readQword(0x8000 + 160 + 3 * 16), "XMM3 in the legacy region");
            assertEquals(0x1122334455667788L, m.mem.readQword(0x6010), "XRSTOR loaded XMM3");
            assertEquals(0xC90FDAA22168C235L, m.mem.readQword(0x6020), "and ST0 = pi");
            assertEquals(0, m.mem.readQword(0x6030), "XSTATE_BV[1] = 0: SSE in its initial state");
        }
    }

    @Test
    void shouldRaiseGeneralProtectionForUnsupportedXcr0AndBadHeaders() {
        for (final String bad : new String[] {
            "xorl %ecx, %ecx\n movl $7, %eax\n xorl %edx, %edx\n xsetbv",      // AVX is not supported
            "xorl %ecx, %ecx\n movl $2, %eax\n xorl %edx, %edx\n xsetbv",      // x87 must stay enabled
            "movq $0, 0x8200\n movq $1, 0x8208\n movl $3, %eax\n xrstor 0x8000", // compacted format
            "movq $4, 0x8200\n movl $3, %eax\n xrstor 0x8000",                 // XSTATE_BV outside XCR0
            "movl $3, %eax\n xsave 0x8010",                                   // not 64-byte aligned
        }) {
            try (TestMachine m = TestMachine.long64(ENABLE + Idt.gate64(13, "h_gp") + Idt.lidt64() + """
                        movq $0, %%rbx
                        %s
                        hlt
                    h_gp:
                        movq $13, %%rbx
                        hlt
                    """.formatted(bad))) {
                m.runToHalt();
                assertEquals(13, m.reg(Reg.RBX), bad);
            }
        }
    }

    @Test
    void shouldFaultOnSupervisorAccessToUserPageUnderSmapUnlessAcIsSet() {
        try (TestMachine m = TestMachine.long64(Idt.gate64(14, "h_pf") + Idt.lidt64() + """
                orq $4, 0x1000
                orq $4, 0x2000
                orq $4, 0x3010
                movq %cr3, %rax
                movq %rax, %cr3
                movq $0x1234, 0x400000
                movq %cr4, %rax
                orq $0x200000, %rax
                movq %rax, %cr4
                stac
                movq 0x400000, %rsi
                clac
                movq $0, %rbx
                movq 0x400000, %rdi
                hlt
            h_pf:
                popq %rbx
                movq %cr2, %rcx
                hlt
            """)) {
            m.runToHalt();
            assertEquals(0x1234, m.reg(Reg.RSI), "with AC set (STAC) the read succeeds");
            assertEquals(1, m.reg(Reg.RBX), "#PF: present, read, supervisor");
            assertEquals(0x400000, m.reg(Reg.RCX));
        }
    }
}
