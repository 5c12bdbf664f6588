package dev.dejavm.platform.dev.kbc;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.event.ResetCause;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.platform.dev.IrqLine;

/**
 * The 8042 keyboard controller at 0x60 (data) and 0x64 (status/command) with a PS/2 keyboard attached and no
 * mouse, as far as firmware drives them: controller self-test and interface tests, the command byte, the output
 * port (A20 gate, CPU reset), reset pulses (0xF0-0xFF, 0xFE resets the CPU), and the keyboard's command set
 * (reset with BAT result, identify, LEDs, scan-code set, typematic, enable/disable, echo). No keys are ever pressed.
 *
 * <p>Bytes for the CPU wait in a 16-byte output queue; the status register's OBF (bit 0) says one is there and
 * AUX-OBF (bit 5) that it comes from the auxiliary port. IRQ1 (IRQ12 for auxiliary bytes) is raised while such a
 * byte waits and the command byte enables that interrupt (IRQ1 also needs the keyboard interface enabled). Power-on values follow QEMU's pc: command byte 0x03,
 * status 0x18, output port 0xCF (A20 on, reset line high).
 */
public final class I8042 implements Resettable, Snapshottable {
    public static final int DATA_PORT = 0x60, COMMAND_PORT = 0x64;

    static final int STAT_OBF = 0x01, STAT_SYS = 0x04, STAT_CMD = 0x08, STAT_UNLOCKED = 0x10, STAT_AUX = 0x20;
    static final int MODE_KBD_INT = 0x01, MODE_AUX_INT = 0x02, MODE_KBD_DISABLED = 0x10, MODE_AUX_DISABLED = 0x20,
        MODE_TRANSLATE = 0x40;
    private static final int QUEUE = 16;

    private final SystemControl control;
    private final IrqLine irq1;
    private final IrqLine irq12;

    private int mode;
    private int status;
    private int outport;
    /** Controller command waiting for its data byte (0x60, 0xD1-0xD4), or 0. */
    private int pendingCommand;
    /** Keyboard command waiting for its argument (0xED, 0xF0, 0xF3), or 0. */
    private int keyboardArg;
    private int scanCodeSet;
    private final int[] queue = new int[QUEUE];
    private final boolean[] queueAux = new boolean[QUEUE];
    private int head;
    private int count;
    private int lastRead;

    public I8042(final SystemControl control, final IrqLine irq1, final IrqLine irq12) {
        this.control = control;
        this.irq1 = irq1;
        this.irq12 = irq12;
        reset(ResetKind.POWER_ON);
    }

    @Override
    public void reset(final ResetKind kind) {
        mode = MODE_KBD_INT | MODE_AUX_INT;
        status = STAT_CMD | STAT_UNLOCKED;
        outport = 0xCF;
        pendingCommand = 0;
        keyboardArg = 0;
        scanCodeSet = 2;
        head = 0;
        count = 0;
        lastRead = 0;
        updateIrq();
    }

    /** Port 0x60: the output queue (read) and data or command arguments (write). */
    public PortDevice dataPort() {
        return dataPort;
    }

    /** Port 0x64: status (read) and controller commands (write). */
    public PortDevice commandPort() {
        return commandPort;
    }

    private final PortDevice dataPort = new PortDevice() {
        @Override
        public int ioRead(final int offset, final int size) {
            if (count > 0) {
                lastRead = queue[head];
                head = (head + 1) % QUEUE;
                count--;
                updateIrq();
            }
            return lastRead;
        }

        @Override
        public void ioWrite(final int offset, final int size, final int value) {
            status &= ~STAT_CMD;
            data(value & 0xFF);
        }

        @Override
        public int maxAccessSize() {
            return 1;
        }
    };

    private final PortDevice commandPort = new PortDevice() {
        @Override
        public int ioRead(final int offset, final int size) {
            return status | (count > 0 ? STAT_OBF : 0) | (count > 0 && queueAux[head] ? STAT_AUX : 0);
        }

        @Override
        public void ioWrite(final int offset, final int size, final int value) {
            status |= STAT_CMD;
            command(value & 0xFF);
        }

        @Override
        public int maxAccessSize() {
            return 1;
        }
    };

