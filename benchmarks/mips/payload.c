/*
 * The CPU-bound workload of benchmarks/mips.sh: LZ77 compression and decompression of generated text, a heap
 * sort, and CRC-32, repeated ROUNDS times. Freestanding: no libc, 32-bit integer code only. It prints the
 * checksum of everything it computed and the number of instructions it took (the TSC delta: every emulator run
 * here counts one TSC tick per instruction) to port 0xE9.
 */
#define ROUNDS 40
#define N 16384
#define HASH_BITS 12
#define SORT_N 8192

static unsigned char text[N], packed[N + N / 8 + 16], unpacked[N];
static unsigned short head[1 << HASH_BITS];
static unsigned int values[SORT_N];
static unsigned int crc_table[256];
static unsigned int seed = 12345;

#ifdef HOST
/* Built for the host (gcc -DHOST payload.c): the same computation, printed to stdout, as the tests' oracle. */
#include <stdio.h>
static inline void outb(unsigned short port, unsigned char v) {
    (void) port;
    putchar(v);
}

static inline unsigned long long rdtsc(void) {
    return 0;
}
#else
static inline void outb(unsigned short port, unsigned char v) {
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline unsigned long long rdtsc(void) {
    unsigned int lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((unsigned long long) hi << 32) | lo;
}
#endif

static unsigned int next(void) {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static void print(const char *s) {
    while (*s) {
        outb(0xE9, (unsigned char) *s++);
    }
}

static void print_hex(unsigned long long v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
        outb(0xE9, (unsigned char) "0123456789abcdef"[(v >> (4 * i)) & 15]);
    }
}

static void crc_init(void) {
    for (unsigned int i = 0; i < 256; i++) {
        unsigned int c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[i] = c;
    }
}

static unsigned int crc32(const unsigned char *p, int n, unsigned int crc) {
    crc = ~crc;
    for (int i = 0; i < n; i++) {
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    }
    return ~crc;
}

/* Text from a small vocabulary, so that LZ77 finds matches. */
static void make_text(void) {
    static const char *words[] = {"firmware ", "reboot ", "crash ", "journal ", "replay ", "device ", "timer ",
                                  "interrupt ", "memory ", "the ", "a ", "of ", "and ", "deterministic ", "\n"};
    int i = 0;
    while (i < N) {
        const char *w = words[next() % 15];
        while (*w && i < N) {
            text[i++] = (unsigned char) *w++;
        }
    }
}

/* LZ77: a flag byte per 8 items; an item is a literal byte or a (distance, length) pair in 2 bytes. */
static int compress(void) {
    for (int i = 0; i < (1 << HASH_BITS); i++) {
        head[i] = 0xFFFF;
    }
    int in = 0, out = 0;
    while (in < N) {
        const int flag_at = out++;
        unsigned char flags = 0;
        for (int bit = 0; bit < 8 && in < N; bit++) {
            int best_len = 0, best_dist = 0;
            if (in + 3 <= N) {
                const unsigned int h = ((text[in] << 8) ^ (text[in + 1] << 4) ^ text[in + 2]) & ((1 << HASH_BITS) - 1);
                const int cand = head[h];
                head[h] = (unsigned short) in;
                if (cand != 0xFFFF && in - cand < 4096) {
                    int len = 0;
                    while (len < 18 && in + len < N && text[cand + len] == text[in + len]) {
                        len++;
                    }
                    if (len >= 3) {
                        best_len = len;
                        best_dist = in - cand;
                    }
                }
            }
            if (best_len) {
                flags |= (unsigned char) (1 << bit);
                packed[out++] = (unsigned char) (best_dist & 0xFF);
                packed[out++] = (unsigned char) (((best_dist >> 8) << 4) | (best_len - 3));
                in += best_len;
            } else {
                packed[out++] = text[in++];
            }
        }
        packed[flag_at] = flags;
    }
    return out;
}

static int decompress(int n) {
    int in = 0, out = 0;
    while (in < n && out < N) {
        const unsigned char flags = packed[in++];
        for (int bit = 0; bit < 8 && in < n && out < N; bit++) {
            if (flags & (1 << bit)) {
                const int dist = packed[in] | ((packed[in + 1] >> 4) << 8);
                const int len = (packed[in + 1] & 15) + 3;
                in += 2;
                for (int k = 0; k < len && out < N; k++, out++) {
                    unpacked[out] = unpacked[out - dist];
                }
            } else {
                unpacked[out++] = packed[in++];
            }
        }
    }
    return out;
}

static void sift(unsigned int *a, int root, int n) {
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n) {
            return;
        }
        if (child + 1 < n && a[child + 1] > a[child]) {
            child++;
        }
        if (a[root] >= a[child]) {
            return;
        }
        const unsigned int t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heap_sort(unsigned int *a, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) {
        sift(a, i, n);
    }
    for (int i = n - 1; i > 0; i--) {
        const unsigned int t = a[0];
        a[0] = a[i];
        a[i] = t;
        sift(a, 0, i);
    }
}

int main(void) {
    const unsigned long long t0 = rdtsc();
    unsigned int sum = 0;
    crc_init();
    for (int round = 0; round < ROUNDS; round++) {
        make_text();
        const int n = compress();
        const int m = decompress(n);
        sum = crc32(unpacked, m, sum) ^ (unsigned int) n;
        for (int i = 0; i < N; i++) {
            if (unpacked[i] != text[i]) {
                print("MISMATCH\n");
                return 1;
            }
        }
        for (int i = 0; i < SORT_N; i++) {
            values[i] = next();
        }
        heap_sort(values, SORT_N);
        for (int i = 1; i < SORT_N; i++) {
            if (values[i - 1] > values[i]) {
                print("UNSORTED\n");
                return 1;
            }
        }
        sum = crc32((const unsigned char *) values, 4 * SORT_N, sum);
    }
    const unsigned long long t1 = rdtsc();
    print("checksum ");
    print_hex(sum, 8);
    print(" tsc ");
    print_hex(t1 - t0, 16);
    print("\n");
    return 0;
}
