package dev.dejavm.platform.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An encoder for the ACPI Machine Language subset the generated DSDT uses (ACPI 6.5, chapter 20 "ACPI Machine
 * Language Specification"), and the resource descriptors of its {@code _CRS}/{@code _PRS} buffers (6.4). Every
 * method returns the encoded bytes of one term; terms are concatenated with {@link #cat}.
 *
 * <p>Covered: integers (Zero/One/Ones and the Byte/Word/DWord/QWord prefixes), strings, name paths (root, dual and
 * multi-segment), Name, Scope, Device, Method (argument count and Serialized flag), Buffer, Package, Return, If/Else,
 * Store, And/Or with a target, LEqual/LLess/LNot, CreateDWordField, OperationRegion and Field with named and reserved
 * units, Local0-7/Arg0-6, EISA ids. Resource descriptors: IO, IRQ without flags, Memory32Fixed, Word/DWord/QWord
 * address space, extended interrupt, end tag.
 */
public final class Aml {
    private Aml() {
    }

    /** Concatenation of terms. */
    public static byte[] cat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(final int... v) {
        final byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    // ---- data --------------------------------------------------------------------------------------------

    /** The shortest integer encoding: ZeroOp, OneOp, OnesOp (all 64 bits set) or a Byte/Word/DWord/QWord constant. */
    public static byte[] integer(final long v) {
        if (v == 0) {
            return bytes(0x00);
        }
        if (v == 1) {
            return bytes(0x01);
        }
        if (v == -1) {
            return bytes(0xFF);
        }
        if ((v & ~0xFFL) == 0) {
            return bytes(0x0A, (int) v);
        }
        if ((v & ~0xFFFFL) == 0) {
            return bytes(0x0B, (int) v, (int) (v >> 8));
        }
        if ((v & ~0xFFFF_FFFFL) == 0) {
            return bytes(0x0C, (int) v, (int) (v >> 8), (int) (v >> 16), (int) (v >> 24));
        }
        final byte[] b = new byte[9];
        b[0] = 0x0E;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (v >> (8 * i));
        }
        return b;
    }

    /** A DWordConst even when a shorter encoding exists (EISA ids are conventionally DWords). */
    public static byte[] dword(final long v) {
        return bytes(0x0C, (int) v, (int) (v >> 8), (int) (v >> 16), (int) (v >> 24));
    }

    /** A null-terminated ASCII string constant. */
    public static byte[] string(final String s) {
        return cat(bytes(0x0D), s.getBytes(StandardCharsets.US_ASCII), bytes(0x00));
    }

    /**
     * The compressed EISA id of {@code id} ("PNP0A03": three letters, four hex digits; ACPI 6.5, 6.1.5): letters
     * as 5-bit values (A = 1), stored big-endian together with the product number, as a DWordConst.
     */
    public static byte[] eisaId(final String id) {
        if (id.length() != 7) {
            throw new IllegalArgumentException("EISA id must be 7 characters: " + id);
        }
        final int vendor = ((id.charAt(0) - 0x40) << 10) | ((id.charAt(1) - 0x40) << 5) | (id.charAt(2) - 0x40);
        final int product = Integer.parseInt(id.substring(3), 16);
        final long v = ((vendor >> 8) & 0xFF) | (vendor & 0xFF) << 8 | ((product >> 8) & 0xFFL) << 16 | (product & 0xFFL) << 24;
        return dword(v);
    }

    // ---- names -------------------------------------------------------------------------------------------

    private static byte[] seg(final String s) {
        if (s.isEmpty() || s.length() > 4) {
            throw new IllegalArgumentException("name segment of 1-4 characters: " + s);
        }
        final StringBuilder b = new StringBuilder(s);
        while (b.length() < 4) {
            b.append('_');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A NameString: "\\_SB.PCI0", "^FOO", "LNKA"... (segments shorter than four characters are padded with '_'). */
    public static byte[] name(final String path) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < path.length() && (path.charAt(i) == '\\' || path.charAt(i) == '^')) {
            out.write(path.charAt(i));
            i++;
        }
        final String rest = path.substring(i);
        if (rest.isEmpty()) {
            out.write(0x00); // NullName
            return out.toByteArray();
        }
        final String[] segs = rest.split("\\.");
        if (segs.length == 2) {
            out.write(0x2E);
        } else if (segs.length > 2) {
            out.write(0x2F);
            out.write(segs.length);
        }
        for (final String s : segs) {
            out.writeBytes(seg(s));
        }
        return out.toByteArray();
    }

    /**
     * PkgLength (20.2.4): the length of the package including the PkgLength bytes themselves, in one byte below 64,
     * else a lead byte holding the count of following bytes and the low four bits.
     */
    static byte[] pkgLength(final int contentLength) {
        for (int extra = 0; extra <= 3; extra++) {
            final int total = contentLength + 1 + extra;
            if (extra == 0 && total < 0x40) {
                return bytes(total);
            }
            if (extra > 0 && total < (1 << (4 + 8 * extra))) {
                final byte[] b = new byte[1 + extra];
                b[0] = (byte) ((extra << 6) | (total & 0xF));
                for (int i = 1; i <= extra; i++) {
                    b[i] = (byte) (total >> (4 + 8 * (i - 1)));
                }
                return b;
            }
        }
        throw new IllegalArgumentException("AML package too long: " + contentLength);
    }

    private static byte[] pkg(final byte[] op, final byte[] content) {
        return cat(op, pkgLength(content.length), content);
    }

    // ---- named objects -----------------------------------------------------------------------------------

    public static byte[] nameOp(final String n, final byte[] value) {
        return cat(bytes(0x08), name(n), value);
    }

    public static byte[] scope(final String n, final byte[]... terms) {
        return pkg(bytes(0x10), cat(name(n), cat(terms)));
    }

    public static byte[] device(final String n, final byte[]... terms) {
        return pkg(bytes(0x5B, 0x82), cat(name(n), cat(terms)));
    }

    /** A method with {@code args} arguments (0-7), serialized or not. */
    public static byte[] method(final String n, final int args, final boolean serialized, final byte[]... terms) {
        return pkg(bytes(0x14), cat(name(n), bytes((args & 7) | (serialized ? 8 : 0)), cat(terms)));
    }

    public static byte[] buffer(final byte[] data) {
        return pkg(bytes(0x11), cat(integer(data.length), data));
    }

    public static byte[] pkgOf(final byte[]... elements) {
        return pkg(bytes(0x12), cat(bytes(elements.length), cat(elements)));
    }

    /** Region spaces (19.6.100). */
    public static final int SYSTEM_IO = 1, PCI_CONFIG = 2;

    public static byte[] opRegion(final String n, final int space, final long offset, final long length) {
        return cat(bytes(0x5B, 0x80), name(n), bytes(space), integer(offset), integer(length));
    }

    /** Field access ByteAcc, NoLock, Preserve (flags 0x01). */
    public static final int BYTE_ACC = 0x01;

    /**
     * A Field over region {@code region}: {@code units} alternates names and bit widths ("PRQ0", 8, ...); a null
     * name is a reserved (skipped) unit.
     */
    public static byte[] field(final String region, final int flags, final Object... units) {
        final ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (int i = 0; i < units.length; i += 2) {
            final String n = (String) units[i];
            final int bits = (Integer) units[i + 1];
            list.writeBytes(n == null ? bytes(0x00) : seg(n));
            list.writeBytes(fieldLength(bits));
        }
        return pkg(bytes(0x5B, 0x81), cat(name(region), bytes(flags), list.toByteArray()));
    }

    /** A field unit's width is a PkgLength-encoded bit count that does not count its own bytes. */
    private static byte[] fieldLength(final int bits) {
        if (bits < 0x40) {
            return bytes(bits);
        }
        if (bits < (1 << 12)) {
            return bytes(0x40 | (bits & 0xF), bits >> 4);
        }
        return bytes(0x80 | (bits & 0xF), bits >> 4, bits >> 12);
    }

    // ---- statements and expressions ----------------------------------------------------------------------

    public static byte[] ret(final byte[] value) {
        return cat(bytes(0xA4), value);
    }

    public static byte[] ifThen(final byte[] predicate, final byte[]... terms) {
        return pkg(bytes(0xA0), cat(predicate, cat(terms)));
    }

    public static byte[] elseDo(final byte[]... terms) {
        return pkg(bytes(0xA1), cat(terms));
    }

    public static byte[] store(final byte[] value, final byte[] target) {
        return cat(bytes(0x70), value, target);
    }

    public static byte[] and(final byte[] a, final byte[] b, final byte[] target) {
        return cat(bytes(0x7B), a, b, target);
    }

    public static byte[] or(final byte[] a, final byte[] b, final byte[] target) {
        return cat(bytes(0x7D), a, b, target);
    }

    public static byte[] lEqual(final byte[] a, final byte[] b) {
        return cat(bytes(0x93), a, b);
    }

    public static byte[] lLess(final byte[] a, final byte[] b) {
        return cat(bytes(0x95), a, b);
    }

    public static byte[] lNot(final byte[] a) {
        return cat(bytes(0x92), a);
    }

    public static byte[] createDWordField(final byte[] source, final long byteIndex, final String n) {
        return cat(bytes(0x8A), source, integer(byteIndex), name(n));
    }

    /** The null target (result discarded). */
    public static byte[] noTarget() {
        return bytes(0x00);
    }

    public static byte[] local(final int i) {
        return bytes(0x60 + i);
    }

    public static byte[] arg(final int i) {
        return bytes(0x68 + i);
    }

    // ---- resource descriptors (ACPI 6.5, 6.4) ------------------------------------------------------------

    /** I/O port descriptor (6.4.2.5), 16-bit decode. */
    public static byte[] io(final int min, final int max, final int align, final int length) {
        return bytes(0x47, 0x01, min, min >> 8, max, max >> 8, align, length);
    }

    /** IRQ descriptor without flags (6.4.2.1): edge, active high, exclusive. */
    public static byte[] irqNoFlags(final int... irqs) {
        int mask = 0;
        for (final int i : irqs) {
            mask |= 1 << i;
        }
        return bytes(0x22, mask, mask >> 8);
    }

    /** 32-bit fixed memory range descriptor (6.4.3.4), read-write. */
    public static byte[] memory32Fixed(final long base, final long length) {
        return cat(bytes(0x86, 9, 0, 1), le32(base), le32(length));
    }

    /** Address space resource types (6.4.3.5). */
    public static final int MEMORY = 0, IO = 1, BUS = 2;

    /**
     * Word address space descriptor (6.4.3.5.3), producer, MinFixed, MaxFixed, PosDecode; {@code typeFlags} as
     * the resource type defines (I/O: 3 = entire range).
     */
    public static byte[] wordSpace(final int type, final int typeFlags, final int min, final int max) {
        final int len = max - min + 1;
        return bytes(0x88, 0x0D, 0, type, 0x0C, typeFlags, 0, 0, min, min >> 8, max, max >> 8, 0, 0, len, len >> 8);
    }

    /** DWord address space descriptor (6.4.3.5.2), producer, MinFixed, MaxFixed, PosDecode. */
    public static byte[] dwordSpace(final int type, final int typeFlags, final long min, final long max) {
        return cat(bytes(0x87, 0x17, 0, type, 0x0C, typeFlags), le32(0), le32(min), le32(max), le32(0), le32(max - min + 1));
    }

    /** QWord address space descriptor (6.4.3.5.1), producer, MinFixed, MaxFixed, PosDecode. */
    public static byte[] qwordSpace(final int type, final int typeFlags, final long min, final long max) {
        return cat(bytes(0x8A, 0x2B, 0, type, 0x0C, typeFlags), le64(0), le64(min), le64(max), le64(0), le64(max - min + 1));
    }

    /** Memory type flags: read-write, cacheable (1) or not (0). */
    public static final int MEM_RW_CACHEABLE = 0x03, MEM_RW_NONCACHEABLE = 0x01;

    /**
     * Extended interrupt descriptor (6.4.3.6), consumer, level-triggered, active high, shared: the form PCI
     * interrupt link devices return. The offset of the first interrupt number inside is {@link #EXT_IRQ_FIRST}.
     */
    public static byte[] extIrqLevelShared(final int... irqs) {
        final byte[] head = bytes(0x89, 2 + 4 * irqs.length, 0, 0x01 | 0x08, irqs.length); // consumer, level (bit 1 clear), high, shared
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        for (final int i : irqs) {
            out.writeBytes(le32(i));
        }
        return out.toByteArray();
    }

    public static final int EXT_IRQ_FIRST = 5;

    /** A resource template: the descriptors followed by the end tag (checksum 0: "treated as correct"). */
    public static byte[] resourceTemplate(final byte[]... descriptors) {
        return buffer(cat(cat(descriptors), bytes(0x79, 0x00)));
    }

    static byte[] le32(final long v) {
        return bytes((int) v, (int) (v >> 8), (int) (v >> 16), (int) (v >> 24));
    }

    static byte[] le64(final long v) {
        return cat(le32(v), le32(v >>> 32));
    }
}
