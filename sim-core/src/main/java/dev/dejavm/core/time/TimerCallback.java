package dev.dejavm.core.time;

/** Called by the {@link Timeline} when a timer's deadline is reached. */
@FunctionalInterface
public interface TimerCallback {
    /** @param now the current virtual time in nanoseconds (at or after the deadline) */
    void onTimer(long now);
}
