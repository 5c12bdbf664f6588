package dev.dejavm.decoder.oracle;

import dev.dejavm.decoder.DecodeStatus;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Zydis 4 (Debian {@code libzydis-dev}), an independent x86 decoder, called through the FFM API: the reference for
 * the decoder's differential tests and benchmark.
 *
 * <p>Structure layouts are not hand-counted: {@code zydis_layout.c} (a test resource) is compiled with gcc against
 * the installed headers at first use and prints every offset and size read here.
 *
 * <p>The decoder runs with Zydis's defaults (an Intel CPU: AMD branch semantics off), with MPX turned off (0F 1A/1B
 * decode as the reserved NOPs of CPUs without MPX, as dejavm's decoder does) and Knights Corner off. One instance per mode;
 * not thread-safe; {@link #decodeLength} and {@link #decodeFull} do not allocate.
 */
public final class ZydisOracle implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Map<String, long[]> LAYOUT;
    private static final String UNAVAILABLE;
    private static final MethodHandle DECODER_INIT, ENABLE_MODE, DECODE_INSTRUCTION, DECODE_FULL, FORMATTER_INIT,
        FORMAT, MNEMONIC_STRING, REGISTER_STRING, ISA_EXT_STRING, ISA_SET_STRING, CATEGORY_STRING;

    static {
        Map<String, long[]> layout = null;
        String why = null;
        MethodHandle init = null, enable = null, decInsn = null, decFull = null, fmtInit = null, fmt = null, mn = null,
            reg = null, ext = null, set = null, cat = null;
        try {
            final SymbolLookup lib = lookup();
            layout = layout();
            init = handle(lib, "ZydisDecoderInit", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            enable = handle(lib, "ZydisDecoderEnableMode", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_BYTE));
            // The buffer pointer is passed as a 64-bit integer (same register under the SysV x86-64 ABI), so that a
            // sweep over one buffer needs no MemorySegment per call.
            decInsn = handle(lib, "ZydisDecoderDecodeInstruction", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
            decFull = handle(lib, "ZydisDecoderDecodeFull", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            fmtInit = handle(lib, "ZydisFormatterInit", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT));
            fmt = handle(lib, "ZydisFormatterFormatInstruction", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_BYTE, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
            final FunctionDescriptor str = FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
            mn = handle(lib, "ZydisMnemonicGetString", str);
            reg = handle(lib, "ZydisRegisterGetString", str);
            ext = handle(lib, "ZydisISAExtGetString", str);
            set = handle(lib, "ZydisISASetGetString", str);
            cat = handle(lib, "ZydisCategoryGetString", str);
        } catch (final Throwable t) {
            why = t.getMessage() == null ? t.toString() : t.getMessage();
        }
        LAYOUT = layout;
        UNAVAILABLE = why;
        DECODER_INIT = init;
        ENABLE_MODE = enable;
        DECODE_INSTRUCTION = decInsn;
        DECODE_FULL = decFull;
        FORMATTER_INIT = fmtInit;
        FORMAT = fmt;
        MNEMONIC_STRING = mn;
        REGISTER_STRING = reg;
        ISA_EXT_STRING = ext;
        ISA_SET_STRING = set;
        CATEGORY_STRING = cat;
    }

    private static SymbolLookup lookup() {
        for (final String name : new String[] {"libZydis.so.4.0", "libZydis.so.4", "libZydis.so"}) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (final IllegalArgumentException e) {
                // try the next name
            }
        }
        throw new IllegalStateException("libZydis (Debian package libzydis-dev) is not installed");
    }

    private static MethodHandle handle(final SymbolLookup lib, final String name, final FunctionDescriptor fd) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("libZydis lacks " + name)), fd);
    }

    /** Compiles and runs zydis_layout.c; returns name -> {offset, size}. */
    private static Map<String, long[]> layout() throws IOException, InterruptedException {
        final Path dir = Files.createTempDirectory("dejavm-zydis-layout");
        try {
            final Path src = dir.resolve("zydis_layout.c");
            try (InputStream in = ZydisOracle.class.getResourceAsStream("/zydis_layout.c")) {
                if (in == null) {
                    throw new IllegalStateException("zydis_layout.c is missing from the test resources");
                }
                Files.write(src, in.readAllBytes());
            }
            final Path exe = dir.resolve("zydis_layout");
            run(List.of("gcc", "-o", exe.toString(), src.toString()), "gcc could not build zydis_layout.c (are gcc and libzydis-dev installed?)");
            final String out = run(List.of(exe.toString()), "zydis_layout failed");
            final Map<String, long[]> m = new HashMap<>();
            for (final String line : out.split("\n")) {
                final int eq = line.indexOf('=');
                final int colon = line.lastIndexOf(':');
                if (eq > 0 && colon > eq) {
                    m.put(line.substring(0, eq), new long[] {Long.parseLong(line.substring(eq + 1, colon)),
                        Long.parseLong(line.substring(colon + 1))});
                }
            }
            return m;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String run(final List<String> cmd, final String what) throws IOException, InterruptedException {
        final Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (final IOException e) {
            throw new IllegalStateException(what + ": " + e.getMessage());
        }
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(what + ":\n" + out);
        }
        return out;
    }

    /** True when libZydis, its headers and gcc are all present. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the oracle is unavailable, or null. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static long off(final String name) {
        return LAYOUT.get(name)[0];
    }

    private static int size(final String name) {
        return (int) LAYOUT.get(name)[1];
    }

    private static int constant(final String name) {
        return (int) LAYOUT.get(name)[1];
    }

    // Offsets, resolved once.
    private static final long INSN_SIZE = available() ? size("insn") : 0;
    private static final long OPERAND_SIZE = available() ? size("operand") : 0;
    private static final long O_LENGTH = available() ? off("insn.length") : 0;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment decoder;
    private final MemorySegment insn;
    private final MemorySegment operands;
    private final MemorySegment formatter;
    private final MemorySegment text;
    private final MemorySegment scratch;
    private final int mode;
    private int lastStatus;
    private int lastRaw;

    public ZydisOracle(final int mode) {
        if (!available()) {
            throw new IllegalStateException("Zydis is unavailable: " + UNAVAILABLE);
        }
        this.mode = mode;
        decoder = arena.allocate(size("decoder"), 16);
        insn = arena.allocate(INSN_SIZE, 16);
        operands = arena.allocate(OPERAND_SIZE * constant("max_operands"), 16);
        formatter = arena.allocate(size("formatter"), 16);
        text = arena.allocate(256);
        scratch = arena.allocate(16);
        final int machine = switch (mode) {
            case 16 -> constant("MODE_LEGACY_16");
            case 32 -> constant("MODE_LEGACY_32");
            case 64 -> constant("MODE_LONG_64");
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        final int stack = constant(mode == 16 ? "STACK_16" : mode == 32 ? "STACK_32" : "STACK_64");
        try {
            check((int) DECODER_INIT.invokeExact(decoder, machine, stack), "ZydisDecoderInit");
            check((int) ENABLE_MODE.invokeExact(decoder, constant("DECODER_MODE_MPX"), (byte) 0), "ZydisDecoderEnableMode");
            check((int) ENABLE_MODE.invokeExact(decoder, constant("DECODER_MODE_KNC"), (byte) 0), "ZydisDecoderEnableMode");
            check((int) FORMATTER_INIT.invokeExact(formatter, constant("STYLE_INTEL")), "ZydisFormatterInit");
        } catch (final RuntimeException e) {
            throw e;
        } catch (final Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int mode() {
        return mode;
    }

    private static void check(final int status, final String what) {
        if (status < 0) {
            throw new IllegalStateException(what + " failed: status 0x" + Integer.toHexString(status));
        }
    }

    /**
     * Decodes the instruction only (no operands) from a native segment.
     * @return its length, or -status ({@link DecodeStatus})
     */
    public int decodeLength(final MemorySegment buf, final long offset, final long available) {
        if (offset < 0 || available < 0 || offset + available > buf.byteSize() || !buf.isNative()) {
            throw new IndexOutOfBoundsException("offset " + offset + " + " + available + " outside a native segment of " + buf.byteSize());
        }
        final int status;
        try {
            status = (int) DECODE_INSTRUCTION.invokeExact(decoder, MemorySegment.NULL, buf.address() + offset, available, insn);
        } catch (final Throwable t) {
            throw new IllegalStateException(t);
        }
        return result(status);
    }

    /** Decodes the instruction and its operands from a native segment. @return its length, or -status */
    public int decodeFull(final MemorySegment buf, final long offset, final long available) {
        if (offset < 0 || available < 0 || offset + available > buf.byteSize() || !buf.isNative()) {
            throw new IndexOutOfBoundsException("offset " + offset + " + " + available + " outside a native segment of " + buf.byteSize());
        }
        final int status;
        try {
            status = (int) DECODE_FULL.invokeExact(decoder, buf.address() + offset, available, insn, operands);
        } catch (final Throwable t) {
            throw new IllegalStateException(t);
        }
        return result(status);
    }

    private int result(final int status) {
        lastRaw = status;
        if (status >= 0) {
            lastStatus = DecodeStatus.OK;
            return insn.get(ValueLayout.JAVA_BYTE, O_LENGTH) & 0xff;
        }
        lastStatus = status == (int) LAYOUT.get("STATUS_NO_MORE_DATA")[1] ? DecodeStatus.TRUNCATED
            : status == (int) LAYOUT.get("STATUS_TOO_LONG")[1] ? DecodeStatus.TOO_LONG : DecodeStatus.INVALID;
        return -lastStatus;
    }

    /** {@link DecodeStatus} of the last decode. */
    public int lastStatus() {
        return lastStatus;
    }

    /** The raw Zydis status of the last decode, in hex. */
    public String lastRawStatus() {
        return "0x" + Integer.toHexString(lastRaw);
    }

    /** One operand as Zydis reports it (explicit and implicit ones; hidden ones are left out). */
    public record Operand(String type, boolean explicit, int sizeBits, String reg, String segment, String base,
                          String index, int scale, boolean hasDisp, long disp, long imm, boolean immSigned,
                          boolean immRelative, int ptrSegment, long ptrOffset, String memType) {
    }

    /** A fully decoded instruction. */
    public record Insn(int status, int length, String mnemonic, String isaExt, String isaSet, String category,
                       int operandWidth, int addressWidth, String encoding, long attributes, List<Operand> operands,
                       String formatted) {
    }

    /** Decodes {@code bytes[offset..offset+length)} with everything Zydis reports (allocates). */
    public Insn decode(final byte[] bytes, final int offset, final int length) {
        final int n = Math.min(15, Math.min(length, bytes.length - offset));
        MemorySegment.copy(bytes, offset, scratch, ValueLayout.JAVA_BYTE, 0, Math.max(0, n));
        final int r = decodeFull(scratch, 0, Math.max(0, n));
        if (r < 0) {
            return new Insn(lastStatus, 0, null, null, null, null, 0, 0, null, 0, List.of(), null);
        }
        final int count = insn.get(ValueLayout.JAVA_BYTE, off("insn.operand_count")) & 0xff;
        final List<Operand> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final MemorySegment o = operands.asSlice(i * OPERAND_SIZE, OPERAND_SIZE);
            final int vis = o.get(ValueLayout.JAVA_INT, off("op.visibility"));
            if (vis == constant("VISIBILITY_HIDDEN")) {
                continue;
            }
            final int type = o.get(ValueLayout.JAVA_INT, off("op.type"));
            final int size = o.get(ValueLayout.JAVA_SHORT, off("op.size")) & 0xffff;
            final boolean explicit = vis == constant("VISIBILITY_EXPLICIT");
            if (type == constant("OPERAND_TYPE_REGISTER")) {
                ops.add(new Operand("reg", explicit, size, reg(o.get(ValueLayout.JAVA_INT, off("op.reg"))), null, null, null,
                    0, false, 0, 0, false, false, 0, 0, null));
            } else if (type == constant("OPERAND_TYPE_MEMORY")) {
                final int mt = o.get(ValueLayout.JAVA_INT, off("op.mem.type"));
                final String memType = mt == constant("MEMOP_AGEN") ? "agen" : mt == constant("MEMOP_MIB") ? "mib"
                    : mt == constant("MEMOP_VSIB") ? "vsib" : "mem";
                ops.add(new Operand("mem", explicit, size, null, reg(o.get(ValueLayout.JAVA_INT, off("op.mem.segment"))),
                    reg(o.get(ValueLayout.JAVA_INT, off("op.mem.base"))), reg(o.get(ValueLayout.JAVA_INT, off("op.mem.index"))),
                    o.get(ValueLayout.JAVA_BYTE, off("op.mem.scale")) & 0xff, o.get(ValueLayout.JAVA_BYTE, off("op.mem.has_disp")) != 0,
                    o.get(ValueLayout.JAVA_LONG, off("op.mem.disp")), 0, false, false, 0, 0, memType));
            } else if (type == constant("OPERAND_TYPE_POINTER")) {
                ops.add(new Operand("ptr", explicit, size, null, null, null, null, 0, false, 0, 0, false, false,
                    o.get(ValueLayout.JAVA_SHORT, off("op.ptr.segment")) & 0xffff,
                    o.get(ValueLayout.JAVA_INT, off("op.ptr.offset")) & 0xffffffffL, null));
            } else if (type == constant("OPERAND_TYPE_IMMEDIATE")) {
                ops.add(new Operand("imm", explicit, size, null, null, null, null, 0, false, 0,
                    o.get(ValueLayout.JAVA_LONG, off("op.imm.value")), o.get(ValueLayout.JAVA_BYTE, off("op.imm.signed")) != 0,
                    o.get(ValueLayout.JAVA_BYTE, off("op.imm.relative")) != 0, 0, 0, null));
            }
        }
        final int enc = insn.get(ValueLayout.JAVA_INT, off("insn.encoding"));
        final String encoding = enc == constant("ENCODING_EVEX") ? "evex" : enc == constant("ENCODING_MVEX") ? "mvex"
            : enc == constant("ENCODING_XOP") ? "xop" : enc == constant("ENCODING_3DNOW") ? "3dnow"
            : enc == constant("ENCODING_VEX") ? "vex" : "legacy";
        String formatted = null;
        try {
            final int st = (int) FORMAT.invokeExact(formatter, insn, operands,
                insn.get(ValueLayout.JAVA_BYTE, off("insn.operand_count_visible")), text, 256L, 0L, MemorySegment.NULL);
            if (st >= 0) {
                formatted = text.getString(0);
            }
        } catch (final Throwable t) {
            throw new IllegalStateException(t);
        }
        return new Insn(DecodeStatus.OK, r, string(MNEMONIC_STRING, insn.get(ValueLayout.JAVA_INT, off("insn.mnemonic"))),
            string(ISA_EXT_STRING, insn.get(ValueLayout.JAVA_INT, off("insn.isa_ext"))),
            string(ISA_SET_STRING, insn.get(ValueLayout.JAVA_INT, off("insn.isa_set"))),
            string(CATEGORY_STRING, insn.get(ValueLayout.JAVA_INT, off("insn.category"))),
            insn.get(ValueLayout.JAVA_BYTE, off("insn.operand_width")) & 0xff,
            insn.get(ValueLayout.JAVA_BYTE, off("insn.address_width")) & 0xff, encoding,
            insn.get(ValueLayout.JAVA_LONG, off("insn.attributes")), List.copyOf(ops), formatted);
    }

    private static String reg(final int r) {
        return r == 0 ? null : string(REGISTER_STRING, r);
    }

    private static String string(final MethodHandle h, final int id) {
        try {
            final MemorySegment p = (MemorySegment) h.invokeExact(id);
            return p.equals(MemorySegment.NULL) ? null : p.reinterpret(256).getString(0).toLowerCase(java.util.Locale.ROOT);
        } catch (final Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
