package dev.dejavm.platform.dev.post;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PostPortTest extends DeviceContract<PostPort> {
    private PostPort last;

    @Override
    protected PostPort device() {
        last = new PostPort();
        return last;
    }

    @Override
    protected int base() {
        return 0x80;
    }

    @Override
    protected int ports() {
        return 1;
    }

    @Override
    protected void mutate() {
        outb(0x80, 0x55);
    }

    @Test
    void shouldKeepCodesInOrder() {
        mapped();
        for (final int c : new int[] {1, 2, 0x10, 0xF0}) {
            outb(0x80, c);
        }
        assertArrayEquals(new int[] {1, 2, 0x10, 0xF0}, last.codes());
        assertEquals(0xF0, inb(0x80));
    }
}
