package dev.dejavm.core.cpu;

/** Assembly fragments that build an IDT at 0x5000 from guest code (the handler addresses are the guest's labels). */
final class Idt {
    private Idt() {
    }

    /** 32-bit interrupt gate (type 0xE, DPL 0, present) for {@code vector} to {@code label} in selector 0x08. */
    static String gate32(final int vector, final String label) {
        final int at = 0x5000 + 8 * vector;
        return """
                    movl $%1$s, %%eax
                    movw %%ax, 0x%2$x
                    movw $0x08, 0x%3$x
                    movw $0x8E00, 0x%4$x
                    shrl $16, %%eax
                    movw %%ax, 0x%5$x
                """.formatted(label, at, at + 2, at + 4, at + 6);
    }

    /** The same gate with P = 0. */
    static String absent32(final int vector, final String label) {
        return gate32(vector, label) + "    movw $0x0E00, 0x%x\n".formatted(0x5000 + 8 * vector + 4);
    }

    static String lidt32(final int limit) {
        return """
                    movw $0x%x, 0x4F00
                    movl $0x5000, 0x4F02
                    lidt 0x4F00
                """.formatted(limit);
    }

    /** 64-bit interrupt gate for {@code vector} to {@code label} in selector 0x18. */
    static String gate64(final int vector, final String label) {
        final int at = 0x5000 + 16 * vector;
        return """
                    movabsq $%1$s, %%rax
                    movw %%ax, 0x%2$x
                    movw $0x18, 0x%3$x
                    movw $0x8E00, 0x%4$x
                    shrq $16, %%rax
                    movw %%ax, 0x%5$x
                    shrq $16, %%rax
                    movl %%eax, 0x%6$x
                    movl $0, 0x%7$x
                """.formatted(label, at, at + 2, at + 4, at + 6, at + 8, at + 12);
    }

    static String lidt64() {
        return """
                    movw $0xFFF, 0x4F00
                    movq $0x5000, 0x4F02
                    lidt 0x4F00
                """;
    }
}
