package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU benchmark's workload (benchmarks/mips: LZ77, heap sort and CRC-32 in freestanding C, 168 million
 * instructions) as a correctness test: the ROM built with gcc runs on the bare machine and must print the checksum
 * that the same C code prints when compiled for and run on the host CPU.
 */
class CpuWorkloadTest {
    private static final Path MIPS = Path.of("..", "benchmarks", "mips").toAbsolutePath().normalize();

    private static String exec(final Path dir, final String... cmd) throws Exception {
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    private static String checksum(final String text) {
        final Matcher m = Pattern.compile("checksum ([0-9a-f]{8})").matcher(text);
        assertTrue(m.find(), text);
        return m.group(1);
    }

    @Test
    void shouldComputeWhatTheHostComputesWhenRunningTheBenchmarkRom(@TempDir final Path dir) throws Exception {
        exec(dir, "bash", MIPS.resolve("build.sh").toString(), dir.toString());
        exec(dir, "gcc", "-O2", "-DHOST", MIPS.resolve("payload.c").toString(), "-o", dir.resolve("host").toString());
        final String host = checksum(exec(dir, dir.resolve("host").toString()));
        final Cli.Result r = Cli.run("run", "--machine", "bare", "--firmware", dir.resolve("bench.rom").toString(),
                "--memory", "32M", "--no-journal", "--quiet", "--debugcon", dir.resolve("out.txt").toString());
        assertTrue(r.out().contains("halt with interrupts off"), r::toString);
        final String ours = Files.readString(dir.resolve("out.txt"), StandardCharsets.ISO_8859_1);
        assertEquals(host, checksum(ours), ours);
        // Nothing but the work between the two RDTSCs: the TSC counts one tick per instruction here.
        final Matcher tsc = Pattern.compile("tsc ([0-9a-f]{16})").matcher(ours);
        assertTrue(tsc.find(), ours);
        assertTrue(Long.parseLong(tsc.group(1), 16) > 100_000_000L, ours);
    }
}
