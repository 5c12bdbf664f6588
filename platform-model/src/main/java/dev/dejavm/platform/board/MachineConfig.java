package dev.dejavm.platform.board;

import dev.dejavm.platform.BadInputException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything that determines a run, immutable and validated. Written into the journal header as key/value pairs
 * ({@link #toMap()}) and read back by replay ({@link #fromMap(Map)}): same config + same firmware bytes ⇒ the same
 * journal.
 *
 * @param board          "pc" (i440FX PC board), "q35" (Q35/ICH9 PC board) or "bare" (RAM, ROM and nothing else, for CPU test ROMs)
 * @param memoryBytes    guest RAM in bytes: 2 MiB .. 3 GiB, a multiple of 1 MiB
 * @param cpus           number of CPUs reported through fw_cfg (1 executes)
 * @param firmware       "builtin", "seabios" or a path
 * @param rtcStart       the RTC's time at power-on, seconds since the Unix epoch (never the host clock)
 * @param exitAction     contents of the fw_cfg file {@code opt/dev.dejavm/exit} ("poweroff" or "reset"), or null to
 *                       leave the file out (the bundled firmware then powers off)
 * @param maxIcount      stop after this many instructions (0 = no limit)
 * @param maxVirtualNs   stop at this virtual time in nanoseconds (0 = no limit)
 * @param reboots        guest resets to go through before a reset ends the run (0 = the first reset ends it)
 * @param postPort       {@code bare} board: the port whose writes print as POST codes
 * @param debugconPort   {@code bare} board: the port whose writes print as console text
 * @param serialInput    the serial input script (see {@link SerialScript}), "" for none; it is part of the
 *                       configuration so that a replay types the same input at the same moments
 * @param bootFailWaitMs the fw_cfg file {@code etc/boot-fail-wait} (QEMU's {@code -boot reboot-timeout}): how long
 *                       SeaBIOS waits after "No bootable device." before rebooting, in ms; -1 never; {@link
 *                       #NO_BOOT_FAIL_WAIT} leaves the file out (SeaBIOS then waits 60 s)
 * @param hostBridge     {@code pc} board: the identity of the host bridge at 00:00.0, "i440fx" (QEMU's 8086:1237) or
 *                       "cloudhv" (Cloud Hypervisor's 8086:0d57, which EDK2's CloudHv platform looks for)
 */
public record MachineConfig(String board, long memoryBytes, int cpus, String firmware, long rtcStart, String exitAction,
                            long maxIcount, long maxVirtualNs, int reboots, int postPort, int debugconPort, String serialInput,
                            String hostBridge, long bootFailWaitMs) {
    /** Without serial input. */
    public MachineConfig(final String board, final long memoryBytes, final int cpus, final String firmware, final long rtcStart,
                         final String exitAction, final long maxIcount, final long maxVirtualNs, final int reboots,
                         final int postPort, final int debugconPort) {
        this(board, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort, "", null, NO_BOOT_FAIL_WAIT);
    }

    public static final long MIB = 1L << 20;
    public static final long DEFAULT_MEMORY = 128 * MIB;
    public static final long MIN_MEMORY = 2 * MIB;
    public static final long MAX_MEMORY = 3072 * MIB;
    /** q35 keeps all RAM below its ECAM window at 0xB0000000 and the 32-bit PCI hole above it: at most 2 GiB here. */
    public static final long Q35_MAX_MEMORY = 2048 * MIB;
    /** 2024-01-01T00:00:00Z, the default RTC start (the same instant the reference QEMU runs use). */
    public static final long DEFAULT_RTC_START = 1_704_067_200L;

    /** The bare board's default POST and console ports (the conventions of CPU test ROMs). */
    public static final int DEFAULT_POST_PORT = 0x80, DEFAULT_DEBUGCON_PORT = 0xE9;

    /** {@code bootFailWaitMs} value that leaves {@code etc/boot-fail-wait} out. */
    public static final long NO_BOOT_FAIL_WAIT = -2;

    /** Host bridge identities of the {@code pc} board. */
    public static final String HOST_BRIDGE_I440FX = "i440fx", HOST_BRIDGE_CLOUDHV = "cloudhv";

    public MachineConfig {
        if (serialInput == null) {
            serialInput = "";
        }
        if (hostBridge == null) {
            hostBridge = HOST_BRIDGE_I440FX;
        }
        if (bootFailWaitMs < NO_BOOT_FAIL_WAIT || bootFailWaitMs > 0xFFFF_FFFEL) {
            throw new BadInputException("boot-fail-wait " + bootFailWaitMs + " ms is out of range");
        }
        if (!hostBridge.equals(HOST_BRIDGE_I440FX) && !hostBridge.equals(HOST_BRIDGE_CLOUDHV)) {
            throw new BadInputException("host bridge '" + hostBridge + "' is not 'i440fx' or 'cloudhv'");
        }
        if (!hostBridge.equals(HOST_BRIDGE_I440FX) && !board.equals("pc")) {
            throw new BadInputException("--host-bridge " + hostBridge + " needs the pc machine");
        }
        SerialScript.parse(serialInput); // a malformed script is bad input here, not in the middle of a run
        if (!board.equals("pc") && !board.equals("q35") && !board.equals("bare")) {
            throw new BadInputException("unknown machine '" + board + "': this version has 'pc', 'q35' and 'bare'");
        }
        if (postPort < 0 || postPort > 0xFFFF || debugconPort < 0 || debugconPort > 0xFFFF) {
            throw new BadInputException("port numbers are 0 .. 0xffff");
        }
        if (postPort == debugconPort) {
            throw new BadInputException("the POST port and the debug console port must differ");
        }
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY || memoryBytes % MIB != 0) {
            throw new BadInputException("memory size " + memoryBytes + " bytes is out of range: give 2M .. 3G in whole MiB (e.g. --memory 128M)");
        }
        if (board.equals("q35") && memoryBytes > Q35_MAX_MEMORY) {
            throw new BadInputException("memory size " + (memoryBytes / MIB) + "M is too large for q35: at most 2048M (RAM above 2 GiB would meet the PCI Express configuration window)");
        }
        if (cpus < 1 || cpus > 255) {
            throw new BadInputException("cpu count " + cpus + " is out of range 1..255");
        }
        if (exitAction != null && !exitAction.equals("poweroff") && !exitAction.equals("reset")) {
            throw new BadInputException("exit action '" + exitAction + "' is not 'poweroff' or 'reset'");
        }
        if (maxIcount < 0 || maxVirtualNs < 0 || reboots < 0) {
            throw new BadInputException("limits must not be negative");
        }
        if (rtcStart < 0) {
            throw new BadInputException("RTC start must not be before 1970");
        }
    }

    public static MachineConfig defaults() {
        return new MachineConfig("pc", DEFAULT_MEMORY, 1, "builtin", DEFAULT_RTC_START, null, 0, 0, 0, DEFAULT_POST_PORT,
                DEFAULT_DEBUGCON_PORT);
    }

    public MachineConfig withFirmware(final String f) {
        return new MachineConfig(board, memoryBytes, cpus, f, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withMemory(final long bytes) {
        return new MachineConfig(board, bytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withRtcStart(final long epochSeconds) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, epochSeconds, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withExitAction(final String action) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, action, maxIcount, maxVirtualNs, reboots, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withLimits(final long icount, final long virtualNs) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, exitAction, icount, virtualNs, reboots, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withReboots(final int n) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, n, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withBoard(final String b) {
        return new MachineConfig(b, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort, serialInput, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withSerialInput(final String script) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort,
                script, hostBridge, bootFailWaitMs);
    }

    public MachineConfig withHostBridge(final String bridge) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort,
                serialInput, bridge, bootFailWaitMs);
    }

    public MachineConfig withBootFailWait(final long ms) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, postPort, debugconPort,
                serialInput, hostBridge, ms);
    }

    public MachineConfig withPorts(final int post, final int debugcon) {
        return new MachineConfig(board, memoryBytes, cpus, firmware, rtcStart, exitAction, maxIcount, maxVirtualNs, reboots, post, debugcon, serialInput, hostBridge, bootFailWaitMs);
    }

    /** Parses "128M", "2G", "65536K" or a plain byte count. */
    public static long parseSize(final String text) {
        final String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        long mul = 1;
        String digits = t;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
            mul = switch (t.charAt(t.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                default -> 1L << 30;
            };
            digits = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), mul);
        } catch (final NumberFormatException | ArithmeticException e) {
            throw new BadInputException("size '" + text + "' is not a number with an optional K/M/G suffix");
        }
    }

    /** Parses an ISO-8601 instant ("2024-01-01T00:00:00Z") or epoch seconds. */
    public static long parseInstant(final String text) {
        try {
            return Instant.parse(text).getEpochSecond();
        } catch (final DateTimeParseException e) {
            try {
                return Long.parseLong(text);
            } catch (final NumberFormatException e2) {
                throw new BadInputException("time '" + text + "' is not an ISO-8601 instant like 2024-01-01T00:00:00Z or epoch seconds");
            }
        }
    }

    /** The configuration as ordered key/value pairs, for the journal header. */
    public SortedMap<String, String> toMap() {
        final SortedMap<String, String> m = new TreeMap<>();
        m.put("board", board);
        m.put("memory", Long.toString(memoryBytes));
        m.put("cpus", Integer.toString(cpus));
        m.put("firmware", firmware);
        m.put("rtc-start", Long.toString(rtcStart));
        m.put("exit-action", exitAction == null ? "" : exitAction);
        m.put("max-icount", Long.toString(maxIcount));
        m.put("max-virtual-ns", Long.toString(maxVirtualNs));
        m.put("reboots", Integer.toString(reboots));
        if (board.equals("bare")) {
            m.put("post-port", Integer.toString(postPort));
            m.put("debugcon-port", Integer.toString(debugconPort));
        }
        if (!serialInput.isEmpty()) {
            m.put("serial-input", serialInput);
        }
        if (!hostBridge.equals(HOST_BRIDGE_I440FX)) {
            m.put("host-bridge", hostBridge);
        }
        if (bootFailWaitMs != NO_BOOT_FAIL_WAIT) {
            m.put("boot-fail-wait", Long.toString(bootFailWaitMs));
        }
        return m;
    }

    /** Inverse of {@link #toMap()}; a missing or malformed key is a {@link BadInputException}. */
    public static MachineConfig fromMap(final Map<String, String> m) {
        try {
            final String exit = get(m, "exit-action");
            return new MachineConfig(get(m, "board"), Long.parseLong(get(m, "memory")), Integer.parseInt(get(m, "cpus")),
                    get(m, "firmware"), Long.parseLong(get(m, "rtc-start")), exit.isEmpty() ? null : exit,
                    Long.parseLong(get(m, "max-icount")), Long.parseLong(get(m, "max-virtual-ns")), Integer.parseInt(get(m, "reboots")),
                    Integer.parseInt(m.getOrDefault("post-port", Integer.toString(DEFAULT_POST_PORT))),
                    Integer.parseInt(m.getOrDefault("debugcon-port", Integer.toString(DEFAULT_DEBUGCON_PORT))),
                    m.getOrDefault("serial-input", ""), m.get("host-bridge"),
                    Long.parseLong(m.getOrDefault("boot-fail-wait", Long.toString(NO_BOOT_FAIL_WAIT))));
        } catch (final NumberFormatException e) {
            throw new BadInputException("journal header has a malformed machine configuration: " + e.getMessage());
        }
    }

    private static String get(final Map<String, String> m, final String key) {
        final String v = m.get(key);
        if (v == null) {
            throw new BadInputException("journal header lacks the machine configuration key '" + key + "'");
        }
        return v;
    }
}
