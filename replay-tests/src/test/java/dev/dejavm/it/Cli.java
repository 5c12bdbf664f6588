package dev.dejavm.it;

import dev.dejavm.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the dejavm command line in-process and captures what it prints. */
final class Cli {
    /** The result of one command: exit status, stdout and stderr text. */
    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static Result run(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int status;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            status = Main.execute(o, e, args);
        }
        return new Result(status, out.toString(), err.toString());
    }
}
