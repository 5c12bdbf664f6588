package dev.dejavm.platform.dev.rtc;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.platform.dev.IrqLine;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Motorola MC146818A real-time clock with 128 bytes of CMOS RAM, at ports 0x70 (index; bit 7 = NMI disable) and
 * 0x71 (data). The time counts from the configured start instant plus virtual time — never the host clock.
 *
 * <p>Implemented (MC146818A datasheet, "Address Map" and registers A-D): seconds/minutes/hours/day of week/date/
 * month/year and the century byte 0x32 in BCD or binary (register B DM), 24- or 12-hour mode (register B 24/12,
 * PM flag in bit 7 of the hours), register A UIP set for the last 244 µs of every second (only with the divider at
 * the normal 010 setting and SET clear), register B SET freezing the time so that the guest can write it (the
 * written time then runs on), register C flags UF/PF/AF computed on read and cleared by the read, register D VRT.
 * Alarm compares seconds/minutes/hours with "don't care" values 0xC0-0xFF. The IRQ output (IRQ8 on the PC) is
 * asserted when a flag whose interrupt register B enables (PIE, AIE, UIE) becomes set, at the period or second
 * boundary on the timeline, and released when register C is read. Power-on sets A = 0x26, B = 0x02 (24-hour, BCD,
 * as QEMU); a warm reset keeps all CMOS RAM, the shutdown status byte 0x0F included.
 */
public final class Mc146818 implements PortDevice, Resettable, Snapshottable {
    public static final int SECONDS = 0x00, SECONDS_ALARM = 0x01, MINUTES = 0x02, MINUTES_ALARM = 0x03, HOURS = 0x04,
            HOURS_ALARM = 0x05, DAY_OF_WEEK = 0x06, DAY_OF_MONTH = 0x07, MONTH = 0x08, YEAR = 0x09, REG_A = 0x0A,
            REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D, SHUTDOWN_STATUS = 0x0F, CENTURY = 0x32;
    public static final int A_UIP = 0x80;
    public static final int B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_DM_BINARY = 0x04, B_24H = 0x02;
    public static final int C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
    public static final int D_VRT = 0x80;
    /** Update cycle: UIP is set 244 µs before the seconds change (datasheet, "Update Cycle"). */
    public static final long UIP_NS = 244_000;

    /**
     * @param startEpochSeconds the RTC time at power-on, seconds since 1970-01-01T00:00:00Z
     * @param cmosDefaults      CMOS RAM bytes the board sets at power-on, as {register, value} pairs (e.g. memory sizes)
     */
    public record Config(long startEpochSeconds, int[][] cmosDefaults) {
        public Config {
            if (startEpochSeconds < 0 || startEpochSeconds > 253_402_300_799L) {
                throw new IllegalArgumentException("RTC start " + startEpochSeconds + " is outside 1970..9999");
            }
            for (final int[] d : cmosDefaults) {
                if (d.length != 2 || d[0] < 0x0E || d[0] > 0x7F || d[0] == CENTURY || d[1] < 0 || d[1] > 0xFF) {
                    throw new IllegalArgumentException("CMOS default " + java.util.Arrays.toString(d) + " is not a RAM byte");
                }
            }
        }

        public Config(final long startEpochSeconds) {
            this(startEpochSeconds, new int[0][]);
        }
    }

    private final Config config;
    private final Timeline timeline;
    private final byte[] cmos = new byte[128];
    private int index;
    private boolean nmiDisabled;
    /** Clock = offsetSeconds + floor(now / 1 s) while running. */
    private long offsetSeconds;
    /** Virtual time of the last register C read, for lazily computed flags. */
    private long lastCRead;

    private final IrqLine irq;
    private final int irqTimer;
    private boolean irqAsserted;

    public Mc146818(final Config config, final Timeline timeline) {
        this(config, timeline, IrqLine.NONE);
    }

    /** @param irq the interrupt output (IRQ8 on the PC) */
    public Mc146818(final Config config, final Timeline timeline, final IrqLine irq) {
        this.config = config;
        this.timeline = timeline;
        this.irq = irq;
        this.irqTimer = timeline.register("rtc-irq", now -> onIrqTimer());
    }

    /** Schedules the next boundary at which an enabled interrupt flag can become set (none while IRQ is held). */
    private void scheduleIrq() {
        timeline.cancel(irqTimer);
        if (irqAsserted) {
            return; // held until register C is read
        }
        final long now = timeline.now();
        long next = Long.MAX_VALUE;
        final int b = cmos[REG_B];
        final int rate = cmos[REG_A] & 0x0F;
        if ((b & B_PIE) != 0 && rate != 0) {
            final long p = periodNs(rate);
            next = Math.min(next, (now / p + 1) * p);
        }
        if ((b & (B_UIE | B_AIE)) != 0 && running()) {
            next = Math.min(next, (now / 1_000_000_000L + 1) * 1_000_000_000L);
        }
        if (next != Long.MAX_VALUE) {
            timeline.schedule(irqTimer, next);
        }
    }

