package dev.dejavm.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/** The bundled firmware images (assembled by the platform-model build) and facts computed independently of them. */
final class BundledFirmware {
    private BundledFirmware() {
    }

    /** Copies bundled image {@code variant} ("builtin", "triplefault", "hang") to {@code dir} and returns the path. */
    static Path extract(final String variant, final Path dir) throws IOException {
        final Path out = dir.resolve(variant + ".bin");
        try (InputStream in = BundledFirmware.class.getResourceAsStream("/dev/dejavm/platform/firmware/" + variant + ".bin")) {
            if (in == null) {
                throw new IllegalStateException("bundled firmware " + variant + " missing from the classpath");
            }
            Files.write(out, in.readAllBytes());
        }
        return out;
    }

    /**
     * The CRC-32 (IEEE, as java.util.zip computes it) of the 256 KiB the firmware fills in protected mode: 32-bit
     * little-endian words of the LCG x' = 1664525 x + 1013904223 (Numerical Recipes' constants), starting at
     * 0x12345678. This is the firmware's specification, computed here without running it.
     */
    static long expectedCrc32() {
        final byte[] data = new byte[256 * 1024];
        int x = 0x12345678;
        for (int i = 0; i < data.length; i += 4) {
            data[i] = (byte) x;
            data[i + 1] = (byte) (x >>> 8);
            data[i + 2] = (byte) (x >>> 16);
            data[i + 3] = (byte) (x >>> 24);
            x = x * 1664525 + 1013904223;
        }
        final CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }
}
