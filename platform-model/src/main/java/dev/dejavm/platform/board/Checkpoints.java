package dev.dejavm.platform.board;

import dev.dejavm.platform.BadInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Checkpoints of a recorded run, kept beside its journal in {@code checkpoints/NNNNNN.ckpt}: checkpoint N holds the
 * machine's whole state apart from RAM ({@link Machine#saveState}) and the RAM pages that changed since checkpoint
 * N-1 (for checkpoint 1: every page that is not zero). Restoring N therefore reads checkpoints 1..N for RAM and N for
 * the rest.
 *
 * <p>File layout, little-endian: magic {@code DJVMCKPT} (8), format version u32, checkpoint number u32, icount u64,
 * virtual time u64 (ns), the journal record number of the checkpoint's own record u64, CRC-32C u32 of the
 * uncompressed body, then the body deflated: state length u32 + state, page count u32, then per page its number
 * u32 and its 4096 bytes. Files are written to a temporary name and renamed, so a killed run leaves only whole
 * checkpoints. Changed pages are found by comparing a 64-bit hash of each page with the previous checkpoint's
 * (no cost between checkpoints; a hash collision, about 2^-64 per page, would drop a change).
 */
public final class Checkpoints {
    public static final String DIR = "checkpoints";
    public static final int VERSION = 1;
    static final long MAGIC = 0x54504B434D564A44L; // "DJVMCKPT" little-endian
    static final int HEADER = 40;
    static final int PAGE = 4096;

    /** What a checkpoint file says about itself. */
    public record Info(int number, long icount, long virtualNs, long recordSeq) {
    }

    private Checkpoints() {
    }

    public static Path file(final Path journalDir, final int number) {
        return journalDir.resolve(DIR).resolve(String.format("%06d.ckpt", number));
    }

    /** The checkpoints present, 1..N without gaps (0 if none). */
    public static int count(final Path journalDir) {
        int n = 0;
        while (Files.isRegularFile(file(journalDir, n + 1))) {
            n++;
        }
        return n;
    }

    /** Writes the checkpoints of one run. */
    public static final class Writer {
        private final Path journalDir;
        private long[] pageHash;

        public Writer(final Path journalDir) {
            this.journalDir = journalDir;
        }

        /**
         * Saves checkpoint {@code number} of {@code m}, which is at an instruction boundary.
         * @param recordSeq the journal record number the checkpoint's record will have
         * @return the file's size in bytes
         */
        public long write(final Machine m, final int number, final long recordSeq) throws IOException {
            final MemorySegment ram = m.ram().segment();
            final int pages = (int) (ram.byteSize() / PAGE);
            if (pageHash == null) {
                pageHash = new long[pages];
                java.util.Arrays.fill(pageHash, hash(MemorySegment.ofArray(new byte[PAGE]), 0));
            }
            final byte[] state = m.saveState();
            final ByteArrayOutputStream body = new ByteArrayOutputStream();
            final ByteBuffer four = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            body.writeBytes(four.putInt(0, state.length).array());
            body.writeBytes(state);
            final ByteArrayOutputStream changed = new ByteArrayOutputStream();
            int count = 0;
            final byte[] page = new byte[PAGE];
            for (int p = 0; p < pages; p++) {
                final long h = hash(ram, (long) p * PAGE);
                if (h != pageHash[p]) {
                    pageHash[p] = h;
                    count++;
                    changed.writeBytes(four.putInt(0, p).array());
                    MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, (long) p * PAGE, page, 0, PAGE);
                    changed.writeBytes(page);
                }
            }
            body.writeBytes(four.putInt(0, count).array());
            changed.writeTo(body);
            final byte[] plain = body.toByteArray();
            final CRC32C crc = new CRC32C();
            crc.update(plain);

