package dev.dejavm.platform.firmware;

import dev.dejavm.platform.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A flat firmware image (BIOS ROM) validated for the PC board: non-empty, a whole number of 4 KiB pages, at most
 * {@link #MAX_SIZE}. The SHA-256 of its bytes goes into the journal header; replay refuses a different image.
 *
 * @param name   what the user gave ("builtin", "seabios", or a path)
 * @param bytes  the image
 * @param sha256 lower-case hex SHA-256 of {@code bytes}
 */
public record FirmwareImage(String name, byte[] bytes, String sha256) {
    /** The largest ROM the PC board maps below 4 GiB (QEMU's pc accepts up to 16 MiB of -bios as well). */
    public static final int MAX_SIZE = 16 << 20;
    public static final int GRANULE = 4096;
    public static final String BUILTIN = "builtin";
    /** Debian's SeaBIOS build that QEMU 7.2 loads for pc and q35. */
    public static final String SEABIOS_PATH = "/usr/share/seabios/bios-256k.bin";

    /** The bundled demonstration firmware with a reboot-dependent bug (platform-model/src/main/asm/rebootbug.S). */
    public static final String REBOOTBUG = "rebootbug";

    /** Resolves "builtin", "rebootbug", "seabios" or a file path into a validated image. */
    public static FirmwareImage load(final String spec) {
        if (spec.equals(BUILTIN) || spec.equals(REBOOTBUG)) {
            return builtin(spec);
        }
        if (spec.equals("seabios")) {
            return fromFile(spec, Path.of(SEABIOS_PATH));
        }
        return fromFile(spec, Path.of(spec));
    }

    /** One of the images assembled from platform-model/src/main/asm by the build (builtin, triplefault, hang...). */
    public static FirmwareImage builtin(final String variant) {
        final String resource = "/dev/dejavm/platform/firmware/" + variant + ".bin";
        try (InputStream in = FirmwareImage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BadInputException("bundled firmware '" + variant + "' is missing from the build (resource " + resource + ")");
            }
            return validated(variant, in.readAllBytes());
        } catch (final IOException e) {
            throw new BadInputException("bundled firmware '" + variant + "': " + e.getMessage());
        }
    }

    private static FirmwareImage fromFile(final String spec, final Path path) {
        final byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new BadInputException("firmware '" + spec + "' is a directory, not a ROM image");
            }
            final long size = Files.size(path);
            if (size > MAX_SIZE) {
                throw new BadInputException("firmware '" + spec + "': " + size + " bytes, more than the " + (MAX_SIZE >> 20)
                        + " MiB the board can map below 4 GiB");
            }
            bytes = Files.readAllBytes(path);
        } catch (final NoSuchFileException e) {
            throw new BadInputException("firmware '" + spec + "': no such file");
        } catch (final IOException e) {
            throw new BadInputException("firmware '" + spec + "': cannot read (" + e.getMessage() + ")");
        }
        return validated(spec, bytes);
    }

    /** Validates raw bytes as a firmware image. */
    public static FirmwareImage validated(final String name, final byte[] bytes) {
        if (bytes.length == 0) {
            throw new BadInputException("firmware '" + name + "' is empty");
        }
        if (bytes.length > MAX_SIZE) {
            throw new BadInputException("firmware '" + name + "': " + bytes.length + " bytes, more than the " + (MAX_SIZE >> 20)
                    + " MiB the board can map below 4 GiB");
        }
        if (bytes.length % GRANULE != 0) {
            throw new BadInputException("firmware '" + name + "': " + bytes.length
                    + " bytes, not a multiple of 4 KiB (truncated or not a ROM image)");
        }
        return new FirmwareImage(name, bytes, sha256(bytes));
    }

    public static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
