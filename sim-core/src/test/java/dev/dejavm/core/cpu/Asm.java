package dev.dejavm.core.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Assembles test snippets at test time with GNU binutils ({@code as --64}, {@code ld -Ttext}, raw binary out).
 * The source may switch between {@code .code16}, {@code .code32} and {@code .code64}; it is linked at
 * {@link #ORIGIN} and starts at its first byte.
 */
final class Asm {
    /** Link (and load) address of every snippet. */
    static final long ORIGIN = 0x7C00;

    private static final Map<String, byte[]> CACHE = new HashMap<>();

    private Asm() {
    }

    static synchronized byte[] assemble(final String source) {
        final byte[] cached = CACHE.get(source);
        if (cached != null) {
            return cached;
        }
        try {
            final Path dir = Files.createTempDirectory("dejavm-asm");
            try {
                final Path src = dir.resolve("t.S");
                Files.writeString(src, ".text\n.globl _start\n_start:\n" + source + "\n", StandardCharsets.UTF_8);
                run(dir, "as", "--64", "-o", "t.o", "t.S");
                run(dir, "ld", "-m", "elf_x86_64", "-Ttext=0x" + Long.toHexString(ORIGIN), "-e", "_start",
                        "--oformat", "binary", "-o", "t.bin", "t.o");
                final byte[] bin = Files.readAllBytes(dir.resolve("t.bin"));
                CACHE.put(source, bin);
                return bin;
            } finally {
                try (var files = Files.list(dir)) {
                    for (final Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (final IOException e) {
            throw new IllegalStateException("assembling test snippet failed: " + e.getMessage(), e);
        }
    }

    private static void run(final Path dir, final String... cmd) throws IOException {
        final Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                final String src = Files.exists(dir.resolve("t.S")) ? Files.readString(dir.resolve("t.S")) : "";
                throw new IllegalStateException(String.join(" ", cmd) + " failed (is GNU binutils installed?):\n" + out
                        + "\n--- source ---\n" + src);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
