package dev.dejavm.decoder.oracle;

import dev.dejavm.decoder.DecodeStatus;
import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Decoder;
import dev.dejavm.decoder.Formatter;

import java.util.HexFormat;

/**
 * Prints dejavm's and Zydis's view of instructions given in hex, for investigating a disagreement:
 * {@code java -cp ... dev.dejavm.decoder.oracle.Probe 64 48890424 66e8...}.
 */
public final class Probe {
    private Probe() {
    }

    public static void main(final String[] args) {
        final int mode = Integer.parseInt(args[0]);
        final ZydisOracle z = new ZydisOracle(mode);
        final Decoder dec = new Decoder();
        final DecodedInsn d = new DecodedInsn();
        for (int i = 1; i < args.length; i++) {
            final byte[] b = HexFormat.of().parseHex(args[i].replace(" ", ""));
            dec.decode(b, 0, b.length, mode, d);
            final ZydisOracle.Insn zi = z.decode(b, 0, b.length);
            System.out.println(args[i] + "\n  dejavm: " + DecodeStatus.name(d.status) + " len " + d.length + "  "
                + Formatter.format(d, 0) + "\n  zydis:  " + DecodeStatus.name(zi.status()) + " (" + z.lastRawStatus() + ") len "
                + zi.length() + "  " + zi.formatted() + "  [" + zi.isaExt() + "/" + zi.isaSet() + " " + zi.encoding() + "]");
            for (final ZydisOracle.Operand o : zi.operands()) {
                System.out.println("          " + o);
            }
        }
    }
}
