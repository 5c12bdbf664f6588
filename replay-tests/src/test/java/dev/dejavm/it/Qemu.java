package dev.dejavm.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * QEMU as the reference machine: runs a ROM image under {@code qemu-system-x86_64 -machine pc} (or q35) with TCG and
 * {@code -icount shift=0} (one instruction = 1 ns, the convention dejavm uses) and a VM-clock RTC, and returns what
 * the guest wrote to debugcon (port 0x402) and COM1. The run is stopped once the debugcon text contains
 * {@code untilMarker} or the time-out expires.
 */
final class Qemu {
    static final String BINARY = "qemu-system-x86_64";

    record Output(String debugcon, String com1) {
    }

    private Qemu() {
    }

    static boolean available() {
        try {
            final Process p = new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (final IOException | InterruptedException e) {
            return false;
        }
    }

    static Output run(final Path rom, final Path work, final String untilMarker, final List<String> extraArgs)
            throws IOException, InterruptedException {
        return run("pc", rom, work, untilMarker, extraArgs);
    }

    /** As {@link #run(Path, Path, String, List)} on QEMU's {@code machine} ("pc" or "q35"). */
    static Output run(final String machine, final Path rom, final Path work, final String untilMarker, final List<String> extraArgs)
            throws IOException, InterruptedException {
        final List<String> args = new ArrayList<>(List.of("-bios", rom.toString()));
        args.addAll(extraArgs);
        return runWith(machine, work, untilMarker, args);
    }

    /** QEMU on {@code machine} with the firmware given by {@code args} (-bios, or -drive if=pflash pairs). */
    static Output runWith(final String machine, final Path work, final String untilMarker, final List<String> args)
            throws IOException, InterruptedException {
        final Path dc = work.resolve("qemu-debugcon.txt");
        final Path com1 = work.resolve("qemu-com1.txt");
        final List<String> cmd = new ArrayList<>(List.of(BINARY, "-machine", machine, "-accel", "tcg", "-m", "128",
                "-display", "none", "-nodefaults",
                "-debugcon", "file:" + dc, "-global", "isa-debugcon.iobase=0x402", "-serial", "file:" + com1,
                "-icount", "shift=0,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm", "-no-reboot"));
        cmd.addAll(args);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("qemu.log").toFile()).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline && p.isAlive()) {
                if ((Files.exists(dc) && Files.readString(dc, StandardCharsets.ISO_8859_1).contains(untilMarker))
                        || (Files.exists(com1) && Files.readString(com1, StandardCharsets.ISO_8859_1).contains(untilMarker))) {
                    Thread.sleep(200); // let the rest of the line land
                    break;
                }
                Thread.sleep(20);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return new Output(Files.exists(dc) ? Files.readString(dc, StandardCharsets.ISO_8859_1) : "",
                Files.exists(com1) ? Files.readString(com1, StandardCharsets.ISO_8859_1) : "");
    }
}
