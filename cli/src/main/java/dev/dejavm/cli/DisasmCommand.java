package dev.dejavm.cli;

import dev.dejavm.decoder.Disassembler;
import dev.dejavm.platform.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dejavm disasm}: linear-sweep disassembly of a raw binary file. */
@Command(name = "disasm", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Disassemble a raw binary (e.g. a firmware image), one instruction per line: "
                + "ADDRESS: HEXBYTES  mnemonic operands (Intel syntax). Invalid bytes print as (bad) and decoding "
                + "resumes at the next byte.",
        footer = {"", "Example: dejavm disasm --mode 16 --org 0xc0000 --offset 0x3fff0 /usr/share/seabios/bios-256k.bin",
                "", "Exit status: 0 done; 2 missing, unreadable or empty file, or a bad option."})
final class DisasmCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Raw binary to disassemble.")
    Path file;

    @Option(names = "--mode", paramLabel = "16|32|64", defaultValue = "64", description = "Code size (default: ${DEFAULT-VALUE}).")
    int mode;

    @Option(names = "--org", paramLabel = "ADDR", defaultValue = "0", description = "Address of the file's first byte (hex with 0x; default: 0).")
    String org;

    @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "Start at this file offset (hex with 0x; default: 0).")
    String offset;

    @Option(names = "--length", paramLabel = "N", description = "Disassemble at most this many bytes (hex with 0x; default: to the end).")
    String length;

    @Override
    public Integer call() {
        if (mode != 16 && mode != 32 && mode != 64) {
            throw new BadInputException("--mode must be 16, 32 or 64, not " + mode);
        }
        final long base = number("--org", org);
        final long from = number("--offset", offset);
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (final NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (final IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new BadInputException(file + ": empty file, nothing to disassemble");
        }
        if (from >= bytes.length) {
            throw new BadInputException("--offset " + offset + " is beyond the end of " + file + " (" + bytes.length + " bytes)");
        }
        final long to = length == null ? bytes.length : Math.min(bytes.length, from + number("--length", length));
        final PrintWriter out = spec.commandLine().getOut();
        new Disassembler(mode).disassemble(bytes, (int) from, (int) to, base, out::println);
        out.flush();
        return ExitCodes.OK;
    }

    private static long number(final String option, final String text) {
        try {
            final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
            final long v = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (final NumberFormatException e) {
            throw new BadInputException(option + ": not a number: '" + text + "'");
        }
    }
}
