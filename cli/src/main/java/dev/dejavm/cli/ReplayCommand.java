package dev.dejavm.cli;

import dev.dejavm.platform.BadInputException;
import dev.dejavm.platform.board.Checkpoints;
import dev.dejavm.platform.board.Consoles;
import dev.dejavm.platform.board.Machine;
import dev.dejavm.platform.board.MachineConfig;
import dev.dejavm.platform.board.RunResult;
import dev.dejavm.platform.firmware.FirmwareImage;
import dev.dejavm.platform.firmware.VarsStore;
import dev.dejavm.trace.journal.JournalComparator;
import dev.dejavm.trace.journal.JournalReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code dejavm replay}: rebuilds the recorded machine and re-executes it, comparing every event. */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Rebuild the machine recorded in a journal (configuration and firmware from its header), re-execute",
                "it and compare every event with the recording. Reports the first divergence with the events before it."},
        footer = {"", "Exit status: 0 every event matched; 1 the replay diverged (reported); 2 not a journal, a damaged",
                "or cut-off journal, or firmware that differs from the recorded image."})
final class ReplayCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "JOURNAL", description = "Journal directory.")
    Path journal;

    @Option(names = "--verify", defaultValue = "true", description = "Re-execute and compare every event (the default and, for now, only mode).")
    boolean verify;

    @Option(names = "--firmware", paramLabel = "PATH",
            description = "Replay against this firmware image instead of the recorded one (shows where a changed image first behaves differently).")
    String firmwareOverride;

    @Option(names = "--context", paramLabel = "K", defaultValue = "10", description = "Recorded events to show before a divergence (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--until", paramLabel = "SEQ", defaultValue = "-1",
            description = "Compare records 0..SEQ only, then stop (the replay of a window, or of the recorded part of a journal "
                    + "that was cut off; default: the whole journal).")
    long until;

    @Option(names = "--from-checkpoint", paramLabel = "N", defaultValue = "0",
            description = "Start from checkpoint N (recorded with run --checkpoint-every) instead of power-on; the events "
                    + "before it are not re-executed.")
    int fromCheckpoint;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        // Validate the whole journal first: a damaged or cut-off journal is bad input, not a divergence.
        final long recordedEvents;
        final String recordedDigest;
        try (JournalReader check = JournalReader.open(journal)) {
            final dev.dejavm.trace.record.EventRecord r = new dev.dejavm.trace.record.EventRecord();
            while (check.next(r)) {
                // read to the end
            }
            if (!check.complete() && (until < 0 || until >= check.recordsRead())) {
                if (check.recordsRead() == 0) {
                    check.requireComplete();
                }
                throw new BadInputException(journal + ": journal is cut off after " + check.recordsRead()
                        + " records (the recording was interrupted); replay the recorded part with --until " + (check.recordsRead() - 1));
            }
            recordedEvents = check.recordsRead();
            recordedDigest = check.digestHex();
        }
        try (JournalReader reader = JournalReader.open(journal)) {
            final Recorded rec = recorded(journal, reader.header(), firmwareOverride);
            final MachineConfig config = rec.config();
            final RunResult result;
            final JournalComparator.Divergence divergence;
            final long compared;
            long firstCompared = 0;
            try (Machine m = rec.build()) {
                final JournalComparator cmp = new JournalComparator(reader, m.stamp(), context, m::abort);
                if (until >= 0) {
                    cmp.setUntil(until);
                }
                if (fromCheckpoint > 0) {
                    final Checkpoints.Info info = Checkpoints.restore(m, journal, fromCheckpoint);
                    firstCompared = info.recordSeq() + 1;
                    if (!cmp.startAt(firstCompared)) {
                        throw new BadInputException("checkpoint " + fromCheckpoint + " names record " + info.recordSeq()
                                + ", beyond the journal's end");
                    }
                    out.printf(Locale.ROOT, "from checkpoint %d: instruction %,d, virtual time %s, record %,d%n", fromCheckpoint,
                            info.icount(), Durations.format(info.virtualNs()), info.recordSeq());
                } else if (fromCheckpoint < 0) {
                    throw new BadInputException("--from-checkpoint must be 1 or more");
                }
                m.setEventSink(cmp);
                result = m.run();
                divergence = cmp.finish();
                compared = cmp.eventsCompared();
                if (divergence != null) {
                    out.print(divergence.toReport());
                    if (divergence.replayed() != null) {
                        // The replay stopped right after the diverging instruction: show the code it ran.
                        out.printf(Locale.ROOT, "code at the replayed event's rip 0x%x (linear):%n", divergence.replayed().rip());
                        m.disassembleAt(divergence.replayed().rip(), 4, t -> out.println("  " + t));
                    }
                    out.flush();
                    return ExitCodes.GUEST_FAILURE;
                }
            }
            if (until >= 0 && compared <= until + 1 && compared < recordedEvents) {
                out.printf(Locale.ROOT, "replay matched: records %,d..%,d identical, stopped there (%,d instructions)%n",
                        firstCompared, compared - 1, result.instructions());
                out.flush();
                return ExitCodes.OK;
            }
            if (firstCompared > 0 && compared <= firstCompared) {
                out.printf(Locale.ROOT, "replay matched: checkpoint %d is the last compared record; nothing after it to compare%n",
                        fromCheckpoint);
            } else if (firstCompared > 0) {
                out.printf(Locale.ROOT, "replay matched: records %,d..%,d identical, outcome %s after %,d instructions%n",
                        firstCompared, compared - 1, result.outcome().text(), result.instructions());
            } else {
                out.printf(Locale.ROOT, "replay matched: %,d events identical (digest sha256:%s), outcome %s after %,d instructions%n",
                        compared, recordedDigest, result.outcome().text(), result.instructions());
            }
            out.flush();
            if (compared != recordedEvents) {
                throw new IllegalStateException("compared " + compared + " of " + recordedEvents + " events");
            }
            return ExitCodes.OK;
        }
    }

    /** The recorded machine's configuration, firmware image and variable store, checked against the header. */
    record Recorded(MachineConfig config, FirmwareImage image, VarsStore vars, long seed, String residue,
                    long checkpointEvery, long checkpointEveryNs) {
        /** The recorded machine, with the recording's seed, residue and checkpoint boundaries (journaled, nothing saved). */
        Machine build() {
            final Machine m = new Machine(config, image, Consoles.NONE, vars);
            m.setSeed(seed);
            m.setResidue(residue);
            if (checkpointEvery > 0) {
                m.setCheckpoints(checkpointEvery, n -> { });
            }
            if (checkpointEveryNs > 0) {
                m.setTimedCheckpoints(checkpointEveryNs, n -> { });
            }
            return m;
        }
    }

    static Recorded recorded(final Path journal, final dev.dejavm.trace.journal.JournalHeader header, final String firmwareOverride) {
        final MachineConfig config = MachineConfig.fromMap(header.config());
        final FirmwareImage image;
        if (firmwareOverride != null) {
            image = FirmwareImage.load(firmwareOverride);
        } else if (header.config().containsKey(RunCommand.FLASH_KEY)) {
            // --flash: the image was written during the run; its power-on contents are the copy beside the journal.
            final java.nio.file.Path copy = journal.resolve(RunCommand.VARS_COPY);
            try {
                image = FirmwareImage.validated(config.firmware(), java.nio.file.Files.readAllBytes(copy));
            } catch (final java.io.IOException e) {
                throw new BadInputException("cannot read " + copy + " (the flash image at power-on): " + e.getMessage());
            }
            if (!image.sha256().equals(header.firmwareSha256())) {
                throw new BadInputException(copy + " does not hold the recorded flash image (sha256 differs)");
            }
        } else {
            image = FirmwareImage.load(config.firmware());
            if (!image.sha256().equals(header.firmwareSha256())) {
                throw new BadInputException("firmware '" + config.firmware() + "' has sha256 " + image.sha256()
                        + " but the journal was recorded with " + header.firmwareSha256()
                        + " (give the recorded image with --firmware)");
            }
        }
        final String varsSha = header.config().get(RunCommand.VARS_SHA_KEY);
        VarsStore vars = null;
        if (varsSha != null) {
            final java.nio.file.Path copy = journal.resolve(RunCommand.VARS_COPY);
            if (!java.nio.file.Files.isRegularFile(copy)) {
                throw new BadInputException("the run used a vars file, but its power-on copy " + copy + " is missing from the journal directory");
            }
            try {
                vars = VarsStore.replay(copy.toString(), java.nio.file.Files.readAllBytes(copy),
                        header.config().containsKey(RunCommand.FLASH_KEY));
            } catch (final java.io.IOException e) {
                throw new BadInputException("cannot read " + copy + ": " + e.getMessage());
            }
            if (!vars.sha256().equals(varsSha)) {
                throw new BadInputException(copy + " has sha256 " + vars.sha256() + " but the journal recorded " + varsSha);
            }
        }
        final String seed = header.config().get(RunCommand.SEED_KEY);
        try {
            return new Recorded(config, image, vars, seed == null ? 0 : Long.parseLong(seed),
                    header.config().getOrDefault(RunCommand.RESIDUE_KEY, Machine.RESIDUE_KEPT),
                    Long.parseLong(header.config().getOrDefault(RunCommand.CHECKPOINT_KEY, "0")),
                    Long.parseLong(header.config().getOrDefault(RunCommand.CHECKPOINT_NS_KEY, "0")));
        } catch (final NumberFormatException e) {
            throw new BadInputException("journal header has a malformed seed or checkpoint interval: " + e.getMessage());
        }
    }
}
