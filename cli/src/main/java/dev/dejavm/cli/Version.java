package dev.dejavm.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The dejavm version, from the build (Maven project version). */
public final class Version implements CommandLine.IVersionProvider {
    public static final String VERSION = load();

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            final Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (final IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"dejavm " + VERSION, "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
