package dev.dejavm.platform.board;

/**
 * Every port and address of the {@code pc} board, in one place (the numbers QEMU's {@code pc} machine uses, so
 * firmware built for it runs unchanged).
 */
public final class PcLayout {
    /** 8259A interrupt controllers (IBM PC/AT) and the PIIX3 edge/level control registers. */
    public static final int PIC_MASTER_BASE = 0x20;
    public static final int PIC_SLAVE_BASE = 0xA0;
    public static final int ELCR_BASE = 0x4D0;
    /** 8254 interval timer: counters 0-2 and the control word (IBM PC/AT). */
    public static final int PIT_BASE = 0x40;
    /** ISA interrupt lines of the PC/AT. */
    public static final int IRQ_PIT = 0;
    public static final int IRQ_KEYBOARD = 1;
    public static final int IRQ_COM1 = 4;
    public static final int IRQ_MOUSE = 12;
    public static final int IRQ_RTC = 8;
    /** CMOS/RTC index and data (IBM PC/AT Technical Reference; QEMU hw/rtc/mc146818rtc.c, base 0x70). */
    public static final int RTC_BASE = 0x70;
    public static final int RTC_PORTS = 2;
    /** POST diagnostic port. */
    public static final int POST_PORT = 0x80;
    /** COM1 (IBM PC/AT serial port 1, 8 registers). */
    public static final int COM1_BASE = 0x3F8;
    public static final int COM_PORTS = 8;
    /** QEMU isa-debugcon as SeaBIOS and OVMF expect it (-global isa-debugcon.iobase=0x402). */
    public static final int DEBUGCON_PORT = 0x402;
    /** QEMU fw_cfg I/O ports on x86 (docs/specs/fw_cfg.rst: selector 0x510, data 0x511). */
    public static final int FW_CFG_PORT = 0x510;
    public static final int FW_CFG_PORTS = 2;
    public static final int FW_CFG_DMA_PORT = 0x514;
    public static final int FW_CFG_DMA_PORTS = 8;
    /** ACPI PM register block: the base SeaBIOS and OVMF program into ICH9's PMBASE on q35 (0x600). */
    public static final int PM_BASE = 0x600;
    /** PCI configuration mechanism #1: CONFIG_ADDRESS 0xCF8, CONFIG_DATA 0xCFC-0xCFF (PCI 3.0, 3.2.2.3.2). */
    public static final int PCI_CONFIG_PORT = 0xCF8;
    public static final int PCI_CONFIG_PORTS = 8;
    /** PIIX3/ICH9 reset control register, a byte inside the PCI configuration port range. */
    public static final int RESET_CONTROL_PORT = 0xCF9;
    /** Start of the window the i440FX PAM registers control (0xC0000-0xFFFFF). */
    public static final long PAM_WINDOW_BASE = 0xC0000;

    public static final long ONE_MIB = 1L << 20;
    public static final long FOUR_GIB = 1L << 32;
    /** Legacy VGA memory window, unassigned without a VGA device. */
    public static final long VGA_HOLE_BASE = 0xA0000;
    public static final long VGA_HOLE_SIZE = 0x20000;
    /** QEMU hw/i386/x86.c: the last min(size, 128 KiB) of the BIOS image is aliased just below 1 MiB. */
    public static final long ISA_BIOS_MAX_SIZE = 128 * 1024;

    private PcLayout() {
    }
}
