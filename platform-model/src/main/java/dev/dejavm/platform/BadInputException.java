package dev.dejavm.platform;

/**
 * A user-supplied input (firmware file, configuration value) is unusable. The message is one line that names the
 * thing and the fix; the CLI prints it and exits with status 2.
 */
public final class BadInputException extends RuntimeException {
    public BadInputException(final String message) {
        super(message, null, false, false);
    }
}