    private void onIrqTimer() {
        if ((flagsSince(lastCRead) & C_IRQF) != 0) {
            irqAsserted = true;
            irq.set(true);
        } else {
            scheduleIrq();
        }
    }

    public boolean nmiDisabled() {
        return nmiDisabled;
    }

    /** Current RTC time in epoch seconds (frozen value while SET is on). */
    public long epochSeconds() {
        return running() ? offsetSeconds + timeline.now() / 1_000_000_000L : frozenSeconds();
    }

    private boolean running() {
        return (cmos[REG_B] & B_SET) == 0;
    }

    @Override
    public int ioRead(final int offset, final int size) {
        if (offset == 0) {
            return 0xFF; // the index register is write-only on PC chipsets
        }
        return readRegister(index);
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        if (offset == 0) {
            index = value & 0x7F;
            nmiDisabled = (value & 0x80) != 0;
            return;
        }
        writeRegister(index, value & 0xFF);
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    private int readRegister(final int reg) {
        switch (reg) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> {
                if (running()) {
                    storeTime(offsetSeconds + timeline.now() / 1_000_000_000L);
                }
                return cmos[reg] & 0xFF;
            }
            case REG_A -> {
                int a = cmos[REG_A] & 0x7F;
                if (running() && ((a >> 4) & 7) == 2 && timeline.now() % 1_000_000_000L >= 1_000_000_000L - UIP_NS) {
                    a |= A_UIP;
                }
                return a;
            }
            case REG_C -> {
                final int c = flagsSince(lastCRead);
                lastCRead = timeline.now();
                cmos[REG_C] = 0;
                if (irqAsserted) {
                    irqAsserted = false;
                    irq.set(false);
                }
                scheduleIrq();
                return c;
            }
            case REG_D -> {
                return D_VRT;
            }
            default -> {
                return cmos[reg] & 0xFF;
            }
        }
    }

