package dev.dejavm.core.cpu;

import dev.dejavm.core.bus.MmioBus;
import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.mem.GuestRam;
import dev.dejavm.core.mem.PhysicalMemory;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.decoder.Reg;

import java.util.ArrayList;
import java.util.List;

/**
 * A tiny machine for CPU tests: 16 MiB of RAM at 0, a recording port device at 0xE0-0xEF, a timeline, and the
 * interpreter. Snippets are assembled by {@link Asm} and loaded at {@link Asm#ORIGIN}; execution starts there in
 * real mode (CS = 0, SS:SP = 0:7000) after an architectural reset.
 *
 * <p>Prologues switch modes with the guest's own instructions: {@link #PROT32} enters flat 32-bit protected mode
 * (GDT: 08 code32, 10 data, 18 code64, 20 code16, 28 data16), {@link #LONG64} continues into 64-bit mode with
 * 4-level paging over identity-mapped 2 MiB pages for the first GiB (tables at 0x1000-0x3FFF, written by the test
 * harness). Programs end with HLT while IF = 0, which makes {@code run} return {@link StopReason#HALT}.
 */
final class TestMachine implements AutoCloseable {
    static final long RAM_SIZE = 16L << 20;
    static final int TEST_PORT = 0xE0;

    static final String GDT_PROLOGUE = """
            .code16
                cli
                xorw %ax, %ax
                movw %ax, %ds
                movw %ax, %es
                movw %ax, %ss
                movw $0x7000, %sp
                jmp t_after_gdt
                .p2align 3
            t_gdt:
                .quad 0
                .quad 0x00CF9A000000FFFF
                .quad 0x00CF92000000FFFF
                .quad 0x00AF9A000000FFFF
                .quad 0x000F9A000000FFFF
                .quad 0x000F92000000FFFF
            t_gdtr:
                .word t_gdtr - t_gdt - 1
                .long t_gdt
            t_after_gdt:
            """;

    static final String REAL = GDT_PROLOGUE;

    static final String PROT32 = GDT_PROLOGUE + """
                lgdtl t_gdtr
                movl %cr0, %eax
                orl $1, %eax
                movl %eax, %cr0
                ljmpl $0x08, $t_pm32
            .code32
            t_pm32:
                movw $0x10, %ax
                movw %ax, %ds
                movw %ax, %es
                movw %ax, %ss
                movw %ax, %fs
                movw %ax, %gs
                movl $0x7000, %esp
            """;

    static final String LONG64 = PROT32 + """
                movl %cr4, %eax
                orl $0x20, %eax
                movl %eax, %cr4
                movl $0x1000, %eax
                movl %eax, %cr3
                movl $0xC0000080, %ecx
                rdmsr
                orl $0x100, %eax
                wrmsr
                movl %cr0, %eax
                orl $0x80000000, %eax
                movl %eax, %cr0
                ljmp $0x18, $t_lm64
            .code64
            t_lm64:
                movq $0x7000, %rsp
            """;

    final GuestRam ram = new GuestRam(RAM_SIZE);
    final MmioBus mmio = new MmioBus();
    final PhysicalMemory mem = new PhysicalMemory(mmio);
    final PortBus ports = new PortBus();
    final Timeline tl = new Timeline();
    final CpuState s = new CpuState();
    final Interpreter cpu = new Interpreter(s, mem, ports, tl);
    /** Port writes to the test device: {port, size, value}. */
    final List<long[]> portWrites = new ArrayList<>();
    /** What reads of the test device return (masked to the access size by the bus). */
    int portReadValue = 0x89ABCDEF;

    TestMachine() {
        mem.mapRam(0, RAM_SIZE, ram.segment(), 0);
        ports.map(TEST_PORT, 16, new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return portReadValue;
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                portWrites.add(new long[] {TEST_PORT + offset, size, value & 0xFFFFFFFFL});
            }
        }, "test");
        cpu.reset();
        // Identity map of the first GiB for LONG64: PML4 0x1000, PDPT 0x2000, PD 0x3000 (2 MiB pages).
        mem.writeQword(0x1000, 0x2003);
        mem.writeQword(0x2000, 0x3003);
        for (int i = 0; i < 512; i++) {
            mem.writeQword(0x3000 + 8L * i, ((long) i << 21) | 0x83);
        }
    }

    /** Assembles {@code source} (with its prologue already prepended) and points the CPU at it. */
    static TestMachine load(final String source) {
        final TestMachine m = new TestMachine();
        m.loadAt(Asm.ORIGIN, Asm.assemble(source));
        m.s.sel[CpuState.CS] = 0;
        m.s.segBase[CpuState.CS] = 0;
        m.s.rip = Asm.ORIGIN;
        return m;
    }

    static TestMachine real(final String body) {
        return load(REAL + body);
    }

    static TestMachine prot32(final String body) {
        return load(PROT32 + body);
    }

    static TestMachine long64(final String body) {
        return load(LONG64 + body);
    }

    void loadAt(final long pa, final byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            mem.writeByte(pa + i, bytes[i]);
        }
    }

    /** Runs up to a million instructions and expects the program to halt with interrupts off. */
    TestMachine runToHalt() {
        final int stop = cpu.run(1_000_000);
        if (stop != StopReason.HALT) {
            throw new AssertionError("expected HALT, got stop reason " + stop + "\n" + cpu.describe());
        }
        return this;
    }

    long reg(final int r) {
        return s.gpr[r];
    }

    long rax() {
        return s.gpr[Reg.RAX];
    }

    @Override
    public void close() {
        ram.close();
    }
}
