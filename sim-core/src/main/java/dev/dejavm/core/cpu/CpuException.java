package dev.dejavm.core.cpu;

/**
 * A guest CPU exception (fault) unwinding the current instruction. One preallocated instance per interpreter,
 * without a stack trace: raising an exception allocates nothing.
 */
final class CpuException extends RuntimeException {
    int vector;
    int errorCode;
    boolean hasErrorCode;

    CpuException() {
        super(null, null, false, false);
    }

    CpuException set(final int v, final int code, final boolean hasCode) {
        this.vector = v;
        this.errorCode = code;
        this.hasErrorCode = hasCode;
        return this;
    }
}
