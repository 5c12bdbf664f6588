package dev.dejavm.core.state;

/** A device with reset behaviour. Resetting twice must equal resetting once. */
public interface Resettable {
    void reset(ResetKind kind);
}
