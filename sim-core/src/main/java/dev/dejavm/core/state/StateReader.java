package dev.dejavm.core.state;

import java.nio.charset.StandardCharsets;

/** Reads what {@link StateWriter} wrote. Running past the end is a corrupt snapshot: {@link IllegalStateException}. */
public final class StateReader {
    private final byte[] data;
    private int pos;

    public StateReader(final byte[] data) {
        this.data = data;
    }

    private int next() {
        if (pos >= data.length) {
            throw new IllegalStateException("snapshot truncated at byte " + pos);
        }
        return data[pos++] & 0xff;
    }

    public int getByte() {
        return next();
    }

    public boolean getBoolean() {
        return next() != 0;
    }

    public int getShort() {
        return next() | next() << 8;
    }

    public int getInt() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= next() << (8 * i);
        }
        return v;
    }

    public long getLong() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) next() << (8 * i);
        }
        return v;
    }

    public byte[] getBytes() {
        final int n = getInt();
        if (n < 0 || n > data.length - pos) {
            throw new IllegalStateException("snapshot truncated: " + n + " bytes at " + pos);
        }
        final byte[] b = new byte[n];
        System.arraycopy(data, pos, b, 0, n);
        pos += n;
        return b;
    }

    public String getString() {
        return new String(getBytes(), StandardCharsets.UTF_8);
    }

    public int remaining() {
        return data.length - pos;
    }
}
