package dev.dejavm.core.event;

/** Which engine executed the instruction that caused an event. Values are part of the journal format. */
public final class Engine {
    public static final int INTERPRETER = 0;
    public static final int KVM = 1;

    private Engine() {
    }

    public static String name(final int engine) {
        return engine == KVM ? "kvm" : "interp";
    }
}
