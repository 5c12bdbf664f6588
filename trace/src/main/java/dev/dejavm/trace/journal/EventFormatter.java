package dev.dejavm.trace.journal;

import dev.dejavm.core.event.Engine;
import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.ResetCause;
import dev.dejavm.trace.record.EventRecord;

import java.util.Locale;

/** One line per record for {@code dejavm inspect}: text, JSON lines or CSV. */
public final class EventFormatter {
    public enum Format { TEXT, JSON, CSV }

    public static final String CSV_HEADER = "seq,icount,cycles_ns,rip,engine,kind,address,size,value,unassigned";

    private EventFormatter() {
    }

    public static Format parseFormat(final String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "text" -> Format.TEXT;
            case "json" -> Format.JSON;
            case "csv" -> Format.CSV;
            default -> throw new IllegalArgumentException("format '" + s + "' is not text, json or csv");
        };
    }

    public static String format(final EventRecord r, final Format f) {
        return switch (f) {
            case TEXT -> text(r);
            case JSON -> json(r);
            case CSV -> csv(r);
        };
    }

    private static boolean isAccess(final int kind) {
        return kind >= EventKind.PIO_READ && kind <= EventKind.MMIO_WRITE;
    }

    public static String text(final EventRecord r) {
        final StringBuilder b = new StringBuilder(96);
        b.append('#').append(r.seq())
                .append(" icount=").append(r.icount())
                .append(" t=").append(r.cycles()).append("ns")
                .append(" rip=0x").append(Long.toHexString(r.rip()));
        if (r.engine() != Engine.INTERPRETER) {
            b.append(" engine=").append(Engine.name(r.engine()));
        }
        final int kind = r.kind();
        b.append(' ').append(EventKind.name(kind));
        if (isAccess(kind)) {
            final boolean pio = kind <= EventKind.PIO_WRITE;
            b.append(pio ? " port=0x" : " addr=0x").append(Long.toHexString(r.address()))
                    .append(" size=").append(r.size())
                    .append(" value=0x").append(Long.toHexString(r.value()));
            if (r.size() == 1 && r.value() >= 0x20 && r.value() < 0x7F) {
                b.append(" '").append((char) r.value()).append('\'');
            }
            if ((r.flags() & EventKind.FLAG_UNASSIGNED) != 0) {
                b.append(" (unassigned)");
            }
        } else if (kind == EventKind.RESET) {
            b.append(" cause=").append(ResetCause.name((int) r.address()));
        } else if (kind == EventKind.TRIPLE_FAULT || kind == EventKind.DOUBLE_FAULT) {
            b.append(" vector=").append(r.address()).append(" error=0x").append(Long.toHexString(r.value()));
        } else if (kind == EventKind.CHECKPOINT) {
            b.append(" number=").append(r.address());
        } else if (kind == EventKind.FW_CFG_SELECT) {
            b.append(" key=0x").append(Long.toHexString(r.address())).append(" item-size=").append(r.value());
        } else if (kind == EventKind.FW_CFG_DMA) {
            b.append(" guest=0x").append(Long.toHexString(r.address())).append(" length=").append(r.value() >>> 32)
                    .append(" control=0x").append(Integer.toHexString(r.size()))
                    .append(" crc32c=0x").append(Long.toHexString(r.value() & 0xFFFF_FFFFL));
        } else if (kind == EventKind.INTERRUPT) {
            b.append(" vector=0x").append(Long.toHexString(r.address())).append(r.value() == 1 ? " from=8259" : " from=apic");
        } else if (kind == EventKind.RESET_LATENCY) {
            b.append(" reset=").append(r.address()).append(" latency=").append(r.value()).append("ns");
        } else if (kind == EventKind.IRQ_LINE) {
            b.append(" irq=").append(r.address()).append(" level=").append(r.value());
        } else if (kind > EventKind.LAST) {
            b.append(" (a kind this dejavm does not know: written by a newer version)");
        }
        return b.toString();
    }

    public static String json(final EventRecord r) {
        return String.format(Locale.ROOT,
                "{\"seq\":%d,\"icount\":%d,\"cycles\":%d,\"rip\":\"0x%x\",\"engine\":\"%s\",\"kind\":\"%s\",\"address\":\"0x%x\","
                        + "\"size\":%d,\"value\":\"0x%x\",\"unassigned\":%b}",
                r.seq(), r.icount(), r.cycles(), r.rip(), Engine.name(r.engine()), EventKind.name(r.kind()), r.address(),
                r.size(), r.value(), (r.flags() & EventKind.FLAG_UNASSIGNED) != 0);
    }

    public static String csv(final EventRecord r) {
        return String.format(Locale.ROOT, "%d,%d,%d,0x%x,%s,%s,0x%x,%d,0x%x,%b", r.seq(), r.icount(), r.cycles(), r.rip(),
                Engine.name(r.engine()), EventKind.name(r.kind()), r.address(), r.size(), r.value(),
                (r.flags() & EventKind.FLAG_UNASSIGNED) != 0);
    }
}
