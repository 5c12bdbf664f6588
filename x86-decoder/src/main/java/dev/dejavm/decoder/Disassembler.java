package dev.dejavm.decoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Linear-sweep disassembly, one instruction per line: {@code ADDRESS: HEXBYTES  mnemonic operands}. Bytes that
 * do not form an instruction print as {@code (bad)} and the sweep resumes at the next byte; an instruction cut off
 * by the end of the region prints as {@code (truncated)}.
 *
 * <p>Works on a byte array or on any {@link MemorySegment}, e.g. a running machine's guest RAM.
 */
public final class Disassembler {
    private final Decoder decoder = new Decoder();
    private final DecodedInsn insn = new DecodedInsn();
    private final byte[] window = new byte[Decoder.MAX_LENGTH];
    private final StringBuilder line = new StringBuilder(96);
    private final int mode;

    /** A disassembler for {@code mode} 16, 32 or 64. */
    public Disassembler(final int mode) {
        if (mode != 16 && mode != 32 && mode != 64) {
            throw new IllegalArgumentException("mode must be 16, 32 or 64, not " + mode);
        }
        this.mode = mode;
    }

    /** Receives each disassembled line (without a line terminator). */
    @FunctionalInterface
    public interface LineSink {
        void line(CharSequence text);
    }

    /** Disassembles {@code bytes[from..to)} as code loaded at {@code org + from}. @return instructions decoded */
    public long disassemble(final byte[] bytes, final int from, final int to, final long org, final LineSink sink) {
        return disassemble(MemorySegment.ofArray(bytes), from, to, org, sink);
    }

    /**
     * Disassembles {@code seg[from..to)}; the byte at {@code from} has address {@code org + from}.
     * @return instructions decoded
     */
    public long disassemble(final MemorySegment seg, final long from, final long to, final long org, final LineSink sink) {
        final long end = Math.min(to, seg.byteSize());
        long count = 0;
        final int addrDigits = org + end - 1 > 0xFFFF_FFFFL ? 16 : 8;
        for (long off = from; off < end; ) {
            final int avail = (int) Math.min(Decoder.MAX_LENGTH, end - off);
            for (int i = 0; i < avail; i++) {
                window[i] = seg.get(ValueLayout.JAVA_BYTE, off + i);
            }
            final int status = decoder.decode(window, 0, avail, mode, insn);
            final int len = status == DecodeStatus.OK ? insn.length : status == DecodeStatus.TRUNCATED ? avail : 1;
            final long addr = org + off;
            line.setLength(0);
            hexPadded(addr, addrDigits, line);
            line.append(": ");
            for (int i = 0; i < len; i++) {
                if (i > 0) {
                    line.append(' ');
                }
                final int v = window[i] & 0xff;
                line.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 0xF, 16));
            }
            for (int pad = len * 3 - 1; pad < 29; pad++) {
                line.append(' ');
            }
            line.append("  ");
            if (status == DecodeStatus.TRUNCATED) {
                line.append("(truncated)");
            } else {
                Formatter.format(insn, addr, line);
            }
            sink.line(line);
            off += len;
            count++;
        }
        return count;
    }

    private static void hexPadded(final long v, final int digits, final StringBuilder out) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(Character.forDigit((int) ((v >>> shift) & 0xF), 16));
        }
    }
}
