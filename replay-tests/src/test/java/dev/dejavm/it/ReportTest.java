package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code dejavm report} of a small campaign on the demonstration firmware, opened in a real browser (Debian's
 * headless chromium): the page loads without console errors and renders to a screenshot; its content names the
 * outcomes, the failing boot's divergence and a timeline per boot.
 */
class ReportTest {
    private static String chromium() {
        for (final String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return null;
    }

    @Test
    void aCampaignReportLoadsInABrowserWithoutErrors(@TempDir final Path dir) throws IOException, InterruptedException {
        final Path campaign = dir.resolve("campaign");
        final Cli.Result c = Cli.run("campaign", "--firmware", "rebootbug", "--reboots", "6", "--seeds", "2..3", "--out", campaign.toString());
        assertEquals(1, c.status(), c::toString); // seed 3 fails at its fifth boot
        final Cli.Result r = Cli.run("report", campaign.toString());
        assertEquals(0, r.status(), r::toString);
        final Path html = campaign.resolve("report.html");
        final String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.contains("<td>FAILED</td>") && page.contains("<td>passed</td>"), "outcome table");
        assertTrue(page.contains("First divergence from the passing run seed-2"), "divergence");
        assertTrue(page.contains("<svg") && page.contains("boot 5</h2>"), "timelines per boot");
        assertFalse(page.contains("<script"), "no scripts: the page is self-contained");

        final String browser = chromium();
        if (browser == null) {
            System.err.println("*** ReportTest: browser check SKIPPED: no chromium (Debian package chromium; ./test.sh installs it) ***");
        }
        assumeTrue(browser != null, "chromium not installed");
        final Path png = dir.resolve("report.png");
        final Process p = new ProcessBuilder(browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--enable-logging=stderr", "--v=0", "--user-data-dir=" + dir.resolve("profile"), "--window-size=1280,2000",
                "--screenshot=" + png, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        final String log = Files.readString(dir.resolve("chromium.log"), StandardCharsets.UTF_8);
        assertTrue(Files.exists(png) && Files.size(png) > 10_000, "screenshot taken:\n" + log);
        final byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        for (final String line : log.split("\n")) {
            assertFalse(line.contains(":CONSOLE"), "console message (the page has no scripts; chromium logs errors here): " + line);
            assertFalse(line.contains("Uncaught") || line.contains("Failed to load resource"), "page error: " + line);
        }
    }
}