    private void writeRegister(final int reg, final int v) {
        switch (reg) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> {
                if (running()) {
                    // Writing while running: apply the new field to the running clock (QEMU does likewise).
                    storeTime(epochSeconds());
                    cmos[reg] = (byte) v;
                    setRunningFromCmos();
                } else {
                    cmos[reg] = (byte) v;
                }
            }
            case REG_A -> {
                cmos[REG_A] = (byte) (v & 0x7F);
                scheduleIrq();
            }
            case REG_B -> {
                final boolean wasRunning = running();
                if (wasRunning && (v & B_SET) != 0) {
                    storeTime(epochSeconds()); // freeze: the CMOS bytes hold the time from now on
                }
                cmos[REG_B] = (byte) v;
                if (!wasRunning && (v & B_SET) == 0) {
                    setRunningFromCmos();
                }
                scheduleIrq();
            }
            case REG_C, REG_D -> {
                // read-only
            }
            default -> cmos[reg] = (byte) v;
        }
    }

    /** Flags that became true between {@code since} and now (register C, computed on read). */
    private int flagsSince(final long since) {
        final long now = timeline.now();
        int c = 0;
        if (running() && now / 1_000_000_000L > since / 1_000_000_000L) {
            c |= C_UF;
            if (alarmMatches()) {
                c |= C_AF;
            }
        }
        final int rate = cmos[REG_A] & 0x0F;
        if (rate != 0) {
            final long periodNs = periodNs(rate);
            if (now / periodNs > since / periodNs) {
                c |= C_PF;
            }
        }
        final int enabled = cmos[REG_B] & (B_PIE | B_AIE | B_UIE);
        if ((c & enabled) != 0) {
            c |= C_IRQF;
        }
        return c;
    }

    /** Periodic interrupt period for rate select 1..15 with the 32.768 kHz time base (datasheet Table 3). */
    static long periodNs(final int rate) {
        final int r = rate <= 2 ? rate + 7 : rate; // rates 1 and 2 behave as 8 and 9
        return (1_000_000_000L << (r - 1)) / 32768;
    }

    private boolean alarmMatches() {
        storeTime(epochSeconds());
        return alarmField(SECONDS_ALARM, SECONDS) && alarmField(MINUTES_ALARM, MINUTES) && alarmField(HOURS_ALARM, HOURS);
    }

    private boolean alarmField(final int alarm, final int field) {
        final int a = cmos[alarm] & 0xFF;
        return a >= 0xC0 || a == (cmos[field] & 0xFF);
    }

    // ---- time <-> register encoding ---------------------------------------------------------------------

    private int encode(final int v) {
        return (cmos[REG_B] & B_DM_BINARY) != 0 ? v : ((v / 10) << 4) | (v % 10);
    }

    private int decode(final int v) {
        return (cmos[REG_B] & B_DM_BINARY) != 0 ? v : ((v >> 4) & 0x0F) * 10 + (v & 0x0F);
    }

    private void storeTime(final long epoch) {
        final LocalDateTime t = LocalDateTime.ofEpochSecond(epoch, 0, ZoneOffset.UTC);
        cmos[SECONDS] = (byte) encode(t.getSecond());
        cmos[MINUTES] = (byte) encode(t.getMinute());
        final int h = t.getHour();
        if ((cmos[REG_B] & B_24H) != 0) {
            cmos[HOURS] = (byte) encode(h);
        } else {
            final int h12 = h % 12 == 0 ? 12 : h % 12;
            cmos[HOURS] = (byte) (encode(h12) | (h >= 12 ? 0x80 : 0));
        }
        cmos[DAY_OF_WEEK] = (byte) encode(t.getDayOfWeek().getValue() % 7 + 1); // 1 = Sunday
        cmos[DAY_OF_MONTH] = (byte) encode(t.getDayOfMonth());
        cmos[MONTH] = (byte) encode(t.getMonthValue());
        cmos[YEAR] = (byte) encode(t.getYear() % 100);
        cmos[CENTURY] = (byte) encode(t.getYear() / 100);
    }

    private long frozenSeconds() {
        try {
            int hour;
            final int raw = cmos[HOURS] & 0xFF;
            if ((cmos[REG_B] & B_24H) != 0) {
                hour = decode(raw);
            } else {
                hour = decode(raw & 0x7F) % 12 + ((raw & 0x80) != 0 ? 12 : 0);
            }
            final int year = decode(cmos[CENTURY] & 0xFF) * 100 + decode(cmos[YEAR] & 0xFF);
            return LocalDateTime.of(year, decode(cmos[MONTH] & 0xFF), decode(cmos[DAY_OF_MONTH] & 0xFF), hour,
                    decode(cmos[MINUTES] & 0xFF), decode(cmos[SECONDS] & 0xFF)).toEpochSecond(ZoneOffset.UTC);
        } catch (final DateTimeException e) {
            return offsetSeconds + timeline.now() / 1_000_000_000L; // invalid date written: keep the running time
        }
    }

    private void setRunningFromCmos() {
        offsetSeconds = frozenSeconds() - timeline.now() / 1_000_000_000L;
    }

    @Override
    public void reset(final ResetKind kind) {
        index = 0;
        nmiDisabled = false;
        if (kind == ResetKind.POWER_ON) {
            java.util.Arrays.fill(cmos, (byte) 0);
            cmos[REG_A] = 0x26;
            cmos[REG_B] = B_24H;
            for (final int[] d : config.cmosDefaults()) {
                cmos[d[0]] = (byte) d[1];
            }
            offsetSeconds = config.startEpochSeconds() - timeline.now() / 1_000_000_000L;
            storeTime(epochSeconds());
        }
        // Warm reset: the clock runs on and CMOS RAM (shutdown byte included) survives; RESET clears the
        // interrupt enables and flags (datasheet, "RESET").
        cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE);
        cmos[REG_C] = 0;
        lastCRead = timeline.now();
        if (irqAsserted) {
            irqAsserted = false;
            irq.set(false);
        }
        timeline.cancel(irqTimer);
    }

    /** CMOS byte for board code that fills in configuration (e.g. memory size fields). */
    public void setCmos(final int reg, final int value) {
        cmos[reg & 0x7F] = (byte) value;
    }

    @Override
    public String stateId() {
        return "mc146818";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putBytes(cmos).putByte(index).putBoolean(nmiDisabled).putLong(offsetSeconds).putLong(lastCRead).putBoolean(irqAsserted);
    }

    @Override
    public void load(final StateReader r, final int version) {
        final byte[] b = r.getBytes();
        System.arraycopy(b, 0, cmos, 0, Math.min(b.length, cmos.length));
        index = r.getByte() & 0x7F;
        nmiDisabled = r.getBoolean();
        offsetSeconds = r.getLong();
        lastCRead = r.getLong();
        irqAsserted = r.getBoolean();
        irq.set(irqAsserted);
        scheduleIrq();
    }
}
