package dev.dejavm.platform.board;

import dev.dejavm.decoder.Disassembler;

import dev.dejavm.core.bus.MmioBus;
import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.cpu.CpuState;
import dev.dejavm.core.cpu.Interpreter;
import dev.dejavm.core.cpu.StopReason;
import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.EventSink;
import dev.dejavm.core.event.ExecutionStamp;
import dev.dejavm.core.event.ResetCause;
import dev.dejavm.core.mem.GuestRam;
import dev.dejavm.core.mem.PhysicalMemory;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.decoder.Disassembler;
import dev.dejavm.platform.dev.flash.CfiFlash;
import dev.dejavm.platform.firmware.FirmwareImage;
import dev.dejavm.platform.firmware.VarsStore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One PC: guest RAM, the firmware ROM, the buses with the board's devices, the timeline and the interpreter, plus
 * the run loop that turns the interpreter's stops into outcomes, resets and journal events.
 *
 * <p>The board ({@code pc}: the devices firmware needs, at the addresses QEMU's pc uses) is built by
 * {@link PcBoard}; the {@code bare} machine for CPU test ROMs by {@link BareBoard}. This class owns the life cycle.
 */
public final class Machine implements SystemControl, AutoCloseable {
    private final MachineConfig config;
    private final FirmwareImage firmware;
    private final GuestRam ram;
    private final MmioBus mmio = new MmioBus();
    private final PortBus ports = new PortBus();
    private final PhysicalMemory memory = new PhysicalMemory(mmio);
    private final Timeline timeline = new Timeline();
    private final CpuState cpu = new CpuState();
    private final Interpreter interpreter;
    private final List<Resettable> devices = new ArrayList<>();
    private final PcBoard board;
    private final BareBoard bare;
    private final Arena arena = Arena.ofShared();
    private final int timeLimitTimer;
    private MemorySegment rom;
    private final VarsStore vars;
    private CfiFlash codeFlash;
    private CfiFlash varsFlash;

    private EventSink sink = EventSink.NONE;
    /** The seed of the RDRAND/RDSEED generator (fixed: the same machine gives the same sequence). */
    static final long RANDOM_SEED = 0x646A_766D_5244_524EL;
    /** The RDRAND/RDSEED generator's state (SplitMix64), part of the machine state. */
    private final long[] randomState = {RANDOM_SEED};
    private SerialFeeder feeder;
    private long checkpointEvery;
    private CheckpointListener checkpointListener;
    private long nextCheckpoint = Long.MAX_VALUE;
    private final int checkpointTimer;
    private long checkpointEveryNs;
    private boolean checkpointDue;
    private long pauseAt = Long.MAX_VALUE;
    private int checkpointNumber;
    private long seed;
    private String residue = RESIDUE_KEPT;
    /** What a warm reset leaves in RAM: everything (as hardware), zeros, or a pattern derived from the seed. */
    public static final String RESIDUE_KEPT = "kept", RESIDUE_CLEARED = "cleared", RESIDUE_POISONED = "poisoned";
    private String lastTripleFault = "";
    private int pendingReset = -1;
    private boolean pendingPowerOff;
    private boolean timeLimitHit;
    private boolean abortRequested;
    private int resets;

    public Machine(final MachineConfig config, final FirmwareImage firmware, final Consoles consoles) {
        this(config, firmware, consoles, null);
    }

    /**
     * @param vars the variable store of the second flash chip, or null: with it the firmware image is the first
     *             (read-only) chip and both are CFI flash devices at the top of 4 GiB, as QEMU's
     *             {@code -drive if=pflash} pair; without it the image is plain ROM, as QEMU's {@code -bios}
     */
    public Machine(final MachineConfig config, final FirmwareImage firmware, final Consoles consoles, final VarsStore vars) {
        this.config = config;
        this.vars = vars;
        this.firmware = firmware;
        this.ram = new GuestRam(config.memoryBytes());
        this.interpreter = new Interpreter(cpu, memory, ports, timeline);
        if (config.board().equals("bare")) {
            mapBareMemory();
            this.board = null;
            this.bare = new BareBoard(config, ports, consoles, devices::add);
        } else {
            mapMemory();
            final SerialScript script = SerialScript.parse(config.serialInput());
            final SerialFeeder feeder = script.isEmpty() ? null
                : new SerialFeeder(script, timeline, () -> sink, PcLayout.COM1_BASE);
            this.feeder = feeder;
            final Consoles watched = feeder == null ? consoles
                : new Consoles(consoles.debugcon(), b -> {
                    consoles.com1().accept(b);
                    feeder.onOutput(b);
                }, consoles.post());
            this.board = new PcBoard(config, ports, mmio, timeline, this, watched, devices::add, this::applyPam, () -> cpu.apicBase,
                    new FwCfgDma());
            if (feeder != null) {
                feeder.attach(board.com1());
            }
            this.bare = null;
            final dev.dejavm.platform.dev.lapic.LocalApic lapic = board.lapic();
            interpreter.setInterruptSource(new dev.dejavm.core.cpu.InterruptSource() {
                @Override
                public boolean pending() {
                    return lapic.pending();
                }

                @Override
                public int acknowledge() {
                    final boolean fromApic = lapic.apicPending();
                    final int vector = lapic.acknowledge();
                    if (vector >= 0) {
                        sink.onEvent(EventKind.INTERRUPT, 0, vector, 0, fromApic ? 0 : 1);
                    }
                    return vector;
                }
            });
            board.fwCfg().setListener(new dev.dejavm.platform.dev.fwcfg.FwCfg.Listener() {
                @Override
                public void onSelect(final int key, final int size) {
                    sink.onEvent(EventKind.FW_CFG_SELECT, 0, key, 0, size);
                }

                @Override
                public void onDma(final long address, final long length, final int control, final int crc32c) {
                    sink.onEvent(EventKind.FW_CFG_DMA, 0, address, control & 0xFF, (length << 32) | (crc32c & 0xFFFF_FFFFL));
                }
            });
            interpreter.setApicPresent(true);
            board.lapic().setNmiSink(interpreter::raiseNmi);
        }
        // RDRAND/RDSEED: a generator with a fixed seed, every value journaled (replay re-creates the same sequence).
        interpreter.setEntropySource((isSeed, bits) -> {
            final long v = dev.dejavm.core.cpu.EntropySource.splitMix64(randomState) & (bits == 64 ? -1L : (1L << bits) - 1);
            sink.onEvent(EventKind.RANDOM, 0, isSeed ? 1 : 0, bits / 8, v);
            return v;
        });
        this.checkpointTimer = timeline.register("checkpoint", now -> {
            checkpointDue = true;
            interpreter.requestStop();
        });
        this.timeLimitTimer = timeline.register("virtual-time-limit", now -> {
            timeLimitHit = true;
            interpreter.requestStop();
        });
        powerOn();
    }

    /**
     * RAM, the VGA hole, and the ROM at the top of 4 GiB. The window 0xC0000-0xFFFFF is then set by the i440FX's
     * PAM registers ({@link #applyPam}): at reset the ROM's last 128 KiB (or all of it, if smaller) appear just
     * below 1 MiB and the rest of the window is unassigned.
     */
    private void mapMemory() {
        final long ramSize = config.memoryBytes();
        memory.mapRam(0, ramSize, ram.segment(), 0);
        memory.unmap(PcLayout.VGA_HOLE_BASE, PcLayout.VGA_HOLE_SIZE);
        final byte[] image = firmware.bytes();
        rom = arena.allocate(image.length, PhysicalMemory.PAGE_SIZE);
        MemorySegment.copy(MemorySegment.ofArray(image), 0, rom, 0, image.length);
        if (vars == null) {
            memory.mapRom(PcLayout.FOUR_GIB - image.length, image.length, rom, 0);
        } else if (vars.unified()) {
            // One writable chip holding the whole image (QEMU's single -drive if=pflash): its own copy of the
            // contents, so that the ISA-BIOS alias below 1 MiB keeps the power-on bytes, as QEMU's copy does.
            final MemorySegment flash = arena.allocate(image.length, PhysicalMemory.PAGE_SIZE);
            MemorySegment.copy(MemorySegment.ofArray(vars.initial()), 0, flash, 0, image.length);
            varsFlash = flashChip("flash", flash, PcLayout.FOUR_GIB - image.length, false);
            varsFlash.setPersistence((offset, length) -> vars.written(flash, offset, length));
        } else {
            mapFlash(image.length);
        }
        applyPam(PcLayout.PAM_WINDOW_BASE, PcLayout.ONE_MIB - PcLayout.PAM_WINDOW_BASE, 0);
    }

    /**
     * QEMU's pflash layout (pc_system_flash_map): unit 0, the code, ends at 4 GiB; unit 1, the variable store,
     * sits right below it. Both are CFI flash chips mapped as ROM devices while in read-array mode; their command
     * accesses are MMIO events in the journal. Variable writes go through to the vars file.
     */
    private void mapFlash(final long codeSize) {
        final long codeBase = PcLayout.FOUR_GIB - codeSize;
        codeFlash = flashChip("code", rom, codeBase, true);
        final byte[] v = vars.initial();
        if (v.length > codeBase - PcLayout.FOUR_GIB / 2) {
            throw new dev.dejavm.platform.BadInputException("firmware and vars together are too large to map below 4 GiB");
        }
        final MemorySegment varsSegment = arena.allocate(v.length, PhysicalMemory.PAGE_SIZE);
        MemorySegment.copy(MemorySegment.ofArray(v), 0, varsSegment, 0, v.length);
        varsFlash = flashChip("vars", varsSegment, codeBase - v.length, false);
        varsFlash.setPersistence((offset, length) -> vars.written(varsSegment, offset, length));
    }

    private CfiFlash flashChip(final String name, final MemorySegment contents, final long base, final boolean readOnly) {
        final CfiFlash chip = new CfiFlash(name, contents, readOnly);
        final long size = contents.byteSize();
        mmio.map(base, size, chip, "pflash-" + name);
        memory.mapRomDevice(base, size, contents, 0);
        chip.setModeListener(readArray -> {
            if (readArray) {
                memory.mapRomDevice(base, size, contents, 0);
                interpreter.flushCaches(); // decoded instructions may be stale after program/erase
            } else {
                memory.unmap(base, size);
            }
        });
        chip.setErrorLog(message -> System.err.println("dejavm: " + message));
        devices.add(chip);
        return chip;
    }

    /** fw_cfg DMA into guest RAM (below the top of RAM, outside the VGA hole), through the normal write path. */
    private final class FwCfgDma implements dev.dejavm.platform.dev.fwcfg.FwCfg.DmaMemory {
        @Override
        public boolean isRam(final long address, final long length) {
            if (address < 0 || length < 0 || address + length > config.memoryBytes() || address + length < address) {
                return false;
            }
            return address + length <= PcLayout.VGA_HOLE_BASE || address >= PcLayout.VGA_HOLE_BASE + PcLayout.VGA_HOLE_SIZE;
        }

        @Override
        public int read(final long address) {
            return memory.readByte(address);
        }

        @Override
        public void write(final long address, final int value) {
            memory.writeByte(address, value);
        }
    }

    /** The bare machine: RAM from 0, the ROM at the top of 4 GiB and its last 64 KiB (or all of it) at 0xF0000. */
    private void mapBareMemory() {
        memory.mapRam(0, config.memoryBytes(), ram.segment(), 0);
        final byte[] image = firmware.bytes();
        rom = arena.allocate(image.length, PhysicalMemory.PAGE_SIZE);
        MemorySegment.copy(MemorySegment.ofArray(image), 0, rom, 0, image.length);
        memory.mapRom(PcLayout.FOUR_GIB - image.length, image.length, rom, 0);
        final long alias = Math.min(image.length, BareBoard.LOW_ALIAS_SIZE);
        memory.mapRom(PcLayout.ONE_MIB - alias, alias, rom, image.length - alias);
    }

    /**
     * One PAM segment's mode (82441FX datasheet 3.2.18): 0 = reads and writes go to the ROM/PCI side, 1 = reads
     * from DRAM (writes to the ROM side: dropped), 3 = DRAM read/write. Mode 2 (write-only DRAM) is approximated
     * as mode 0: its writes are dropped instead of reaching DRAM (firmware does not rely on it; noted as a
     * deviation).
     */
    private void applyPam(final long base, final long size, final int mode) {
        final long alias = Math.min(firmware.bytes().length, PcLayout.ISA_BIOS_MAX_SIZE);
        final long aliasStart = PcLayout.ONE_MIB - alias;
        for (long a = base; a < base + size; a += PhysicalMemory.PAGE_SIZE) {
            if (a >= config.memoryBytes()) {
                memory.unmap(a, PhysicalMemory.PAGE_SIZE);
            } else if (mode == 3) {
                memory.mapRam(a, PhysicalMemory.PAGE_SIZE, ram.segment(), a);
            } else if (mode == 1) {
                memory.mapRom(a, PhysicalMemory.PAGE_SIZE, ram.segment(), a);
            } else if (a >= aliasStart) {
                memory.mapRom(a, PhysicalMemory.PAGE_SIZE, rom, firmware.bytes().length - alias + (a - aliasStart));
            } else {
                memory.unmap(a, PhysicalMemory.PAGE_SIZE);
            }
        }
        interpreter.flushCaches(); // the same physical addresses now hold other bytes
    }

    private void powerOn() {
        ram.clear();
        ram.markUsed();
        timeline.resetAll();
        for (final Resettable d : devices) {
            d.reset(ResetKind.POWER_ON);
        }
        if (config.maxVirtualNs() > 0) {
            timeline.schedule(timeLimitTimer, config.maxVirtualNs());
        }
        memory.setA20(true);
        interpreter.reset();
    }

    /** Routes every journaled event (port, MMIO, machine) to {@code eventSink}. */
    public void setEventSink(final EventSink eventSink) {
        this.sink = eventSink;
        ports.setSink(eventSink);
        mmio.setSink(eventSink);
        if (board != null) {
            board.setEventSink(eventSink);
        }
    }

    /** Where execution is, for stamping events. */
    public ExecutionStamp stamp() {
        return interpreter;
    }

    public MachineConfig config() {
        return config;
    }

    public FirmwareImage firmware() {
        return firmware;
    }

    /** The pc board's devices; null on the bare machine. */
    public PcBoard board() {
        return board;
    }

    /** POST codes written so far, oldest first (at most {@link dev.dejavm.platform.dev.post.PostPort#HISTORY}). */
    public int[] postCodes() {
        return board != null ? board.post().codes() : bare.post().codes();
    }

    public PhysicalMemory memory() {
        return memory;
    }

    /**
     * Disassembles {@code length} bytes of guest-physical memory at {@code physical} as {@code mode}-bit code, one
     * line per instruction, without touching devices (MMIO reads as 0xff). For reports and debugging.
     * @return instructions printed
     */
    public long disassemble(final long physical, final int length, final int mode, final Disassembler.LineSink sink) {
        final byte[] bytes = new byte[Math.max(0, length)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) memory.peekByte(physical + i);
        }
        return new Disassembler(mode).disassemble(bytes, 0, bytes.length, physical, sink);
    }

    /**
     * Disassembles {@code count} instructions at the linear address {@code linear} (what journal records carry as
     * rip) in the current mode, through the current page tables (without side effects). Unmapped code says so.
     */
    public void disassembleAt(final long linear, final int count, final Disassembler.LineSink sink) {
        final dev.dejavm.core.cpu.CpuState s = cpu;
        final boolean longMode = (s.efer & dev.dejavm.core.cpu.CpuState.EFER_LMA) != 0;
        final int mode = longMode && (s.segAttr[dev.dejavm.core.cpu.CpuState.CS] & dev.dejavm.core.cpu.CpuState.ATTR_L) != 0 ? 64
            : (s.cr0 & dev.dejavm.core.cpu.CpuState.CR0_PE) != 0
                && (s.segAttr[dev.dejavm.core.cpu.CpuState.CS] & dev.dejavm.core.cpu.CpuState.ATTR_DB) != 0 ? 32 : 16;
        final byte[] bytes = new byte[count * dev.dejavm.decoder.Decoder.MAX_LENGTH];
        for (int i = 0; i < bytes.length; i++) {
            final long pa = interpreter.peekPhysical(linear + i);
            if (pa < 0) {
                if (i == 0) {
                    sink.line(String.format("%x: (not mapped)", linear));
                    return;
                }
                final byte[] cut = java.util.Arrays.copyOf(bytes, i);
                disassembleLines(cut, linear, mode, count, sink);
                return;
            }
            bytes[i] = (byte) memory.peekByte(pa);
        }
        disassembleLines(bytes, linear, mode, count, sink);
    }

    private static void disassembleLines(final byte[] bytes, final long linear, final int mode, final int count,
                                         final Disassembler.LineSink sink) {
        final int[] n = {0};
        new Disassembler(mode).disassemble(bytes, 0, bytes.length, linear, t -> {
            if (n[0]++ < count) {
                sink.line(t);
            }
        });
    }

    public Interpreter interpreter() {
        return interpreter;
    }

    public Timeline timeline() {
        return timeline;
    }

    @Override
    public void requestReset(final int cause) {
        if (pendingReset < 0) {
            pendingReset = cause;
        }
        interpreter.requestStop();
    }

    @Override
    public void setA20(final boolean enabled) {
        if (memory.a20() != enabled) {
            memory.setA20(enabled);
            interpreter.flushCaches(); // translations and decoded code were made under the old address mask
        }
    }

    @Override
    public void requestPowerOff() {
        pendingPowerOff = true;
        interpreter.requestStop();
    }

    /** Stops the run at the next instruction boundary with {@link Outcome#ABORTED} (no event is journaled). */
    public void abort() {
        abortRequested = true;
        interpreter.requestStop();
    }

    /** Told at each checkpoint boundary; it journals the checkpoint and, when recording, saves the state. */
    @FunctionalInterface
    public interface CheckpointListener {
        /** @param number the checkpoint's number, from 1 */
        void onCheckpoint(int number);
    }

    /**
     * Takes a checkpoint every {@code every} instructions (at icount N, 2N, ...; 0 = none): the run stops at that
     * instruction boundary, {@code listener} is called, and the run goes on exactly as it would have without the
     * stop. The boundaries depend only on the instruction count, so a replay meets the same ones.
     */
    public void setCheckpoints(final long every, final CheckpointListener listener) {
        this.checkpointEvery = every;
        this.checkpointListener = listener;
        this.nextCheckpoint = every > 0 ? (interpreter.icount() / every + 1) * every : Long.MAX_VALUE;
    }

    /**
     * Runs as {@link #run} but stops, with {@link Outcome#PAUSED} and nothing journaled, at the instruction boundary
     * where {@code icount} instructions have completed (if the run gets there). A later call goes on from there.
     */
    public RunResult runUntil(final long icount) {
        pauseAt = icount;
        try {
            return run();
        } finally {
            pauseAt = Long.MAX_VALUE;
        }
    }

    /**
     * Takes a checkpoint at the first instruction boundary at or after every multiple of {@code everyNs} of virtual
     * time (a timeline event, as deterministic as the guest's own timers; it does not change what the guest sees).
     */
    public void setTimedCheckpoints(final long everyNs, final CheckpointListener listener) {
        this.checkpointEveryNs = everyNs;
        this.checkpointListener = listener;
        timeline.cancel(checkpointTimer);
        if (everyNs > 0) {
            timeline.schedule(checkpointTimer, (timeline.now() / everyNs + 1) * everyNs);
        }
    }

    private void takeCheckpoint() {
        checkpointNumber++;
        checkpointListener.onCheckpoint(checkpointNumber);
        sink.onEvent(EventKind.CHECKPOINT, 0, checkpointNumber, 0, 0);
    }

    /** Runs until the guest powers off, resets more often than allowed, crashes, hangs, or hits a limit. */
    public RunResult run() {
        final long icountLimit = config.maxIcount() == 0 ? Long.MAX_VALUE : config.maxIcount();
        while (true) {
            final long budget = icountLimit - interpreter.icount();
            if (budget <= 0) {
                return end(EventKind.INSN_LIMIT, Outcome.INSN_LIMIT, 0, 0, "");
            }
            if (interpreter.icount() >= pauseAt) {
                return result(Outcome.PAUSED, "");
            }
            final int stop = interpreter.run(Math.min(budget, Math.min(nextCheckpoint, pauseAt) - interpreter.icount()));
            if (stop == StopReason.BUDGET && interpreter.icount() == nextCheckpoint && !abortRequested && !pendingPowerOff
                    && pendingReset < 0) {
                nextCheckpoint += checkpointEvery;
                takeCheckpoint();
                continue;
            }
            if (checkpointDue) {
                checkpointDue = false;
                // The next one is scheduled before this one is saved, so that a restore goes on exactly as the run did;
                // not for a CPU halted with no timer left to wake it, which must still end the run as idle.
                if (!(cpu.halted && timeline.nextDeadline() == Timeline.NEVER)) {
                    timeline.schedule(checkpointTimer, (timeline.now() / checkpointEveryNs + 1) * checkpointEveryNs);
                }
                if (stop == StopReason.REQUEST && !abortRequested && !pendingPowerOff && pendingReset < 0 && !timeLimitHit) {
                    takeCheckpoint();
                    continue;
                }
            }
            if (abortRequested) {
                return result(Outcome.ABORTED, "");
            }
            if (pendingPowerOff) {
                return end(EventKind.POWER_OFF, Outcome.POWER_OFF, 0, 0, "");
            }
            if (pendingReset >= 0) {
                final int cause = pendingReset;
                pendingReset = -1;
                sink.onEvent(EventKind.RESET, 0, cause, 0, 0);
                resets++;
                if (resets > config.reboots()) {
                    return result(Outcome.RESET, "");
                }
                warmReset();
                continue;
            }
            switch (stop) {
                case StopReason.TRIPLE_FAULT -> {
                    final String state = interpreter.describe();
                    final StringBuilder report = new StringBuilder(state).append("code (the faulting instruction first):\n");
                    disassembleAt(interpreter.rip(), 6, t -> report.append("  ").append(t).append('\n'));
                    lastTripleFault = report.toString();
                    sink.onEvent(EventKind.TRIPLE_FAULT, 0, interpreter.lastExceptionVector(), 0, interpreter.lastExceptionErrorCode());
                    if (bare != null || resets >= config.reboots()) {
                        return result(Outcome.TRIPLE_FAULT, state); // the bare machine has no board to reset it
                    }
                    // The board turns the CPU's shutdown into a reset, as QEMU's pc does without -no-reboot.
                    sink.onEvent(EventKind.RESET, 0, ResetCause.TRIPLE_FAULT, 0, 0);
                    resets++;
                    warmReset();
                }
                case StopReason.HALT -> {
                    final boolean interruptsOn = (cpu.rflags & dev.dejavm.core.cpu.CpuState.IF) != 0;
                    return end(EventKind.HALT, interruptsOn ? Outcome.IDLE : Outcome.HALT, 0, interruptsOn ? 1 : 0, interpreter.describe());
                }
                case StopReason.REQUEST -> {
                    if (timeLimitHit) {
                        return end(EventKind.TIME_LIMIT, Outcome.TIME_LIMIT, 0, 0, "");
                    }
                }
                default -> {
                    // BUDGET: the loop re-checks the instruction limit
                }
            }
        }
    }

    // ---- machine state (checkpoints) ---------------------------------------------------------------------------

    /** Version of the layout {@link #saveState} writes. */
    public static final int STATE_VERSION = 1;

    /** Everything that is not RAM, in a fixed order: the run's own counters, CPU, devices, and the timeline last. */
    private List<dev.dejavm.core.state.Snapshottable> stateParts() {
        final List<dev.dejavm.core.state.Snapshottable> parts = new ArrayList<>();
        parts.add(cpu);
        parts.add(interpreter);
        for (final Resettable d : devices) {
            if (d instanceof dev.dejavm.core.state.Snapshottable s) {
                parts.add(s);
            }
        }
        if (feeder != null) {
            parts.add(feeder);
        }
        parts.add(timeline); // last: its deadlines and ordering override what device loads scheduled
        return parts;
    }

    /**
     * The machine's state apart from RAM, at an instruction boundary: CPU, interpreter, every device (flash
     * contents included), the RDRAND generator, the serial input script's progress, the timeline, the A20 gate and
     * the reset and checkpoint counters. Each part is tagged with its id and version.
     */
    public byte[] saveState() {
        final dev.dejavm.core.state.StateWriter w = new dev.dejavm.core.state.StateWriter();
        w.putInt(STATE_VERSION).putInt(resets).putInt(checkpointNumber).putBoolean(memory.a20()).putLong(randomState[0]);
        for (final dev.dejavm.core.state.Snapshottable p : stateParts()) {
            final dev.dejavm.core.state.StateWriter pw = new dev.dejavm.core.state.StateWriter();
            p.save(pw);
            w.putString(p.stateId()).putInt(p.stateVersion()).putBytes(pw.toByteArray());
        }
        return w.toByteArray();
    }

    /**
     * Restores what {@link #saveState} wrote into this machine, which must have been built from the same
     * configuration (the parts must match one for one). RAM is restored separately ({@link #ram()}).
     * @throws IllegalStateException when the state does not fit this machine
     */
    public void loadState(final byte[] state) {
        final dev.dejavm.core.state.StateReader r = new dev.dejavm.core.state.StateReader(state);
        final int version = r.getInt();
        if (version != STATE_VERSION) {
            throw new IllegalStateException("machine state version " + version + ", this dejavm reads " + STATE_VERSION);
        }
        resets = r.getInt();
        checkpointNumber = r.getInt();
        final boolean a20 = r.getBoolean();
        randomState[0] = r.getLong();
        for (final dev.dejavm.core.state.Snapshottable p : stateParts()) {
            final String id = r.getString();
            final int v = r.getInt();
            final byte[] data = r.getBytes();
            if (!id.equals(p.stateId())) {
                throw new IllegalStateException("machine state has part '" + id + "' where this machine has '" + p.stateId() + "'");
            }
            if (v > p.stateVersion()) {
                throw new IllegalStateException("part '" + id + "' is version " + v + ", newer than this dejavm's " + p.stateVersion());
            }
            p.load(new dev.dejavm.core.state.StateReader(data), v);
        }
        memory.setA20(a20);
        interpreter.flushCaches();
        pendingReset = -1;
        pendingPowerOff = false;
        checkpointDue = false;
        if (checkpointEvery > 0) {
            nextCheckpoint = (interpreter.icount() / checkpointEvery + 1) * checkpointEvery;
        }
    }

    /** Guest RAM (for checkpoints). */
    public GuestRam ram() {
        return ram;
    }

    /** Registers and code at the last triple fault (the board may have reset the machine since), or "". */
    public String lastTripleFault() {
        return lastTripleFault;
    }

    /** The longest seeded reset latency: 10 ms of virtual time. */
    public static final long MAX_RESET_LATENCY_NS = 10_000_000L;

    /**
     * Perturbs every warm reset from {@code seed} (0: none, the default): reset number k takes a virtual time
     * derived from (seed, k) alone, up to {@link #MAX_RESET_LATENCY_NS}, during which the timers run on, so that the
     * next boot meets the PIT, the RTC's update cycle, the PM timer and the local APIC timer at another phase, as a
     * real machine's reset does. Journaled (kind reset-latency); the same seed gives the same run.
     */
    public void setSeed(final long seed) {
        this.seed = seed;
    }

    /**
     * What a warm reset does to RAM: {@link #RESIDUE_KEPT} (hardware's behaviour, the default),
     * {@link #RESIDUE_CLEARED} (zeros) or {@link #RESIDUE_POISONED} (every 8 bytes from SplitMix64 of the seed and
     * the reset's number, so a boot that trusts stale data meets different garbage per seed and reset).
     */
    public void setResidue(final String policy) {
        if (!policy.equals(RESIDUE_KEPT) && !policy.equals(RESIDUE_CLEARED) && !policy.equals(RESIDUE_POISONED)) {
            throw new dev.dejavm.platform.BadInputException("RAM residue '" + policy + "' is not kept, cleared or poisoned");
        }
        this.residue = policy;
    }

    private void applyResidue() {
        final MemorySegment r = ram.segment();
        if (residue.equals(RESIDUE_CLEARED)) {
            r.fill((byte) 0);
        } else if (residue.equals(RESIDUE_POISONED)) {
            final long[] state = {seed ^ (0xD1B54A32D192ED03L * (resets + 1))};
            for (long at = 0; at + 8 <= r.byteSize(); at += 8) {
                r.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at, dev.dejavm.core.cpu.EntropySource.splitMix64(state));
            }
        }
        interpreter.flushCaches(); // decoded code from RAM is gone
    }

    /** The latency of reset {@code k} under {@code seed}: SplitMix64 of the pair, reduced to 0 .. 10 ms. */
    public static long resetLatency(final long seed, final int k) {
        final long[] state = {seed ^ (0x9E3779B97F4A7C15L * k)};
        dev.dejavm.core.cpu.EntropySource.splitMix64(state);
        return Math.floorMod(dev.dejavm.core.cpu.EntropySource.splitMix64(state), MAX_RESET_LATENCY_NS + 1);
    }

    /** Warm reset of every device and the CPU: RAM and CMOS RAM survive, as on hardware. */
    private void warmReset() {
        for (final Resettable d : devices) {
            d.reset(ResetKind.WARM);
        }
        memory.setA20(true);
        interpreter.reset();
        if (!residue.equals(RESIDUE_KEPT)) {
            applyResidue();
        }
        if (seed != 0) {
            final long latency = resetLatency(seed, resets);
            sink.onEvent(EventKind.RESET_LATENCY, 0, resets, 0, latency);
            final long until = timeline.now() + latency;
            while (timeline.nextDeadline() <= until) {
                timeline.advanceTo(timeline.nextDeadline());
                timeline.runDue();
            }
            timeline.advanceTo(until);
        }
    }

    private RunResult end(final int kind, final Outcome outcome, final long address, final long value, final String detail) {
        sink.onEvent(kind, 0, address, 0, value);
        return result(outcome, detail);
    }

    private RunResult result(final Outcome outcome, final String detail) {
        return new RunResult(outcome, interpreter.icount(), timeline.now(), resets, detail);
    }

    @Override
    public void close() {
        ram.close();
        arena.close();
    }
}
