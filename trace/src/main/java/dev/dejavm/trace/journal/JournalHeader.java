package dev.dejavm.trace.journal;

import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The first document of every journal: a magic marker, the format version, the dejavm version, the firmware's
 * SHA-256 and the complete machine configuration as ordered key/value pairs. Nothing here depends on the wall
 * clock or the host.
 *
 * @param formatVersion   {@link #FORMAT_VERSION} when written by this version
 * @param dejavmVersion   the writer's version
 * @param config          the machine configuration (replay rebuilds the machine from it)
 * @param firmwareSha256  hex SHA-256 of the firmware image
 */
public record JournalHeader(int formatVersion, String dejavmVersion, SortedMap<String, String> config, String firmwareSha256) {
    /** "DEJAVMJ\0" little-endian. */
    public static final long MAGIC = 0x004A4D56414A4544L;
    public static final int FORMAT_VERSION = 1;

    public JournalHeader {
        config = Collections.unmodifiableSortedMap(new TreeMap<>(config));
    }

    public static JournalHeader create(final String dejavmVersion, final Map<String, String> config, final String firmwareSha256) {
        return new JournalHeader(FORMAT_VERSION, dejavmVersion, new TreeMap<>(config), firmwareSha256);
    }

    void writeTo(final Bytes<?> out) {
        out.writeLong(MAGIC);
        out.writeInt(formatVersion);
        writeString(out, dejavmVersion);
        writeString(out, firmwareSha256);
        out.writeInt(config.size());
        for (final Map.Entry<String, String> e : config.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    private static void writeString(final Bytes<?> out, final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** @return null if the document does not start with the magic marker */
    static JournalHeader readFrom(final Bytes<?> in, final String where) {
        if (in.readRemaining() < 12 || in.readLong() != MAGIC) {
            return null;
        }
        final int version = in.readInt();
        if (version > FORMAT_VERSION || version < 1) {
            throw new JournalException(where + ": journal format version " + version + " is not one this dejavm reads (1.."
                    + FORMAT_VERSION + ")");
        }
        final String dv = readString(in, where);
        final String sha = readString(in, where);
        final int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new JournalException(where + ": corrupt journal header (" + n + " configuration entries)");
        }
        final SortedMap<String, String> cfg = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            cfg.put(readString(in, where), readString(in, where));
        }
        return new JournalHeader(version, dv, cfg, sha);
    }

    private static String readString(final Bytes<?> in, final String where) {
        final int len = in.readRemaining() >= 4 ? in.readInt() : -1;
        if (len < 0 || len > in.readRemaining()) {
            throw new JournalException(where + ": corrupt journal header (bad string length)");
        }
        final byte[] b = new byte[len];
        in.read(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
