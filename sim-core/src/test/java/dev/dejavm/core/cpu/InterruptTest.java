package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** External interrupts, the STI / MOV SS shadows, HLT and the timeline (SDM Vol. 3A 6.8.3, Vol. 2 "HLT", "STI"). */
class InterruptTest {
    /** An interrupt controller stand-in: one vector, raised by the test or by a timer. */
    static final class Line implements InterruptSource {
        int vector = 0x20;
        boolean raised;
        int acks;

        @Override
        public boolean pending() {
            return raised;
        }

        @Override
        public int acknowledge() {
            raised = false;
            acks++;
            return vector;
        }
    }

    /** Handler for vector 0x20: counts at 0x4000, records EBX (progress marker) at 0x4004, returns. */
    static final String IRQ_HANDLER = """
            h_irq:
                incl 0x4000
                movl %ebx, 0x4004
                iret
            """;

    @Test
    void shouldDeliverPendingInterruptOnlyWhenIfIsSet() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(0x20, "h_irq") + Idt.lidt32(0x7FF) + """
                    movl $1, %ebx
                    movl $2, %ebx
                    sti
                    movl $3, %ebx
                    movl $4, %ebx
                    cli
                    hlt
                """ + IRQ_HANDLER)) {
            final Line line = new Line();
            line.raised = true;
            m.cpu.setInterruptSource(line);
            m.runToHalt();
            assertEquals(1, m.mem.readDword(0x4000));
            // STI shadow: the instruction after STI (EBX = 3) completes before the interrupt is taken.
            assertEquals(3, m.mem.readDword(0x4004));
        }
    }

    @Test
    void shouldHoldInterruptForOneInstructionWhenLoadingSs() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(0x20, "h_irq") + Idt.lidt32(0x7FF) + """
                    sti
                    nop
                    movl $0x10, %eax
                    movl $7, %ebx
                    movw %ax, %ss
                    movl $8, %ebx
                    movl $9, %ebx
                    cli
                    hlt
                """ + IRQ_HANDLER)) {
            final Line line = new Line();
            m.cpu.setInterruptSource(line);
            while (m.reg(Reg.RBX) != 7) {
                assertEquals(StopReason.BUDGET, m.cpu.run(1));
            }
            assertEquals(StopReason.BUDGET, m.cpu.run(1)); // MOV SS
            line.raised = true; // pending at the boundary right after MOV SS
            m.runToHalt();
            assertEquals(8, m.mem.readDword(0x4004), "MOV SS inhibits interrupts until after the next instruction");
        }
    }

    @Test
    void shouldWakeFromHltAtTimerDeadlineWhenInterruptsAreEnabled() {
        try (TestMachine m = TestMachine.prot32(Idt.gate32(0x20, "h_irq") + Idt.lidt32(0x7FF) + """
                    movl $5, %ebx
                    sti
                    hlt
                    movl $6, %ecx
                    cli
                    hlt
                """ + IRQ_HANDLER)) {
            final Line line = new Line();
            m.cpu.setInterruptSource(line);
            final int timer = m.tl.register("test", now -> line.raised = true);
            m.tl.schedule(timer, 1_000_000);
            m.runToHalt();
            assertEquals(1, m.mem.readDword(0x4000));
            assertEquals(6, m.reg(Reg.RCX), "execution continues after HLT once the handler returns");
            assertTrue(m.tl.now() >= 1_000_000, "HLT skipped virtual time to the deadline");
            assertTrue(m.cpu.icount() < 1000, "no instructions spent while halted");
        }
    }

    @Test
    void shouldReturnHaltWhenNothingCanWakeTheCpu() {
        try (TestMachine m = TestMachine.prot32("""
                    sti
                    hlt
                    movl $1, %ecx
                """)) {
            assertEquals(StopReason.HALT, m.cpu.run(1000));
            assertEquals(0, m.reg(Reg.RCX));
        }
    }

    @Test
    void shouldStopAfterCurrentInstructionWhenStopIsRequested() {
        try (TestMachine m = TestMachine.real("""
                    movw $1, %bx
                    outb %al, $0xF0
                    movw $2, %bx
                    hlt
                """)) {
            m.ports.map(0xF0, 1, new dev.dejavm.core.bus.PortDevice() {
                @Override
                public int ioRead(final int offset, final int size) {
                    return 0;
                }

                @Override
                public void ioWrite(final int offset, final int size, final int value) {
                    m.cpu.requestStop(); // like a reset control register asking the board for a reset
                }
            }, "stopper");
            assertEquals(StopReason.REQUEST, m.cpu.run(1000));
            assertEquals(1, m.reg(Reg.RBX), "the OUT completed, the next instruction did not run");
            final long icount = m.cpu.icount();
            m.runToHalt();
            assertEquals(2, m.reg(Reg.RBX));
            assertEquals(icount + 2, m.cpu.icount(), "MOV and HLT");
        }
    }
}
