#!/usr/bin/env bash
# Builds the benchmark ROM (64 KiB) into the directory given (default: benchmarks/mips/out).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out}"
mkdir -p "$out"
gcc -m32 -march=i686 -O2 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
    -mgeneral-regs-only -fno-builtin -c "$here/payload.c" -o "$out/payload.o"
as --32 "$here/start.S" -o "$out/start.o"
ld -m elf_i386 -T "$here/rom.ld" -o "$out/bench.elf" "$out/start.o" "$out/payload.o"
objcopy -O binary --gap-fill 0xff "$out/bench.elf" "$out/bench.rom.tmp"
size=$(stat -c %s "$out/bench.rom.tmp")
if [ "$size" -ne 65536 ]; then
    echo "build.sh: the ROM is $size bytes, expected 65536" >&2
    exit 1
fi
mv "$out/bench.rom.tmp" "$out/bench.rom"
echo "$out/bench.rom"
