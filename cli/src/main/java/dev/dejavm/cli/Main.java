package dev.dejavm.cli;

import dev.dejavm.platform.BadInputException;
import dev.dejavm.trace.journal.JournalException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code dejavm} command. */
@Command(name = "dejavm", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Deterministic, cycle-counted x86 PC simulator: run firmware, journal every device event, replay it.",
        subcommands = {RunCommand.class, InspectCommand.class, ReplayCommand.class, DiffCommand.class, BisectCommand.class, CampaignCommand.class, ReportCommand.class, DisasmCommand.class,
                ExecCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (try 'dejavm --help')");
    }

    public static void main(final String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line with the process's stdout/stderr and returns the exit status. */
    public static int execute(final String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the command line writing to {@code out}/{@code err} and returns the exit status (tests call this). */
    public static int execute(final java.io.PrintWriter out, final java.io.PrintWriter err, final String... args) {
        final CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            final Throwable e = ex instanceof CommandLine.ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
            if (e instanceof BadInputException || e instanceof JournalException) {
                commandLine.getErr().println("dejavm: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (e instanceof EnvironmentException) {
                commandLine.getErr().println("dejavm: " + e.getMessage());
                return ExitCodes.ENVIRONMENT;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("dejavm: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.BAD_INPUT;
        });
        return cl.execute(args);
    }
}
