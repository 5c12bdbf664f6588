package dev.dejavm.core.state;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian primitive writer for snapshots (not on a hot path). */
public final class StateWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public StateWriter putByte(final int v) {
        out.write(v);
        return this;
    }

    public StateWriter putBoolean(final boolean v) {
        return putByte(v ? 1 : 0);
    }

    public StateWriter putShort(final int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    public StateWriter putInt(final int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    public StateWriter putLong(final long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public StateWriter putBytes(final byte[] b) {
        putInt(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    public StateWriter putString(final String s) {
        return putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
