package dev.dejavm.platform.firmware;

import dev.dejavm.platform.BadInputException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A UEFI variable store behind the second flash chip (QEMU's {@code -drive if=pflash,unit=1}): its contents at
 * power-on, and where the guest's program and erase operations are written through to (the {@code --vars} file),
 * so that variables survive resets and runs. A store opened for replay has the recorded contents and writes nowhere.
 *
 * <p>A file is accepted when it is a whole number of 4 KiB blocks and starts with a firmware volume (UEFI PI
 * specification, volume 3, 3.2.1 EFI_FIRMWARE_VOLUME_HEADER: signature "_FVH" at 0x28, a header whose 16-bit words
 * sum to zero, FvLength within the file), and, when a template is known, has the template's size (the code image
 * expects exactly that layout). A file that does not exist is created as a copy of the template.
 */
public final class VarsStore implements AutoCloseable {
    /** Where variable stores come from on Debian ({@code ovmf} package). */
    public static final String DEBIAN_TEMPLATE_4M = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    static final int FV_SIGNATURE_OFFSET = 0x28;
    static final int FV_LENGTH_OFFSET = 0x20;
    static final int FV_HEADER_LENGTH_OFFSET = 0x30;

    private final String name;
    private final byte[] initial;
    private final String sha256;
    private final FileChannel channel;
    private final boolean unified;

    private VarsStore(final String name, final byte[] initial, final FileChannel channel, final boolean unified) {
        this.name = name;
        this.initial = initial;
        this.sha256 = FirmwareImage.sha256(initial);
        this.channel = channel;
        this.unified = unified;
    }

    /**
     * A whole firmware image as one writable flash chip (QEMU's single {@code -drive if=pflash,file=OVMF.fd}): the
     * variable store is its first firmware volume and the code follows in the same file, which is written through.
     */
    public static VarsStore openUnified(final Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new BadInputException("flash image '" + file + "': no such file");
            }
            final byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > FirmwareImage.MAX_SIZE) {
                throw new BadInputException("flash image '" + file + "': more than " + (FirmwareImage.MAX_SIZE >> 20) + " MiB");
            }
            validateImage("flash image '" + file + "'", bytes);
            return new VarsStore(file.toString(), bytes, FileChannel.open(file, StandardOpenOption.WRITE), true);
        } catch (final IOException e) {
            throw new BadInputException("flash image '" + file + "': " + e.getMessage());
        }
    }

    /** Whether this store is a whole firmware image ({@link #openUnified}) rather than a separate variable store. */
    public boolean unified() {
        return unified;
    }

    /**
     * Opens {@code file} for writing through, creating it from {@code template} when it does not exist.
     *
     * @throws BadInputException (one line, nothing written) when the file or the template is unusable
     */
    public static VarsStore open(final Path file, final Path template) {
        try {
            if (!Files.exists(file)) {
                if (template == null || !Files.isRegularFile(template)) {
                    throw new BadInputException("vars file '" + file + "' does not exist and there is no template to create it from"
                            + " (give --vars-template, e.g. " + DEBIAN_TEMPLATE_4M + ")");
                }
                final byte[] t = Files.readAllBytes(template);
                validate("vars template '" + template + "'", t, -1);
                final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, t);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            if (Files.isDirectory(file)) {
                throw new BadInputException("vars file '" + file + "' is a directory");
            }
            final byte[] bytes = Files.readAllBytes(file);
            final long expected = template != null && Files.isRegularFile(template) ? Files.size(template) : -1;
            validate("vars file '" + file + "'", bytes, expected);
            return new VarsStore(file.toString(), bytes, FileChannel.open(file, StandardOpenOption.WRITE), false);
        } catch (final NoSuchFileException e) {
            throw new BadInputException("vars file '" + file + "': no such file or directory (" + e.getMessage() + ")");
        } catch (final IOException e) {
            throw new BadInputException("vars file '" + file + "': " + e.getMessage());
        }
    }

    /** The recorded power-on contents, for replay: nothing is written anywhere. */
    public static VarsStore replay(final String name, final byte[] contents, final boolean unified) {
        if (unified) {
            validateImage("recorded flash image '" + name + "'", contents);
        } else {
            validate("recorded vars '" + name + "'", contents, -1);
        }
        return new VarsStore(name, contents.clone(), null, unified);
    }

    static void validate(final String what, final byte[] b, final long expectedSize) {
        if (b.length == 0 || b.length % 4096 != 0 || b.length > 4 << 20) {
            throw new BadInputException(what + ": " + b.length + " bytes, not a whole number of 4 KiB blocks up to 4 MiB");
        }
        if (expectedSize >= 0 && b.length != expectedSize) {
            throw new BadInputException(what + ": " + b.length + " bytes, but the template has " + expectedSize);
        }
        validateVolumeHeader(what, b);
    }

    /** A whole flash image: 4 KiB blocks, starting with the variable store's firmware volume. */
    static void validateImage(final String what, final byte[] b) {
        if (b.length == 0 || b.length % 4096 != 0) {
            throw new BadInputException(what + ": " + b.length + " bytes, not a whole number of 4 KiB blocks");
        }
        validateVolumeHeader(what, b);
    }

    private static void validateVolumeHeader(final String what, final byte[] b) {
        final ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        final int headerLength = h.getShort(FV_HEADER_LENGTH_OFFSET) & 0xFFFF;
        if (h.getInt(FV_SIGNATURE_OFFSET) != 0x4856465F || headerLength < 0x38 || headerLength > b.length || (headerLength & 1) != 0) {
            throw new BadInputException(what + ": no firmware volume header (\"_FVH\" at 0x28): not a UEFI variable store, or corrupt");
        }
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            sum += h.getShort(i) & 0xFFFF;
        }
        final long fvLength = h.getLong(FV_LENGTH_OFFSET);
        if ((sum & 0xFFFF) != 0 || fvLength <= 0 || fvLength > b.length) {
            throw new BadInputException(what + ": the firmware volume header is corrupt (checksum or length)");
        }
    }

    public String name() {
        return name;
    }

    public byte[] initial() {
        return initial.clone();
    }

    public String sha256() {
        return sha256;
    }

    /** Writes {@code length} bytes at {@code offset} of the flash contents through to the file. */
    public void written(final MemorySegment contents, final long offset, final long length) {
        if (channel == null) {
            return;
        }
        final byte[] b = new byte[(int) length];
        MemorySegment.copy(contents, ValueLayout.JAVA_BYTE, offset, b, 0, b.length);
        try {
            channel.write(ByteBuffer.wrap(b), offset);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException("writing the vars file '" + name + "'", e);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.force(false);
                channel.close();
            } catch (final IOException e) {
                // closing after the run: the bytes were already written
            }
        }
    }
}
