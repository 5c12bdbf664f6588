package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** NMI (SDM Vol. 3A, 6.7.1): delivered through vector 2 whatever IF says, wakes HLT, and is blocked until IRET. */
class NmiTest {
    @Test
    void shouldDeliverNmiWithInterruptsOffAndWakeFromHlt() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(2, "h_nmi") + Idt.lidt32(0x7FF) + """
                    movl $0, %ebx
                    cli
                    hlt
                    movl $0x55, %esi
                    hlt
                h_nmi:
                    incl %ebx
                    iret
                """)) {
            assertEquals(StopReason.HALT, m.cpu.run(1_000_000));
            assertEquals(0, m.reg(Reg.RBX), "no NMI yet");
            m.cpu.raiseNmi();
            assertEquals(StopReason.HALT, m.cpu.run(1_000_000));
            assertEquals(1, m.reg(Reg.RBX), "delivered with IF = 0, woke the CPU from HLT");
            assertEquals(0x55, m.reg(Reg.RSI), "and execution went on after the HLT");
        }
    }

    @Test
    void shouldBlockFurtherNmisUntilIret() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(2, "h_nmi") + Idt.lidt32(0x7FF) + """
                    movl $0, %ebx
                    cli
                    hlt
                h_nmi:
                    incl %ebx
                    hlt
                    iret
                """)) {
            assertEquals(StopReason.HALT, m.cpu.run(1_000_000));
            m.cpu.raiseNmi();
            assertEquals(StopReason.HALT, m.cpu.run(1_000_000));
            assertEquals(1, m.reg(Reg.RBX));
            m.cpu.raiseNmi();
            assertEquals(StopReason.HALT, m.cpu.run(1_000_000));
            assertEquals(1, m.reg(Reg.RBX), "a second NMI waits while the first handler has not returned");
        }
    }
}
