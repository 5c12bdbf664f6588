package dev.dejavm.core.cpu;

/**
 * Where RDRAND and RDSEED get their values: never the host's randomness, so that a run is reproducible. The
 * machine supplies a seeded generator that journals every value it hands out.
 */
@FunctionalInterface
public interface EntropySource {
    /**
     * @param seed true for RDSEED, false for RDRAND
     * @param bits 16, 32 or 64
     * @return the next value (only the low {@code bits} are used)
     */
    long next(boolean seed, int bits);

    /**
     * SplitMix64 from a seed: a deterministic sequence with good statistical quality (not cryptographic; nothing
     * in a simulator should rely on that).
     */
    static EntropySource seeded(final long seed) {
        final long[] state = {seed};
        return (isSeed, bits) -> splitMix64(state);
    }

    /** One SplitMix64 step on {@code state[0]} (the generator's whole state, so a snapshot can keep it). */
    static long splitMix64(final long[] state) {
        long z = state[0] += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
