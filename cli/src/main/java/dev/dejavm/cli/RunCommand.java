package dev.dejavm.cli;

import dev.dejavm.platform.BadInputException;
import dev.dejavm.platform.board.Checkpoints;
import dev.dejavm.platform.board.Consoles;
import dev.dejavm.platform.board.Machine;
import dev.dejavm.platform.board.MachineConfig;
import dev.dejavm.platform.board.Outcome;
import dev.dejavm.platform.board.RunResult;
import dev.dejavm.platform.firmware.FirmwareImage;
import dev.dejavm.platform.firmware.VarsStore;
import dev.dejavm.trace.journal.JournalHeader;
import dev.dejavm.trace.journal.JournalWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code dejavm run}: boots firmware on the simulated PC, shows its consoles, journals every device event. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Boot firmware on the simulated PC, print its console output (debugcon and COM1) as it runs,",
                "journal every port/MMIO event, and print a summary of how the guest ended."},
        footer = {"", "Exit status: 0 power-off or requested reset; 1 triple fault, halt with interrupts off, or a limit reached;",
                "2 bad option or firmware file; 3 environment problem."})
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--firmware", paramLabel = "builtin|seabios|PATH", defaultValue = "builtin",
            description = "Firmware image: the bundled firmware, Debian's SeaBIOS, or a ROM file (default: ${DEFAULT-VALUE}).")
    String firmware;

    @Option(names = "--machine", paramLabel = "pc|q35|bare", defaultValue = "pc",
            description = "pc: the i440FX PC board (QEMU's pc); q35: the Q35/ICH9 board (QEMU's q35); bare: RAM, the ROM and two ports, for CPU test ROMs (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--post-port", paramLabel = "PORT", defaultValue = "0x80",
            description = "bare machine: writes to this port are shown as POST codes (default: ${DEFAULT-VALUE}).")
    String postPort;

    @Option(names = "--debugcon-port", paramLabel = "PORT", defaultValue = "0xe9",
            description = "bare machine: writes to this port are console text (default: ${DEFAULT-VALUE}).")
    String debugconPort;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "128M", description = "Guest RAM, e.g. 128M or 1G (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--journal", paramLabel = "DIR", description = "Journal directory (must not exist or be empty; default: runs/<timestamp>).")
    Path journal;

    @Option(names = "--no-journal", description = "Do not write a journal.")
    boolean noJournal;

    @Option(names = "--serial", paramLabel = "FILE|-", defaultValue = "-", description = "Where COM1 output goes ('-' = terminal, default).")
    String serial;

    @Option(names = "--debugcon", paramLabel = "FILE|-", defaultValue = "-", description = "Where debugcon (port 0x402) output goes ('-' = terminal, default).")
    String debugcon;

    @Option(names = "--quiet", description = "Do not show guest console output on the terminal.")
    boolean quiet;

    @Option(names = "--max-icount", paramLabel = "N", defaultValue = "0", description = "Stop after N instructions (0 = no limit).")
    long maxIcount;

    @Option(names = "--max-virtual-time", paramLabel = "DURATION", defaultValue = "0",
            description = "Stop at this virtual time, e.g. 30s, 500ms, 20us, 1000ns (0 = no limit).")
    String maxVirtualTime;

    @Option(names = "--serial-input", paramLabel = "FILE", description = "Script of input for COM1: lines 'after \"TEXT\" send \"STRING\"' or 'at 2s send \"STRING\"' (see the README).")
    String serialInput;

    @Option(names = "--vars", paramLabel = "FILE",
            description = "UEFI variable store: the firmware becomes a read-only flash chip and FILE a writable one below it (QEMU's pflash pair);"
                    + " created from the template when missing, written through as the guest programs it.")
    Path vars;

    @Option(names = "--flash", paramLabel = "FILE",
            description = "A whole firmware image (such as a copy of OVMF.fd) as one writable flash chip at the top of 4 GiB, written through"
                    + " (QEMU's single -drive if=pflash); replaces --firmware.")
    Path flash;

    @Option(names = "--vars-template", paramLabel = "FILE",
            description = "Template for a new --vars file (default: the OVMF_VARS file next to an OVMF_CODE firmware, else " + VarsStore.DEBIAN_TEMPLATE_4M + ").")
    Path varsTemplate;

    @Option(names = "--reboots", paramLabel = "N", defaultValue = "0", description = "Guest resets to go through; the next one ends the run (default: ${DEFAULT-VALUE}).")
    int reboots;

    @Option(names = "--rtc-start", paramLabel = "INSTANT", defaultValue = "2024-01-01T00:00:00Z",
            description = "RTC time at power-on (ISO-8601 or epoch seconds; default: ${DEFAULT-VALUE}). Never the host clock.")
    String rtcStart;

    @Option(names = "--exit-action", paramLabel = "poweroff|reset",
            description = "Passed to the firmware as fw_cfg file opt/dev.dejavm/exit (the bundled firmware obeys it).")
    String exitAction;

    @Option(names = "--boot-fail-wait", paramLabel = "DURATION|never",
            description = "fw_cfg file etc/boot-fail-wait (QEMU's -boot reboot-timeout): how long SeaBIOS waits after "
                    + "\"No bootable device.\" before rebooting (e.g. 5s; 'never': QEMU's default). Without it SeaBIOS waits 60 s.")
    String bootFailWait;

    @Option(names = "--host-bridge", paramLabel = "i440fx|cloudhv", defaultValue = "i440fx",
            description = "pc machine: the host bridge's identity at 00:00.0: QEMU's i440FX (8086:1237, default) or Cloud "
                    + "Hypervisor's (8086:0d57), for firmware built for that platform.")
    String hostBridge;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Perturb every guest reset from seed S (1 or more; 0 = none, the default): each reset takes a virtual "
                    + "time derived from (S, reset number), up to 10 ms, while the timers run on. The same seed gives the same run.")
    long seed;

    /** Journal header key of the perturbation seed. */
    static final String SEED_KEY = "seed";

    @Option(names = "--residue", paramLabel = "kept|cleared|poisoned", defaultValue = "kept",
            description = "What a guest reset leaves in RAM: everything (kept, as hardware; the default), zeros (cleared), or a "
                    + "pattern derived from --seed and the reset's number (poisoned).")
    String residue;

    /** Journal header key of the RAM residue policy. */
    static final String RESIDUE_KEY = "residue";

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Save the whole machine state beside the journal every N instructions (e.g. 50M) or every stretch of "
                    + "virtual time (e.g. 100ms; units ns, us, ms, s), so that replay and bisect can start there (0 = never, the default).")
    String checkpointEvery = "0";

    /** Journal header keys of the checkpoint interval: instructions, or virtual nanoseconds. */
    static final String CHECKPOINT_KEY = "checkpoint-every";
    static final String CHECKPOINT_NS_KEY = "checkpoint-every-ns";

    static long bootFailWaitMs(final String text) {
        if (text == null) {
            return MachineConfig.NO_BOOT_FAIL_WAIT;
        }
        if (text.trim().equalsIgnoreCase("never")) {
            return -1;
        }
        return Durations.parseNanos(text) / 1_000_000L;
    }

    /** True if the interval is a virtual duration (ends with a time unit) rather than an instruction count. */
    static boolean isDuration(final String text) {
        final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        return t.endsWith("ns") || t.endsWith("us") || t.endsWith("ms") || (t.endsWith("s") && t.length() > 1);
    }

    /** An instruction count: digits with an optional decimal suffix k, M or G. */
    static long parseCount(final String option, final String text) {
        final String t = text.trim();
        long unit = 1;
        String digits = t;
        if (!t.isEmpty()) {
            switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
                case 'k' -> unit = 1_000L;
                case 'm' -> unit = 1_000_000L;
                case 'g' -> unit = 1_000_000_000L;
                default -> unit = 1;
            }
            if (unit != 1) {
                digits = t.substring(0, t.length() - 1);
            }
        }
        try {
            final long v = Math.multiplyExact(Long.parseLong(digits), unit);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (final NumberFormatException | ArithmeticException e) {
            throw new BadInputException(option + " '" + text + "' is not an instruction count (e.g. 1000000 or 50M)");
        }
    }

    @Override
    public Integer call() throws IOException {
        if (flash != null && (vars != null || !"builtin".equals(firmware))) {
            throw new BadInputException("--flash gives the whole firmware image: use it without --firmware and --vars");
        }
        final MachineConfig config = MachineConfig.defaults().withBoard(machine).withHostBridge(hostBridge).withBootFailWait(bootFailWaitMs(bootFailWait)).withFirmware(flash != null ? flash.toString() : firmware)
                .withMemory(MachineConfig.parseSize(memory)).withRtcStart(MachineConfig.parseInstant(rtcStart))
                .withExitAction(exitAction).withLimits(checkedLimit(maxIcount), Durations.parseNanos(maxVirtualTime))
                .withReboots(checkedReboots(reboots)).withPorts(port("--post-port", postPort), port("--debugcon-port", debugconPort))
                .withSerialInput(readScript(serialInput));
        final FirmwareImage image = FirmwareImage.load(config.firmware());
        final boolean timed = isDuration(checkpointEvery);
        final long every = timed ? Durations.parseNanos(checkpointEvery) : parseCount("--checkpoint-every", checkpointEvery);
        if (every > 0 && noJournal) {
            throw new BadInputException("--checkpoint-every needs a journal (checkpoints are kept beside it)");
        }
        final Path journalDir = noJournal ? null : (journal != null ? journal : defaultJournalDir());
        if (journalDir != null) {
            checkJournalDir(journalDir);
        }
        if ((vars != null || flash != null) && config.board().equals("bare")) {
            throw new BadInputException("--vars and --flash need a pc or q35 machine (the bare machine has no flash)");
        }
        try (VarsStore store = flash != null ? VarsStore.openUnified(flash)
                : vars == null ? null : VarsStore.open(vars, varsTemplate != null ? varsTemplate : defaultTemplate(config.firmware()))) {
            return run(config, image, journalDir, store, every, timed);
        }
    }

    /** The template next to an OVMF_CODE image (OVMF_CODE_4M.fd → OVMF_VARS_4M.fd), else Debian's 4 MiB one. */
    static Path defaultTemplate(final String firmware) {
        final Path fw = Path.of(firmware);
        final String name = fw.getFileName() == null ? "" : fw.getFileName().toString();
        if (name.contains("CODE")) {
            final String varsName = name.replace("CODE", "VARS").replace(".secboot", "").replace(".ms", "").replace(".snakeoil", "");
            final Path sibling = fw.resolveSibling(varsName);
            if (Files.isRegularFile(sibling)) {
                return sibling;
            }
        }
        final Path debian = Path.of(VarsStore.DEBIAN_TEMPLATE_4M);
        return Files.isRegularFile(debian) ? debian : null;
    }

    private int run(final MachineConfig config, final FirmwareImage image, final Path journalDir, final VarsStore store,
                    final long checkpointInterval, final boolean timedCheckpoints) throws IOException {

        final PrintWriter out = spec.commandLine().getOut();
        final boolean bothOnTerminal = "-".equals(serial) && "-".equals(debugcon);
        final ConsolePrinter dc = printer(debugcon, bothOnTerminal ? "debugcon| " : "", out);
        final ConsolePrinter com1 = printer(serial, bothOnTerminal ? "com1| " : "", out);
        final Consoles consoles = new Consoles(dc::write, com1::write, code -> {
            if (!quiet) {
                out.printf("post| 0x%02x%n", code);
            }
        });

        final RunResult result;
        final String digest;
        final long events;
        if (seed < 0) {
            throw new BadInputException("--seed must be 0 (no perturbation) or positive");
        }
        try (Machine m = new Machine(config, image, consoles, store)) {
            m.setSeed(seed);
            m.setResidue(residue);
            if (journalDir != null) {
                final java.util.SortedMap<String, String> recorded = config.toMap();
                if (store != null) {
                    // The variable store's power-on contents are part of the input: kept beside the journal for replay.
                    recorded.put(VARS_KEY, store.name());
                    recorded.put(VARS_SHA_KEY, store.sha256());
                    if (store.unified()) {
                        recorded.put(FLASH_KEY, "unified");
                    }
                }
                if (checkpointInterval > 0) {
                    recorded.put(timedCheckpoints ? CHECKPOINT_NS_KEY : CHECKPOINT_KEY, Long.toString(checkpointInterval));
                }
                if (seed != 0) {
                    recorded.put(SEED_KEY, Long.toString(seed));
                }
                if (!residue.equals(Machine.RESIDUE_KEPT)) {
                    recorded.put(RESIDUE_KEY, residue);
                }
                final JournalHeader header = JournalHeader.create(Version.VERSION, recorded, image.sha256());
                try (JournalWriter writer = JournalWriter.create(journalDir, header, m.stamp())) {
                    if (store != null) {
                        Files.write(journalDir.resolve(VARS_COPY), store.initial());
                    }
                    m.setEventSink(writer);
                    if (checkpointInterval > 0) {
                        final Checkpoints.Writer saved = new Checkpoints.Writer(journalDir);
                        final Machine.CheckpointListener save = n -> {
                            try {
                                saved.write(m, n, writer.eventCount());
                            } catch (final IOException e) {
                                throw new java.io.UncheckedIOException("cannot write checkpoint " + n + ": " + e.getMessage(), e);
                            }
                        };
                        if (timedCheckpoints) {
                            m.setTimedCheckpoints(checkpointInterval, save);
                        } else {
                            m.setCheckpoints(checkpointInterval, save);
                        }
                    }
                    result = m.run();
                    digest = writer.digestHex();
                    events = writer.eventCount();
                }
            } else {
                final EventCounter counter = new EventCounter();
                m.setEventSink(counter);
                result = m.run();
                digest = null;
                events = counter.count;
            }
        } finally {
            dc.finish();
            com1.finish();
        }
        Summary.print(out, image, result, events, journalDir, digest);
        if (config.board().equals("bare") && result.outcome() == Outcome.HALT) {
            return ExitCodes.OK; // HLT with interrupts off is how a test ROM on the bare machine finishes
        }
        return result.outcome().exitStatus();
    }

    /** Journal header keys and the file beside the journal that record the variable store at power-on. */
    static final String VARS_KEY = "vars";
    static final String VARS_SHA_KEY = "vars-sha256";
    static final String VARS_COPY = "vars-at-power-on.fd";
    /** Present when the whole image was one writable chip (--flash): the copy is then also the firmware. */
    static final String FLASH_KEY = "flash";

    private static int port(final String option, final String text) {
        try {
            final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
            final int v = t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
            if (v < 0 || v > 0xFFFF) {
                throw new NumberFormatException();
            }
            return v;
        } catch (final NumberFormatException e) {
            throw new BadInputException(option + " '" + text + "' is not a port number 0 .. 0xffff");
        }
    }

    private static long checkedLimit(final long n) {
        if (n < 0) {
            throw new BadInputException("--max-icount must not be negative");
        }
        return n;
    }

    /** The serial input script's text ("" without the option); unreadable files are bad input. */
    private static String readScript(final String file) {
        if (file == null) {
            return "";
        }
        try {
            final byte[] bytes = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(file));
            if (bytes.length > 1 << 20) {
                throw new BadInputException("serial input script '" + file + "' is larger than 1 MiB");
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (final java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new BadInputException("cannot read serial input script '" + file + "': " + e.getMessage());
        }
    }

    private static int checkedReboots(final int n) {
        if (n < 0) {
            throw new BadInputException("--reboots must not be negative");
        }
        return n;
    }

    private ConsolePrinter printer(final String target, final String tag, final PrintWriter terminal) throws IOException {
        if ("-".equals(target)) {
            return quiet ? ConsolePrinter.discard() : ConsolePrinter.terminal(terminal, tag);
        }
        final OutputStream file = new java.io.BufferedOutputStream(new FileOutputStream(target));
        return ConsolePrinter.file(file);
    }

    private static Path defaultJournalDir() {
        final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path p = Path.of("runs", stamp);
        for (int i = 2; Files.exists(p); i++) {
            p = Path.of("runs", stamp + "-" + i);
        }
        return p;
    }

    private static void checkJournalDir(final Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new BadInputException("journal '" + dir + "' exists and is not a directory");
            }
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new BadInputException("journal directory '" + dir + "' is not empty: choose a new one");
                }
            }
        }
    }

    /** Counts events when no journal is written, so the summary still has the number. */
    static final class EventCounter implements dev.dejavm.core.event.EventSink {
        long count;

        @Override
        public void onEvent(final int kind, final int flags, final long address, final int size, final long value) {
            count++;
        }
    }
}
