package dev.dejavm.decoder;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one-line vectors of decoder-vectors.txt: mode, bytes, expected text (from the Intel SDM). */
class VectorsTest {
    @TestFactory
    List<DynamicTest> vectors() throws IOException {
        final List<DynamicTest> tests = new ArrayList<>();
        try (InputStream in = VectorsTest.class.getResourceAsStream("/decoder-vectors.txt")) {
            int n = 0;
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final String[] f = line.split("\\|");
                final int mode = Integer.parseInt(f[0].trim());
                final byte[] bytes = HexFormat.of().parseHex(f[1].replace(" ", ""));
                final String expected = f[2].trim();
                final int lineNo = n;
                tests.add(DynamicTest.dynamicTest("line " + lineNo + ": " + mode + "-bit " + f[1].trim(), () -> {
                    final DecodedInsn d = new DecodedInsn();
                    final int status = new Decoder().decode(bytes, 0, bytes.length, mode, d);
                    final String text = switch (status) {
                        case DecodeStatus.OK -> Formatter.format(d, 0);
                        case DecodeStatus.TRUNCATED -> "(truncated)";
                        case DecodeStatus.TOO_LONG -> "(too-long)";
                        default -> "(bad)";
                    };
                    assertEquals(expected, text, "line " + lineNo);
                    if (status == DecodeStatus.OK) {
                        assertEquals(bytes.length, d.length, "line " + lineNo + ": length");
                    }
                }));
            }
        }
        return tests;
    }
}
