package dev.dejavm.bench;

import dev.dejavm.core.event.EventSink;
import dev.dejavm.platform.board.Consoles;
import dev.dejavm.platform.board.Machine;
import dev.dejavm.platform.board.MachineConfig;
import dev.dejavm.platform.board.Outcome;
import dev.dejavm.platform.board.RunResult;
import dev.dejavm.platform.firmware.FirmwareImage;
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
import java.util.concurrent.TimeUnit;

/**
 * One complete boot of the bundled firmware (reset vector to ACPI power-off, 2,186,473 instructions, 913 device
 * events) with the journal off and on. Interpreter speed in MIPS = 2.186473 / (ms per boot).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dchronicle.analytics.disable=true", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class BootBenchmark {
    private FirmwareImage firmware;
    private Path dir;
    private int n;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        firmware = FirmwareImage.builtin("builtin");
        dir = Files.createTempDirectory("dejavm-bench");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static RunResult check(final RunResult r) {
        if (r.outcome() != Outcome.POWER_OFF) {
            throw new IllegalStateException("boot ended with " + r.outcome());
        }
        return r;
    }

    @Benchmark
    public RunResult bootJournalOff() {
        try (Machine m = new Machine(MachineConfig.defaults(), firmware, Consoles.NONE)) {
            m.setEventSink(EventSink.NONE);
            return check(m.run());
        }
    }

    @Benchmark
    public RunResult bootJournalOn() {
        final MachineConfig config = MachineConfig.defaults();
        try (Machine m = new Machine(config, firmware, Consoles.NONE);
             JournalWriter w = JournalWriter.create(dir.resolve("j" + n++), JournalHeader.create("bench", config.toMap(), firmware.sha256()), m.stamp())) {
            m.setEventSink(w);
            return check(m.run());
        }
    }

    public static void main(final String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(BootBenchmark.class.getSimpleName()).build()).run();
    }
}
