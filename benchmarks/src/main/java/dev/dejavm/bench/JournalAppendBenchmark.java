package dev.dejavm.bench;

import dev.dejavm.core.event.Engine;
import dev.dejavm.core.event.ExecutionStamp;
import dev.dejavm.trace.journal.JournalHeader;
import dev.dejavm.trace.journal.JournalWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Cost of journaling one event (record image, CRC-32C, SHA-256 update, Chronicle append). Run with -prof gc for B/op. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dchronicle.analytics.disable=true", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JournalAppendBenchmark implements ExecutionStamp {
    private Path dir;
    private JournalWriter writer;
    private long i;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("dejavm-bench");
        writer = JournalWriter.create(dir.resolve("j"), JournalHeader.create("bench", Map.of(), "00"), this);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        writer.close();
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void appendPioWrite() {
        writer.onEvent(2, 0, 0x402, 1, i++ & 0xFF);
    }

    @Override
    public long icount() {
        return i;
    }

    @Override
    public long cycles() {
        return i;
    }

    @Override
    public long rip() {
        return 0xF0000 + (i & 0xFFFF);
    }

    @Override
    public int engine() {
        return Engine.INTERPRETER;
    }

    public static void main(final String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(JournalAppendBenchmark.class.getSimpleName()).build()).run();
    }
}
