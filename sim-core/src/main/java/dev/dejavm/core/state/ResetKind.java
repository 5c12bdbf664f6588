package dev.dejavm.core.state;

/** Power-on versus warm reset: a warm reset keeps RAM and CMOS RAM, as hardware does. */
public enum ResetKind {
    POWER_ON,
    WARM
}
