package dev.dejavm.decoder;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random bytes at every offset of random buffers, in every mode: the decoder never throws, reports a length in
 * [1, 15], never claims bytes beyond the buffer, and decodes a native segment exactly as the same bytes in an array.
 * The formatter prints every result.
 */
class FuzzTest {
    @Test
    void shouldNeverThrowOrOverrun() {
        final SplittableRandom rnd = new SplittableRandom(0xF022);
        final Decoder dec = new Decoder();
        final DecodedInsn a = new DecodedInsn();
        final DecodedInsn b = new DecodedInsn();
        final StringBuilder text = new StringBuilder();
        long decoded = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 400; round++) {
                final byte[] buf = new byte[1 + rnd.nextInt(64)];
                for (int i = 0; i < buf.length; i++) {
                    // Bias towards prefix and escape bytes so that long and odd encodings are common.
                    buf[i] = (byte) (rnd.nextInt(4) == 0
                        ? new int[] {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x64, 0x48, 0x0F, 0xC4, 0xC5, 0x62, 0x8F}[rnd.nextInt(13)]
                        : rnd.nextInt(256));
                }
                final MemorySegment seg = arena.allocate(buf.length);
                MemorySegment.copy(buf, 0, seg, ValueLayout.JAVA_BYTE, 0, buf.length);
                for (final int mode : new int[] {16, 32, 64}) {
                    for (int off = 0; off < buf.length; off++) {
                        try {
                            final int st = dec.decode(buf, off, buf.length, mode, a);
                            assertTrue(a.length >= 1 && a.length <= Decoder.MAX_LENGTH, "length " + a.length);
                            if (st == DecodeStatus.OK) {
                                assertTrue(off + a.length <= buf.length, "decoded past the end of the buffer");
                            }
                            dec.decode(seg, off, buf.length - off, mode, b);
                            assertEquals(a.status, b.status);
                            assertEquals(a.length, b.length);
                            assertEquals(a.id, b.id);
                            text.setLength(0);
                            Formatter.format(a, 0x1000, text);
                            decoded++;
                        } catch (final RuntimeException e) {
                            fail("mode " + mode + " offset " + off + " of " + java.util.HexFormat.of().formatHex(buf), e);
                        }
                    }
                }
            }
        }
        assertTrue(decoded > 10_000);
    }
}
