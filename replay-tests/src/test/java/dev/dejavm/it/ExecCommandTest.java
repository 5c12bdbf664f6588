package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dejavm exec}, the single-step JSON harness. Expected states follow the Intel SDM: MOV r16, imm16; REP MOVSB
 * counted as one instruction; the real-mode delivery of #DE (SDM Vol. 3A, 20.1.4: FLAGS, CS, IP pushed, IP of the
 * faulting instruction, IF/TF cleared, CS:IP from IVT entry 0).
 */
class ExecCommandTest {
    static Cli.Result exec(final Path dir, final String... lines) throws Exception {
        final Path in = dir.resolve("tests.jsonl");
        Files.writeString(in, String.join("\n", lines) + "\n");
        final Path out = dir.resolve("out.jsonl");
        final Cli.Result r = Cli.run("exec", "--in", in.toString(), "--out", out.toString());
        return new Cli.Result(r.status(), Files.readString(out), r.err());
    }

    @Test
    void shouldExecuteOneInstructionAndReportTheState(@TempDir final Path dir) throws Exception {
        final Cli.Result r = exec(dir,
            "{\"name\":\"mov ax\",\"mode\":\"real\",\"regs\":{\"cs\":0,\"eip\":256},\"memory\":[[256,184],[257,52],[258,18]]}");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("{\"name\":\"mov ax\",\"regs\":{\"rax\":4660,"), r.out());
        assertTrue(r.out().contains("\"eip\":259,"), r.out());
        assertTrue(r.out().contains("\"exception\":null,\"instructions\":1,\"halted\":false"), r.out());
    }

    @Test
    void shouldCountRepStringAsOneInstruction(@TempDir final Path dir) throws Exception {
        final Cli.Result r = exec(dir,
            "{\"name\":\"rep movsb\",\"regs\":{\"cs\":0,\"eip\":0,\"ecx\":3,\"esi\":32,\"edi\":48},"
                + "\"memory\":[[0,243],[1,164],[32,1],[33,2],[34,3]]}");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\"ecx\":0,"), r.out());
        assertTrue(r.out().contains("\"esi\":35,\"edi\":51,\"rip\":2,"), r.out());
        assertTrue(r.out().contains("\"memory\":[[0,243],[1,164],[32,1],[33,2],[34,3],[48,1],[49,2],[50,3]]"), r.out());
        assertTrue(r.out().contains("\"instructions\":1,"), r.out());
    }

    @Test
    void shouldDeliverDivideErrorThroughTheIvt(@TempDir final Path dir) throws Exception {
        // DIV CX with CX = 0 at 0000:0100, IVT[0] = 0000:0200, SS:SP = 0000:1000, IF set.
        final Cli.Result r = exec(dir,
            "{\"name\":\"div0\",\"regs\":{\"cs\":0,\"eip\":256,\"eax\":5,\"ecx\":0,\"ss\":0,\"esp\":4096,\"eflags\":514},"
                + "\"memory\":[[256,247],[257,241],[0,0],[1,2],[2,0],[3,0]]}");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("\"esp\":4090,"), r.out());
        assertTrue(r.out().contains("\"rip\":512,"), r.out());
        assertTrue(r.out().contains("\"eflags\":2,"), r.out()); // IF cleared
        // Frame at 0FFA: IP 0100, CS 0000, FLAGS 0202 (bytes that are zero are only listed if given in the input).
        assertTrue(r.out().contains("[4091,1],[4094,2],[4095,2]"), r.out());
        assertTrue(r.out().contains("\"exception\":{\"vector\":0,\"errorCode\":0},\"instructions\":0"), r.out());
    }

    @Test
    void shouldReportMalformedLinesAndGoOn(@TempDir final Path dir) throws Exception {
        final Cli.Result r = exec(dir, "{\"name\":\"broken\", \"regs\": {", "{\"name\":\"nop\",\"regs\":{\"cs\":0,\"eip\":0},\"memory\":[[0,144]]}",
            "{\"name\":\"x\",\"regs\":{\"zax\":1}}");
        assertEquals(2, r.status(), r.toString());
        final String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].startsWith("{\"line\":1,\"error\":"), lines[0]);
        assertTrue(lines[1].startsWith("{\"name\":\"nop\""), lines[1]);
        assertTrue(lines[2].contains("unknown register zax"), lines[2]);
    }

    @Test
    void shouldRejectAMissingInputFile(@TempDir final Path dir) {
        final Cli.Result r = Cli.run("exec", "--in", dir.resolve("nope.jsonl").toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
