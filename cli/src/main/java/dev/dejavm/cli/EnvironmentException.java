package dev.dejavm.cli;

/** The host lacks something the command needs; exit status 3. */
final class EnvironmentException extends RuntimeException {
    EnvironmentException(final String message) {
        super(message, null, false, false);
    }
}
