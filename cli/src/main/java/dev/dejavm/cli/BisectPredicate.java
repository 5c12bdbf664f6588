package dev.dejavm.cli;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.platform.BadInputException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The condition {@code dejavm bisect --until} looks for, evaluated after every journal event (and, for the atoms
 * that need the machine, after every instruction of a replay). Grammar, with {@code and} binding tighter than
 * {@code or} and parentheses for grouping:
 *
 * <pre>
 *   port=0x402 output contains "TEXT"     bytes written to the port, in order, contain TEXT (escapes \n \r \t \\ \" \xHH)
 *   kind=reset count>=N                   events of that kind so far (any comparison: >= > = &lt;= &lt;; default count>=1)
 *   triple-fault                          the same as kind=triple-fault
 *   icount>=N                             N instructions completed (also > = &lt;= &lt;)
 *   rip=0xADDR                            the next instruction is at linear address ADDR       (needs a replay)
 *   mem[0xADDR]=0xV   mem32[0xADDR]=0xV   the byte (mem8, mem16, mem32, mem64: that many bits)
 *                                         at guest-physical ADDR equals V                         (needs a replay)
 * </pre>
 */
final class BisectPredicate {
    /** What atoms look at. */
    interface Machine {
        long rip();

        long readPhysical(long address, int bytes);
    }

    private interface Node {
        boolean eval();
    }

    private final Node root;
    private final String text;
    private final List<OutputAtom> outputs = new ArrayList<>();
    private final long[] kindCounts = new long[256];
    private long icount;
    private boolean needsMachine;
    private boolean hasRip;
    private Machine machine;

    private BisectPredicate(final String text, final List<String> tokens) {
        this.text = text;
        final int[] pos = {0};
        this.root = orExpr(tokens, pos);
        if (pos[0] != tokens.size()) {
            throw bad("unexpected '" + tokens.get(pos[0]) + "'");
        }
    }

    static BisectPredicate parse(final String text) {
        return new BisectPredicate(text, tokenize(text));
    }

    /** Whether an atom needs the machine's state (rip, memory), i.e. a replay instruction by instruction. */
    boolean needsMachine() {
        return needsMachine;
    }

    /**
     * Whether the condition can be judged on a restored checkpoint: not with {@code rip=}, which is about an
     * instruction being reached, not about state (a replay then steps from power-on).
     */
    boolean judgedOnState() {
        return !hasRip;
    }

    void attach(final Machine m) {
        this.machine = m;
    }

    /** Feeds one event (recorded or replayed). */
    void onEvent(final int kind, final long address, final long value, final int size, final long eventIcount) {
        kindCounts[kind & 0xFF]++;
        icount = eventIcount;
        if (kind == EventKind.PIO_WRITE) {
            for (final OutputAtom o : outputs) {
                if (o.port == address) {
                    for (int i = 0; i < Math.max(1, size); i++) {
                        o.add((int) (value >>> (8 * i)) & 0xFF);
                    }
                }
            }
        }
    }

    /** The instruction count the machine has reached (between events, during a replay). */
    void atIcount(final long n) {
        icount = n;
    }

    boolean holds() {
        return root.eval();
    }

    @Override
    public String toString() {
        return text;
    }

    // ---- atoms -------------------------------------------------------------------------------------------

    private static final class OutputAtom implements Node {
        final long port;
        final byte[] want;
        final byte[] window;
        int filled;
        boolean seen;

        OutputAtom(final long port, final byte[] want) {
            this.port = port;
            this.want = want;
            this.window = new byte[Math.max(1, want.length)];
            this.seen = want.length == 0;
        }

        void add(final int b) {
            if (seen) {
                return;
            }
            if (filled == window.length) {
                System.arraycopy(window, 1, window, 0, window.length - 1);
                filled--;
            }
            window[filled++] = (byte) b;
            seen = filled == want.length && java.util.Arrays.equals(window, want);
        }

        @Override
        public boolean eval() {
            return seen;
        }
    }

    private Node atom(final List<String> t, final int[] pos) {
        final String a = t.get(pos[0]++).toLowerCase(Locale.ROOT);
        if (a.equals("triple-fault")) {
            return () -> kindCounts[EventKind.TRIPLE_FAULT] >= 1;
        }
        if (a.startsWith("port=")) {
            final long port = number(a.substring(5));
            expectWord(t, pos, "output");
            expectWord(t, pos, "contains");
            if (pos[0] >= t.size() || !t.get(pos[0]).startsWith("\"")) {
                throw bad("port=... output contains needs a \"quoted text\"");
            }
            final OutputAtom o = new OutputAtom(port, unescape(t.get(pos[0]++)));
            outputs.add(o);
            return o;
        }
        if (a.startsWith("kind=")) {
            final int kind = EventKind.parse(a.substring(5));
            if (kind < 0) {
                throw bad("unknown event kind '" + a.substring(5) + "'");
            }
            if (pos[0] < t.size() && t.get(pos[0]).toLowerCase(Locale.ROOT).startsWith("count")) {
                final Cmp c = comparison(t.get(pos[0]++).substring(5));
                return () -> c.test(kindCounts[kind]);
            }
            return () -> kindCounts[kind] >= 1;
        }
        if (a.startsWith("icount")) {
            final Cmp c = comparison(a.substring(6));
            return () -> c.test(icount);
        }
        if (a.startsWith("rip=")) {
            final long rip = number(a.substring(4));
            needsMachine = true;
            hasRip = true;
            return () -> machine != null && machine.rip() == rip;
        }
        if (a.startsWith("mem")) {
            final int open = a.indexOf('[');
            final int close = a.indexOf("]=");
            if (open < 0 || close < open) {
                throw bad("memory atoms look like mem[0xADDR]=0xVALUE or mem32[0xADDR]=0xVALUE");
            }
            final String bits = a.substring(3, open);
            final int bytes = switch (bits) {
                case "", "8" -> 1;
                case "16" -> 2;
                case "32" -> 4;
                case "64" -> 8;
                default -> throw bad("memory width must be 8, 16, 32 or 64: '" + a + "'");
            };
            final long address = number(a.substring(open + 1, close));
            final long value = number(a.substring(close + 2));
            needsMachine = true;
            return () -> machine != null && machine.readPhysical(address, bytes) == value;
        }
        throw bad("unknown condition '" + a + "'");
    }

    private record Cmp(String op, long n) {
        boolean test(final long v) {
            return switch (op) {
                case ">=" -> v >= n;
                case ">" -> v > n;
                case "=", "==" -> v == n;
                case "<=" -> v <= n;
                case "<" -> v < n;
                default -> false;
            };
        }
    }

    private Cmp comparison(final String s) {
        for (final String op : new String[] {">=", "<=", "==", ">", "<", "="}) {
            if (s.startsWith(op)) {
                return new Cmp(op, number(s.substring(op.length())));
            }
        }
        throw bad("expected a comparison such as >=5 in '" + s + "'");
    }

    // ---- expressions -------------------------------------------------------------------------------------

    private Node orExpr(final List<String> t, final int[] pos) {
        Node left = andExpr(t, pos);
        while (pos[0] < t.size() && t.get(pos[0]).equalsIgnoreCase("or")) {
            pos[0]++;
            final Node l = left;
            final Node r = andExpr(t, pos);
            left = () -> l.eval() | r.eval();
        }
        return left;
    }

    private Node andExpr(final List<String> t, final int[] pos) {
        Node left = primary(t, pos);
        while (pos[0] < t.size() && t.get(pos[0]).equalsIgnoreCase("and")) {
            pos[0]++;
            final Node l = left;
            final Node r = primary(t, pos);
            left = () -> l.eval() & r.eval();
        }
        return left;
    }

    private Node primary(final List<String> t, final int[] pos) {
        if (pos[0] >= t.size()) {
            throw bad("the condition ends too early");
        }
        if (t.get(pos[0]).equals("(")) {
            pos[0]++;
            final Node n = orExpr(t, pos);
            if (pos[0] >= t.size() || !t.get(pos[0]).equals(")")) {
                throw bad("missing ')'");
            }
            pos[0]++;
            return n;
        }
        return atom(t, pos);
    }

    private void expectWord(final List<String> t, final int[] pos, final String word) {
        if (pos[0] >= t.size() || !t.get(pos[0]).equalsIgnoreCase(word)) {
            throw bad("expected '" + word + "'");
        }
        pos[0]++;
    }

    private static List<String> tokenize(final String s) {
        final List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            final char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '"') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != '"') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                if (j >= s.length()) {
                    throw new BadInputException("--until: unterminated \"text\" in: " + s);
                }
                out.add(s.substring(i, j + 1));
                i = j + 1;
            } else {
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && s.charAt(j) != '(' && s.charAt(j) != ')') {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException("--until: empty condition");
        }
        return out;
    }

    private static byte[] unescape(final String quoted) {
        final String s = quoted.substring(1, quoted.length() - 1);
        final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            final char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.write('\n');
                case 'r' -> b.write('\r');
                case 't' -> b.write('\t');
                case 'x' -> {
                    try {
                        b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    } catch (final NumberFormatException | IndexOutOfBoundsException ex) {
                        throw new BadInputException("--until: \\x needs two hex digits in " + quoted);
                    }
                    i += 2;
                }
                default -> b.write(e);
            }
        }
        return b.toByteArray();
    }

    private long number(final String s) {
        try {
            final String t = s.trim().replace("_", "");
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (final NumberFormatException e) {
            throw bad("'" + s + "' is not a number");
        }
    }

    private BadInputException bad(final String why) {
        return new BadInputException("--until \"" + text + "\": " + why);
    }
}
