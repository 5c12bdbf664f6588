package dev.dejavm.bench;

import dev.dejavm.decoder.DecodeStatus;
import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Decoder;
import dev.dejavm.decoder.oracle.ZydisOracle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput, dejavm against Zydis 4 (through FFM), on the same 4 MiB of real 64-bit code: the {@code .text}
 * of the largest of a few shared libraries found on the machine (libLLVM if present). Each operation is one byte of
 * the buffer, so JMH's {@code ops/us} reads directly as MB/s; the ratio of the scores is the speed ratio.
 *
 * <ul>
 *   <li>{@code dejavm}: linear sweep with {@link Decoder#decode}: length, form, operands, immediates.</li>
 *   <li>{@code zydisInstruction}: {@code ZydisDecoderDecodeInstruction} (no operands), the cheapest Zydis call.</li>
 *   <li>{@code zydisFull}: {@code ZydisDecoderDecodeFull}, instruction and operands, comparable in work to dejavm's.</li>
 * </ul>
 * Run {@code benchmarks/run.sh DecoderBenchmark -prof gc} (needs libzydis-dev and gcc); {@code gc.alloc.rate.norm}
 * is per byte decoded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecoderBenchmark {
    static final int SIZE = 4 << 20;

    private byte[] code;
    private MemorySegment native_;
    private Arena arena;
    private final Decoder decoder = new Decoder();
    private final DecodedInsn insn = new DecodedInsn();
    private ZydisOracle zydis;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        code = realCode();
        arena = Arena.ofShared();
        native_ = arena.allocate(SIZE + 16);
        MemorySegment.copy(code, 0, native_, ValueLayout.JAVA_BYTE, 0, SIZE);
        if (!ZydisOracle.available()) {
            throw new IllegalStateException("Zydis is unavailable: " + ZydisOracle.unavailableReason());
        }
        zydis = new ZydisOracle(64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        zydis.close();
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long dejavm() {
        long sum = 0;
        int off = 0;
        while (off < SIZE) {
            decoder.decode(code, off, SIZE, 64, insn);
            final int len = insn.status == DecodeStatus.OK ? insn.length : 1;
            sum += insn.id + len;
            off += len;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long zydisInstruction() {
        long sum = 0;
        long off = 0;
        while (off < SIZE) {
            final int r = zydis.decodeLength(native_, off, Math.min(15, SIZE - off));
            final int len = r > 0 ? r : 1;
            sum += len;
            off += len;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long zydisFull() {
        long sum = 0;
        long off = 0;
        while (off < SIZE) {
            final int r = zydis.decodeFull(native_, off, Math.min(15, SIZE - off));
            final int len = r > 0 ? r : 1;
            sum += len;
            off += len;
        }
        return sum;
    }

    /** 4 MiB of the .text of real shared libraries, largest first (repeated if they are smaller). */
    static byte[] realCode() throws IOException {
        final String[] candidates = {"/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", "/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1",
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/bash"};
        final byte[] out = new byte[SIZE];
        int filled = 0;
        while (filled < SIZE) {
            final int before = filled;
            for (final String c : candidates) {
                final Path p = Path.of(c);
                if (!Files.exists(p) || filled >= SIZE) {
                    continue;
                }
                final byte[] text = text(Files.readAllBytes(p.toRealPath()));
                final int n = Math.min(text.length, SIZE - filled);
                System.arraycopy(text, 0, out, filled, n);
                filled += n;
            }
            if (filled == before) {
                throw new IllegalStateException("no shared library with a .text section found");
            }
        }
        return out;
    }

    static byte[] text(final byte[] elf) {
        final ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        final long shoff = b.getLong(0x28);
        final int shentsize = b.getShort(0x3A) & 0xffff;
        final int shnum = b.getShort(0x3C) & 0xffff;
        final int shstrndx = b.getShort(0x3E) & 0xffff;
        final long strOff = b.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
        for (int i = 0; i < shnum; i++) {
            final int sh = (int) (shoff + (long) i * shentsize);
            int end = (int) strOff + b.getInt(sh);
            final int start = end;
            while (elf[end] != 0) {
                end++;
            }
            if (new String(elf, start, end - start, StandardCharsets.US_ASCII).equals(".text")) {
                final int off = (int) b.getLong(sh + 0x18);
                final int size = (int) b.getLong(sh + 0x20);
                return java.util.Arrays.copyOfRange(elf, off, off + size);
            }
        }
        throw new IllegalStateException("no .text section");
    }
}
