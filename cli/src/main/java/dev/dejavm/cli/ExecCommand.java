package dev.dejavm.cli;

import dev.dejavm.core.bus.MmioBus;
import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.cpu.CpuState;
import dev.dejavm.core.cpu.Interpreter;
import dev.dejavm.core.cpu.StopReason;
import dev.dejavm.core.mem.GuestRam;
import dev.dejavm.core.mem.PhysicalMemory;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.platform.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code dejavm exec}: runs CPU tests given as JSON Lines (initial registers and memory, an instruction count)
 * through the interpreter and prints the final state of each, so that independent CPU test suites can be run
 * against it. The format is in the README ("CPU tests: dejavm exec").
 */
@Command(name = "exec", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run single-step CPU tests (JSON Lines: registers, memory, count) through the interpreter and "
                + "print each final state as one JSON line.",
        footer = {"", "Exit status: 0 every line ran; 2 a line was malformed (it gets an error object, the others run) "
                + "or the input cannot be read."})
final class ExecCommand implements Callable<Integer> {
    static final long MAX_MEMORY = 1L << 30;
    private static final String[] GPR64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
        "r11", "r12", "r13", "r14", "r15"};
    private static final String[] GPR32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    private static final String[] SEGS = {"es", "cs", "ss", "ds", "fs", "gs"};

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--in", paramLabel = "FILE|-", defaultValue = "-", description = "Tests, one JSON object per line (default: standard input).")
    String in;

    @Option(names = "--out", paramLabel = "FILE|-", defaultValue = "-", description = "Results, one JSON object per line (default: standard output).")
    String out;

    private GuestRam ram;
    private PhysicalMemory mem;
    private Interpreter cpu;
    private CpuState s;
    private final PortBus ports = new PortBus();
    private int ioReadValue = 0xFF;

    @Override
    public Integer call() throws IOException {
        final BufferedReader reader;
        try {
            reader = in.equals("-") ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(in), StandardCharsets.UTF_8);
        } catch (final NoSuchFileException e) {
            throw new BadInputException(in + ": no such file");
        }
        ports.map(0, 0x10000, new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return ioReadValue;
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                // port writes are not part of the test state
            }
        }, "exec");
        boolean malformed = false;
        final boolean toStdout = out.equals("-");
        final Writer w = toStdout ? spec.commandLine().getOut()
            : new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(Path.of(out)), StandardCharsets.UTF_8));
        try (reader) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String result;
                try {
                    final Object v = Json.parse(line);
                    if (!(v instanceof Map<?, ?> m)) {
                        throw new IllegalArgumentException("a test is a JSON object");
                    }
                    @SuppressWarnings("unchecked") final Map<String, Object> test = (Map<String, Object>) m;
                    result = run(test);
                } catch (final IllegalArgumentException | ClassCastException e) {
                    malformed = true;
                    final StringBuilder b = new StringBuilder("{\"line\":").append(n).append(",\"error\":");
                    Json.string(b, e.getMessage() == null ? e.toString() : e.getMessage());
                    result = b.append('}').toString();
                }
                w.write(result);
                w.write('\n');
            }
        } finally {
            if (toStdout) {
                w.flush();
            } else {
                w.close();
            }
            if (ram != null) {
                ram.close();
            }
        }
        return malformed ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    }

    private void machine(final long size) {
        if (ram != null && ram.size() == size) {
            // Zero only the pages the previous test touched.
            final MemorySegment seg = ram.segment();
            final MemorySegment zero = MemorySegment.ofArray(new byte[4096]);
            for (long off = 0; off < size; off += 4096) {
                final MemorySegment page = seg.asSlice(off, Math.min(4096, size - off));
                if (page.mismatch(zero.asSlice(0, page.byteSize())) >= 0) {
                    page.fill((byte) 0);
                }
            }
        } else {
            if (ram != null) {
                ram.close();
            }
            ram = new GuestRam(size);
            mem = new PhysicalMemory(new MmioBus());
            mem.mapRam(0, size, ram.segment(), 0);
            s = new CpuState();
            cpu = new Interpreter(s, mem, ports, new Timeline());
        }
        cpu.reset();
    }

    private String run(final Map<String, Object> t) {
        final String name = t.get("name") == null ? "" : String.valueOf(t.get("name"));
        final String mode = t.get("mode") == null ? "real" : String.valueOf(t.get("mode"));
        if (!mode.equals("real") && !mode.equals("protected") && !mode.equals("long")) {
            throw new IllegalArgumentException("mode must be real, protected or long, not " + mode);
        }
        final long size = t.containsKey("memorySize") ? Json.number(t.get("memorySize"), "memorySize") : 16L << 20;
        if (size < 4096 || size > MAX_MEMORY || (size & 4095) != 0) {
            throw new IllegalArgumentException("memorySize must be a multiple of 4096 between 4096 and " + MAX_MEMORY);
        }
        final long count = t.containsKey("count") ? Json.number(t.get("count"), "count") : 1;
        if (count < 0 || count > 100_000_000) {
            throw new IllegalArgumentException("count must be between 0 and 100000000");
        }
        ioReadValue = t.containsKey("ioReadValue") ? (int) Json.number(t.get("ioReadValue"), "ioReadValue") : 0xFF;
        final boolean stopAtHlt = Boolean.TRUE.equals(t.get("stopAtHlt"));
        machine(size);
        mem.setA20(!Boolean.FALSE.equals(t.get("a20")));

        // Mode defaults, then registers.
        s.cr0 = mode.equals("real") ? 0x10 : mode.equals("protected") ? 0x11 : 0x80000011L;
        s.efer = mode.equals("long") ? CpuState.EFER_LME | CpuState.EFER_LMA : 0;
        s.cr4 = mode.equals("long") ? CpuState.CR4_PAE : 0;
        s.idtrBase = 0;
        s.idtrLimit = mode.equals("real") ? 0x3FF : 0;
        s.rip = 0;
        s.gpr[4] = 0;
        s.gpr[2] = 0;
        final Map<String, Object> regs = map(t.get("regs"), "regs");
        final long[] selectors = new long[6];
        for (final Map.Entry<String, Object> e : regs.entrySet()) {
            final String k = e.getKey().toLowerCase(Locale.ROOT);
            final long v = Json.number(e.getValue(), "regs." + k);
            setRegister(k, v, selectors);
        }
        final Map<String, Object> segs = t.containsKey("segments") ? map(t.get("segments"), "segments") : Map.of();
        for (int i = 0; i < 6; i++) {
            s.sel[i] = (int) (selectors[i] & 0xFFFF);
            s.segBase[i] = (selectors[i] & 0xFFFF) << 4;
            s.segLimit[i] = 0xFFFF;
            s.segAttr[i] = i == CpuState.CS ? (mode.equals("long") ? 0x209B : 0x9B) : 0x93;
            if (segs.containsKey(SEGS[i])) {
                final Map<String, Object> d = map(segs.get(SEGS[i]), "segments." + SEGS[i]);
                if (d.containsKey("selector")) {
                    s.sel[i] = (int) (Json.number(d.get("selector"), "selector") & 0xFFFF);
                }
                if (d.containsKey("base")) {
                    s.segBase[i] = Json.number(d.get("base"), "segments." + SEGS[i] + ".base");
                }
                if (d.containsKey("limit")) {
                    s.segLimit[i] = Json.number(d.get("limit"), "segments." + SEGS[i] + ".limit") & 0xFFFFFFFFL;
                }
                if (d.containsKey("attr")) {
                    s.segAttr[i] = (int) Json.number(d.get("attr"), "segments." + SEGS[i] + ".attr");
                }
            }
        }
        if (t.containsKey("gdtr")) {
            final Map<String, Object> g = map(t.get("gdtr"), "gdtr");
            s.gdtrBase = Json.number(g.get("base"), "gdtr.base");
            s.gdtrLimit = (int) (Json.number(g.get("limit"), "gdtr.limit") & 0xFFFF);
        }
        if (t.containsKey("idtr")) {
            final Map<String, Object> g = map(t.get("idtr"), "idtr");
            s.idtrBase = Json.number(g.get("base"), "idtr.base");
            s.idtrLimit = (int) (Json.number(g.get("limit"), "idtr.limit") & 0xFFFF);
        }
        s.cpl = (s.cr0 & CpuState.CR0_PE) == 0 ? 0 : s.sel[CpuState.CS] & 3;
        readVectorState(t, s);

        // Memory.
        final TreeSet<Long> addresses = new TreeSet<>();
        if (t.containsKey("memory")) {
            if (!(t.get("memory") instanceof List<?> list)) {
                throw new IllegalArgumentException("memory must be an array of [address, byte] pairs");
            }
            for (final Object o : list) {
                if (!(o instanceof List<?> pair) || pair.size() != 2) {
                    throw new IllegalArgumentException("memory entries are [address, byte] pairs");
                }
                final long a = Json.number(pair.get(0), "memory address");
                final long b = Json.number(pair.get(1), "memory byte");
                if (a < 0 || a >= size) {
                    throw new IllegalArgumentException("memory address 0x" + Long.toHexString(a) + " is outside memorySize");
                }
                if (b < 0 || b > 255) {
                    throw new IllegalArgumentException("memory byte " + b + " at 0x" + Long.toHexString(a) + " is not 0-255");
                }
                ram.segment().set(ValueLayout.JAVA_BYTE, a, (byte) b);
                addresses.add(a);
            }
        }
        cpu.flushCaches();

        // Execute.
        long completed = 0;
        boolean halted = false;
        boolean tripleFault = false;
        final long before = cpu.exceptionsRaised();
        for (long k = 0; k < count; k++) {
            final long raised = cpu.exceptionsRaised();
            final int stop = cpu.run(1);
            if (stop == StopReason.TRIPLE_FAULT) {
                tripleFault = true;
                break;
            }
            if (stop == StopReason.HALT) {
                halted = true;
                break;
            }
            if (cpu.exceptionsRaised() == raised) {
                completed++;
            }
            if (s.halted) {
                halted = true;
                if (stopAtHlt) {
                    break;
                }
            }
        }
        halted |= s.halted;

        // Result.
        final StringBuilder b = new StringBuilder(512);
        b.append("{\"name\":");
        Json.string(b, name);
        b.append(",\"regs\":{");
        for (int i = 0; i < 16; i++) {
            b.append('"').append(GPR64[i]).append("\":");
            Json.unsigned(b, s.gpr[i]);
            b.append(',');
        }
        for (int i = 0; i < 8; i++) {
            b.append('"').append(GPR32[i]).append("\":").append(s.gpr[i] & 0xFFFFFFFFL).append(',');
        }
        b.append("\"rip\":");
        Json.unsigned(b, s.rip);
        b.append(",\"eip\":").append(s.rip & 0xFFFFFFFFL);
        b.append(",\"rflags\":").append(cpu.rflags()).append(",\"eflags\":").append(cpu.rflags() & 0xFFFFFFFFL);
        for (int i = 0; i < 6; i++) {
            b.append(",\"").append(SEGS[i]).append("\":").append(s.sel[i]);
        }
        b.append(",\"cr0\":");
        Json.unsigned(b, s.cr0);
        b.append(",\"cr2\":");
        Json.unsigned(b, s.cr2);
        b.append(",\"cr3\":");
        Json.unsigned(b, s.cr3);
        b.append(",\"cr4\":");
        Json.unsigned(b, s.cr4);
        b.append(",\"efer\":");
        Json.unsigned(b, s.efer);
        b.append("},\"segments\":{");
        for (int i = 0; i < 6; i++) {
            b.append(i > 0 ? "," : "").append('"').append(SEGS[i]).append("\":{\"selector\":").append(s.sel[i]).append(",\"base\":");
            Json.unsigned(b, s.segBase[i]);
            b.append(",\"limit\":").append(s.segLimit[i]).append(",\"attr\":").append(s.segAttr[i]).append('}');
        }
        b.append("},\"gdtr\":{\"base\":");
        Json.unsigned(b, s.gdtrBase);
        b.append(",\"limit\":").append(s.gdtrLimit).append("},\"idtr\":{\"base\":");
        Json.unsigned(b, s.idtrBase);
        b.append(",\"limit\":").append(s.idtrLimit).append('}');
        writeVectorState(b, s);
        b.append(",\"memory\":[");
        // Every input address, and every byte that is no longer zero (all memory starts zeroed).
        final MemorySegment seg = ram.segment();
        final MemorySegment zero = MemorySegment.ofArray(new byte[4096]);
        for (long off = 0; off < size; off += 4096) {
            final MemorySegment page = seg.asSlice(off, Math.min(4096, size - off));
            if (page.mismatch(zero.asSlice(0, page.byteSize())) >= 0) {
                for (long a = 0; a < page.byteSize(); a++) {
                    if (page.get(ValueLayout.JAVA_BYTE, a) != 0) {
                        addresses.add(off + a);
                    }
                }
            }
        }
        boolean first = true;
        for (final long a : addresses) {
            b.append(first ? "" : ",").append('[').append(a).append(',').append(seg.get(ValueLayout.JAVA_BYTE, a) & 0xFF).append(']');
            first = false;
        }
        b.append("],\"exception\":");
        if (cpu.exceptionsRaised() != before) {
            b.append("{\"vector\":").append(cpu.raisedVector()).append(",\"errorCode\":").append(cpu.raisedErrorCode()).append('}');
        } else {
            b.append("null");
        }
        b.append(",\"instructions\":").append(completed).append(",\"halted\":").append(halted)
            .append(",\"tripleFault\":").append(tripleFault).append('}');
        return b.toString();
    }

    private void setRegister(final String k, final long v, final long[] selectors) {
        for (int i = 0; i < 16; i++) {
            if (k.equals(GPR64[i])) {
                s.gpr[i] = v;
                return;
            }
        }
        for (int i = 0; i < 8; i++) {
            if (k.equals(GPR32[i])) {
                s.gpr[i] = v & 0xFFFFFFFFL;
                return;
            }
        }
        for (int i = 0; i < 6; i++) {
            if (k.equals(SEGS[i])) {
                selectors[i] = v;
                return;
            }
        }
        switch (k) {
            case "rip", "eip", "ip" -> s.rip = v;
            case "rflags", "eflags", "flags" -> s.rflags = (v & 0x3F7FD7L) | 2;
            case "cr0" -> s.cr0 = v;
            case "cr2" -> s.cr2 = v;
            case "cr3" -> s.cr3 = v;
            case "cr4" -> s.cr4 = v;
            case "efer" -> s.efer = v;
            default -> throw new IllegalArgumentException("unknown register " + k);
        }
    }

    /**
     * The x87, MMX and SSE state: {@code "fpu": {"fcw", "fsw", "ftw" (the full 16-bit tag word), "r": eight
     * [significand, sign-and-exponent] pairs for the physical registers R0-R7, as FNSAVE stores them}},
     * {@code "mxcsr"}, and {@code "xmm": sixteen [bits 63:0, bits 127:64] pairs}. Each part is optional on input;
     * what is left out keeps its power-on value (SDM Vol. 3A, Table 10-1: FCW 0x0040, FTW 0x5555, MXCSR 0x1F80).
     */
    private static void readVectorState(final Map<String, Object> t, final CpuState s) {
        if (t.containsKey("fpu")) {
            final Map<String, Object> f = map(t.get("fpu"), "fpu");
            if (f.containsKey("fcw")) {
                s.fpuControl = (int) (Json.number(f.get("fcw"), "fpu.fcw") & 0xFFFF);
            }
            if (f.containsKey("fsw")) {
                s.fpuStatus = (int) (Json.number(f.get("fsw"), "fpu.fsw") & 0xFFFF);
            }
            if (f.containsKey("ftw")) {
                s.fpuTag = (int) (Json.number(f.get("ftw"), "fpu.ftw") & 0xFFFF);
            }
            if (f.containsKey("r")) {
                final List<?> regs = list(f.get("r"), "fpu.r", 8);
                for (int i = 0; i < 8; i++) {
                    final List<?> pair = list(regs.get(i), "fpu.r[" + i + "]", 2);
                    s.fpSig[i] = Json.number(pair.get(0), "fpu.r significand");
                    s.fpExp[i] = (int) (Json.number(pair.get(1), "fpu.r sign and exponent") & 0xFFFF);
                }
            }
        }
        if (t.containsKey("mxcsr")) {
            s.mxcsr = (int) (Json.number(t.get("mxcsr"), "mxcsr") & 0xFFFF);
        }
        if (t.containsKey("xmm")) {
            final List<?> regs = list(t.get("xmm"), "xmm", 16);
            for (int i = 0; i < 16; i++) {
                final List<?> pair = list(regs.get(i), "xmm[" + i + "]", 2);
                s.xmm[2 * i] = Json.number(pair.get(0), "xmm low");
                s.xmm[2 * i + 1] = Json.number(pair.get(1), "xmm high");
            }
        }
    }

    private static void writeVectorState(final StringBuilder b, final CpuState s) {
        b.append(",\"fpu\":{\"fcw\":").append(s.fpuControl).append(",\"fsw\":").append(s.fpuStatus)
            .append(",\"ftw\":").append(s.fpuTag).append(",\"r\":[");
        for (int i = 0; i < 8; i++) {
            b.append(i > 0 ? ",[" : "[");
            Json.unsigned(b, s.fpSig[i]);
            b.append(',').append(s.fpExp[i] & 0xFFFF).append(']');
        }
        b.append("]},\"mxcsr\":").append(s.mxcsr).append(",\"xmm\":[");
        for (int i = 0; i < 16; i++) {
            b.append(i > 0 ? ",[" : "[");
            Json.unsigned(b, s.xmm[2 * i]);
            b.append(',');
            Json.unsigned(b, s.xmm[2 * i + 1]);
            b.append(']');
        }
        b.append(']');
    }

    private static List<?> list(final Object v, final String what, final int length) {
        if (!(v instanceof List<?> l) || l.size() != length) {
            throw new IllegalArgumentException(what + " must be an array of " + length);
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object v, final String what) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(what + " must be an object");
        }
        return (Map<String, Object>) v;
    }
}
