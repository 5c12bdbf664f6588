package dev.dejavm.platform.dev;

/** A device's interrupt output pin, level-triggered. */
@FunctionalInterface
public interface IrqLine {
    IrqLine NONE = level -> {
    };

    void set(boolean level);
}
