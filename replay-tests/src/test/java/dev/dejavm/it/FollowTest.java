package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code inspect --follow} reads a journal while the run is still writing it, to the end-of-run record. */
class FollowTest {
    @Test
    void shouldFollowARunningRecordingToItsEnd(@TempDir final Path dir) throws Exception {
        final Path journal = dir.resolve("j");
        final CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("run", "--quiet",
            "--firmware", "seabios", "--max-virtual-time", "3s", "--journal", journal.toString()));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.isDirectory(journal) || Files.list(journal).noneMatch(p -> p.toString().endsWith(".cq4"))) {
            assertTrue(System.nanoTime() < deadline, "the recording did not start");
            Thread.sleep(10);
        }
        Thread.sleep(100); // let the header land
        final Cli.Result followed = Cli.run("inspect", journal.toString(), "--follow");
        final Cli.Result recorded = run.get(120, TimeUnit.SECONDS);
        assertEquals(1, recorded.status(), recorded::toString); // the virtual time limit ends SeaBIOS's run
        assertEquals(0, followed.status(), followed::toString);
        final Cli.Result after = Cli.run("inspect", journal.toString());
        assertEquals(after.out(), followed.out(), "following gives the same lines as reading the finished journal");
        assertTrue(followed.out().lines().count() > 1000, followed::toString);
    }
}
