package dev.dejavm.platform.board;

import dev.dejavm.platform.firmware.FirmwareImage;
import org.junit.jupiter.api.Test;

import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MachineBootTest {
    /** The 256 KiB the firmware fills: LCG words x' = 1664525 x + 1013904223 from 0x12345678, little-endian. */
    static long expectedCrc() {
        final byte[] data = new byte[256 * 1024];
        int x = 0x12345678;
        for (int i = 0; i < data.length; i += 4) {
            data[i] = (byte) x;
            data[i + 1] = (byte) (x >>> 8);
            data[i + 2] = (byte) (x >>> 16);
            data[i + 3] = (byte) (x >>> 24);
            x = x * 1664525 + 1013904223;
        }
        final CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    @Test
    void shouldPowerOffWithExpectedConsoleTextWhenBootingBundledFirmware() {
        final StringBuilder dc = new StringBuilder();
        final StringBuilder com1 = new StringBuilder();
        final MachineConfig config = MachineConfig.defaults();
        final RunResult r;
        final int[] post;
        try (Machine m = new Machine(config, FirmwareImage.builtin("builtin"),
                new Consoles(b -> dc.append((char) b), b -> com1.append((char) b)))) {
            r = m.run();
            post = m.board().post().codes();
        }
        final String expected = String.join("\n",
                "dejavm builtin firmware 1.0",
                "rtc: 2024-01-01 00:00:00",
                "fw_cfg: signature QEMU, id 0x00000003",
                "ram: 128 MiB, cpus: 1",
                "exit action: poweroff",
                "prot32: protected mode, filling 256 KiB at 0x00100000",
                "long64: long mode, 4-level paging",
                String.format("long64: crc32 0x%08x", expectedCrc()),
                "exit: poweroff", "");
        assertEquals(expected, dc.toString(), () -> r + "\n" + r.detail());
        assertEquals(expected, com1.toString());
        assertEquals(Outcome.POWER_OFF, r.outcome());
        assertEquals(java.util.List.of(0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x20, 0x30, 0xF0),
                java.util.Arrays.stream(post).boxed().toList());
    }

    @Test
    void shouldDisassembleGuestMemoryAtTheResetVector() {
        final FirmwareImage fw = FirmwareImage.builtin("builtin");
        final byte[] image = fw.bytes();
        final java.util.List<String> lines = new java.util.ArrayList<>();
        try (Machine m = new Machine(MachineConfig.defaults(), fw, new Consoles(b -> { }, b -> { }))) {
            m.disassemble(0xFFFF_FFF0L, 16, 16, t -> lines.add(t.toString()));
        }
        // The ROM ends at 4 GiB: the reset vector is the image's 16th byte from the end, and the first line shows
        // exactly the image's bytes there (the instruction itself is checked against Zydis/objdump elsewhere).
        final int len = lines.get(0).substring(10, 40).trim().split(" ").length;
        final StringBuilder hex = new StringBuilder();
        for (int i = 0; i < len; i++) {
            hex.append(i > 0 ? " " : "").append(String.format("%02x", image[image.length - 16 + i] & 0xff));
        }
        assertEquals("fffffff0: " + hex, lines.get(0).substring(0, 10 + hex.length()));
        org.junit.jupiter.api.Assertions.assertTrue(lines.get(0).contains("jmp"), lines.get(0));
    }
}
