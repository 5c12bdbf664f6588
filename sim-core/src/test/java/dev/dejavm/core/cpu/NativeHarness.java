package dev.dejavm.core.cpu;

import dev.dejavm.core.bus.MmioBus;
import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.mem.GuestRam;
import dev.dejavm.core.mem.PhysicalMemory;
import dev.dejavm.core.time.Timeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Harness for the native differential test: 16 MiB of RAM at 0, no devices, code assembled with GNU as at test time. */
final class NativeHarness implements AutoCloseable {
    final GuestRam ram = new GuestRam(16 << 20);
    final MmioBus mmio = new MmioBus();
    final PortBus ports = new PortBus();
    final PhysicalMemory mem = new PhysicalMemory(mmio);
    final Timeline timeline = new Timeline();
    final CpuState s = new CpuState();
    final Interpreter cpu = new Interpreter(s, mem, ports, timeline);

    NativeHarness() {
        mem.mapRam(0, ram.size(), ram.segment(), 0);
        cpu.reset();
    }

    /** Assembles {@code source} (GNU as syntax) linked at {@code org} into a flat binary. */
    static byte[] assemble(final Path dir, final String source, final long org, final boolean is64) throws IOException, InterruptedException {
        final Path s = dir.resolve("t.S");
        final Path o = dir.resolve("t.o");
        final Path b = dir.resolve("t.bin");
        Files.writeString(s, source, StandardCharsets.US_ASCII);
        exec(dir, List.of("as", is64 ? "--64" : "--32", "-o", o.toString(), s.toString()));
        exec(dir, List.of("ld", is64 ? "-melf_x86_64" : "-melf_i386", "-Ttext=0x" + Long.toHexString(org), "--oformat", "binary",
                "-e", "0", "-o", b.toString(), o.toString()));
        return Files.readAllBytes(b);
    }

    static String exec(final Path dir, final List<String> cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    void load(final long addr, final byte[] code) {
        for (int i = 0; i < code.length; i++) {
            mem.writeByte(addr + i, code[i]);
        }
    }

    /**
     * Puts the CPU straight into 64-bit mode: identity-mapped 0-1 GiB with 2 MiB pages (tables at 0x1000), flat
     * CPL0 code (L=1) and data segments.
     */
    void enterLongMode(final long rip, final long rsp) {
        final long pml4 = 0x1000;
        final long pdpt = 0x2000;
        final long pd = 0x3000;
        mem.writeQword(pml4, pdpt | 3);
        mem.writeQword(pdpt, pd | 3);
        for (int i = 0; i < 512; i++) {
            mem.writeQword(pd + 8L * i, ((long) i << 21) | 0x83);
        }
        s.cr3 = pml4;
        s.cr4 = CpuState.CR4_PAE;
        s.efer = CpuState.EFER_LME | CpuState.EFER_LMA;
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_PG | CpuState.CR0_ET;
        for (int i = 0; i < 6; i++) {
            s.sel[i] = 0x10;
            s.segBase[i] = 0;
            s.segLimit[i] = 0xFFFFFFFFL;
            s.segAttr[i] = 0x93 | CpuState.ATTR_DB | CpuState.ATTR_G;
        }
        s.sel[CpuState.CS] = 0x08;
        s.segAttr[CpuState.CS] = 0x9B | CpuState.ATTR_L | CpuState.ATTR_G;
        s.rip = rip;
        s.gpr[4] = rsp;
        s.rflags = 2;
    }

    /** Runs until HLT with interrupts off (or the budget). */
    int run(final long budget) {
        return cpu.run(budget);
    }

    @Override
    public void close() {
        ram.close();
    }
}