            final ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.writeBytes(ByteBuffer.allocate(HEADER + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(MAGIC).putInt(VERSION)
                    .putInt(number).putLong(m.interpreter().icount()).putLong(m.timeline().now()).putLong(recordSeq)
                    .putInt((int) crc.getValue()).array());
            try (DeflaterOutputStream z = new DeflaterOutputStream(file, new Deflater(Deflater.BEST_SPEED), 1 << 16)) {
                z.write(plain);
            }
            final Path target = file(journalDir, number);
            Files.createDirectories(target.getParent());
            final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.write(tmp, file.toByteArray());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file.size();
        }
    }

    /** A 64-bit hash of the page at {@code offset} (multiply-rotate over its 512 words). */
    static long hash(final MemorySegment s, final long offset) {
        long h = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < PAGE; i += 8) {
            h = Long.rotateLeft((h ^ s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i)) * 0xBF58476D1CE4E5B9L, 29);
        }
        return h;
    }

    private static Info header(final Path f, final byte[] h) {
        if (h.length < HEADER + 4) {
            throw new BadInputException(f + " is not a dejavm checkpoint (cut off in its header)");
        }
        final ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(0) != MAGIC) {
            throw new BadInputException(f + " is not a dejavm checkpoint (bad magic)");
        }
        if (b.getInt(8) != VERSION) {
            throw new BadInputException(f + " is checkpoint format " + b.getInt(8) + "; this dejavm reads " + VERSION);
        }
        return new Info(b.getInt(12), b.getLong(16), b.getLong(24), b.getLong(32));
    }

    /**
     * Puts {@code m} (freshly built from the journal's configuration, not yet run) into the state of checkpoint
     * {@code number}: RAM from checkpoints 1..number, everything else from {@code number}.
     */
    public static Info restore(final Machine m, final Path journalDir, final int number) {
        if (number < 1 || number > count(journalDir)) {
            throw new BadInputException("checkpoint " + number + " does not exist in " + journalDir.resolve(DIR)
                    + " (there are " + count(journalDir) + ")");
        }
        final MemorySegment ram = m.ram().segment();
        Info info = null;
        byte[] state = null;
        for (int k = 1; k <= number; k++) {
            final Path f = file(journalDir, k);
            try (InputStream in = Files.newInputStream(f)) {
                final byte[] h = in.readNBytes(HEADER + 4);
                info = header(f, h);
                if (info.number() != k) {
                    throw new BadInputException(f + " holds checkpoint " + info.number() + ", expected " + k);
                }
                final byte[] plain;
                try (InflaterInputStream z = new InflaterInputStream(in)) {
                    plain = z.readAllBytes();
                }
                final CRC32C crc = new CRC32C();
                crc.update(plain);
                if ((int) crc.getValue() != ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(HEADER)) {
                    throw new BadInputException(f + " is damaged (CRC-32C of its contents does not match)");
                }
                final ByteBuffer b = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
                final int stateLength = b.getInt(0);
                if (k == number) {
                    state = java.util.Arrays.copyOfRange(plain, 4, 4 + stateLength);
                }
                int at = 4 + stateLength;
                final int pages = b.getInt(at);
                at += 4;
                for (int i = 0; i < pages; i++) {
                    final long page = b.getInt(at) & 0xFFFF_FFFFL;
                    if ((page + 1) * PAGE > ram.byteSize()) {
                        throw new BadInputException(f + " has a page beyond this machine's RAM");
                    }
                    MemorySegment.copy(plain, at + 4, ram, ValueLayout.JAVA_BYTE, page * PAGE, PAGE);
                    at += 4 + PAGE;
                }
            } catch (final IOException | IndexOutOfBoundsException e) {
                throw new BadInputException("cannot read checkpoint " + k + " (" + f + "): " + e.getMessage());
            }
        }
        try {
            m.loadState(state);
        } catch (final IllegalStateException e) {
            throw new BadInputException("checkpoint " + number + " does not fit this machine: " + e.getMessage());
        }
        return info;
    }
}
