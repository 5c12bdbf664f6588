package dev.dejavm.core.state;

/**
 * Everything with machine state implements this (CONVENTIONS.md "Config vs state"). Fields are written in
 * declaration order; derived fields are recomputed in {@link #load}. Bump {@link #stateVersion()} when the layout
 * changes and keep reading older versions.
 */
public interface Snapshottable {
    String stateId();

    int stateVersion();

    void save(StateWriter w);

    void load(StateReader r, int version);
}