    private void command(final int v) {
        pendingCommand = 0;
        switch (v) {
            case 0x20 -> queue(mode, false);                  // read command byte
            case 0x60, 0xD1, 0xD2, 0xD3, 0xD4 -> pendingCommand = v;
            case 0xA7 -> mode |= MODE_AUX_DISABLED;
            case 0xA8 -> mode &= ~MODE_AUX_DISABLED;
            case 0xA9, 0xAB -> queue(0x00, false);            // interface tests: no error
            case 0xAA -> {                                    // controller self-test
                status |= STAT_SYS;
                queue(0x55, false);
            }
            case 0xAD -> mode |= MODE_KBD_DISABLED;
            case 0xAE -> mode &= ~MODE_KBD_DISABLED;
            case 0xC0 -> queue(0x00, false);                  // input port
            case 0xD0 -> queue(outport, false);               // output port
            case 0xDD -> writeOutport(outport & ~0x02);       // A20 off
            case 0xDF -> writeOutport(outport | 0x02);        // A20 on
            default -> {
                if (v >= 0xF0 && (v & 1) == 0) {
                    control.requestReset(ResetCause.KBC);     // pulse output-port bit 0: CPU reset
                }
            }
        }
        updateIrq();
    }

    private void data(final int v) {
        final int cmd = pendingCommand;
        pendingCommand = 0;
        switch (cmd) {
            case 0x60 -> mode = v;
            case 0xD1 -> writeOutport(v);
            case 0xD2 -> queue(v, false);
            case 0xD3 -> queue(v, true);
            case 0xD4 -> queue(0xFE, true);                   // no mouse attached: the byte is not acknowledged
            default -> {
                mode &= ~MODE_KBD_DISABLED;                   // talking to the keyboard enables its interface
                keyboard(v);
            }
        }
        updateIrq();
    }

    private void writeOutport(final int v) {
        outport = v & 0xFF;
        control.setA20((v & 0x02) != 0);
        if ((v & 0x01) == 0) {
            control.requestReset(ResetCause.KBC);
        }
    }

    /** The PS/2 keyboard's command set; every byte it sends goes to the controller's queue. */
    private void keyboard(final int v) {
        if (keyboardArg != 0) {
            final int c = keyboardArg;
            keyboardArg = 0;
            queue(0xFA, false);
            if (c == 0xF0) {
                if (v == 0) {
                    queue((mode & MODE_TRANSLATE) != 0 ? new int[] {0, 0x43, 0x41, 0x3F}[scanCodeSet] : scanCodeSet, false);
                } else if (v >= 1 && v <= 3) {
                    scanCodeSet = v;
                }
            }
            return;
        }
        switch (v) {
            case 0xFF -> {                                    // reset: ACK, then the basic assurance test passed
                scanCodeSet = 2;
                queue(0xFA, false);
                queue(0xAA, false);
            }
            case 0xF2 -> {                                    // identify: MF2 keyboard
                queue(0xFA, false);
                queue(0xAB, false);
                queue((mode & MODE_TRANSLATE) != 0 ? 0x41 : 0x83, false);
            }
            case 0xED, 0xF0, 0xF3 -> {                        // LEDs, scan-code set, typematic: an argument follows
                keyboardArg = v;
                queue(0xFA, false);
            }
            case 0xEE -> queue(0xEE, false);                  // echo
            case 0xF4, 0xF5, 0xF6 -> queue(0xFA, false);      // enable, disable, defaults
            default -> queue(0xFE, false);                    // resend: not a command this keyboard knows
        }
    }

    private void queue(final int v, final boolean aux) {
        if (count == QUEUE) {
            return; // overrun: the byte is lost
        }
        final int tail = (head + count) % QUEUE;
        queue[tail] = v & 0xFF;
        queueAux[tail] = aux;
        count++;
    }

    private void updateIrq() {
        // A keyboard-side byte interrupts only while the keyboard interface is enabled (QEMU's pckbd does the same:
        // controller replies to 0xAA/0xAB after 0xAD raise no IRQ1).
        final boolean kbd = count > 0 && !queueAux[head] && (mode & MODE_KBD_INT) != 0 && (mode & MODE_KBD_DISABLED) == 0;
        final boolean aux = count > 0 && queueAux[head] && (mode & MODE_AUX_INT) != 0;
        irq1.set(kbd);
        irq12.set(aux);
    }

    /** The output port (bit 1 A20, bit 0 reset line), for tests and reports. */
    public int outport() {
        return outport;
    }

    @Override
    public String stateId() {
        return "i8042";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(mode).putInt(status).putInt(outport).putInt(pendingCommand).putInt(keyboardArg).putInt(scanCodeSet)
            .putInt(head).putInt(count).putInt(lastRead);
        for (int i = 0; i < QUEUE; i++) {
            w.putInt(queue[i]).putBoolean(queueAux[i]);
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        mode = r.getInt();
        status = r.getInt();
        outport = r.getInt();
        pendingCommand = r.getInt();
        keyboardArg = r.getInt();
        scanCodeSet = r.getInt();
        head = r.getInt();
        count = r.getInt();
        lastRead = r.getInt();
        for (int i = 0; i < QUEUE; i++) {
            queue[i] = r.getInt();
            queueAux[i] = r.getBoolean();
        }
        updateIrq();
    }
}
