#!/usr/bin/env bash
# Assembles the bundled firmware images into OUTDIR/dev/dejavm/platform/firmware/<name>.bin (64 KiB each).
# Called by the platform-model Maven build (generate-resources); fails with one clear line if binutils is missing.
set -euo pipefail
out="${1:?usage: build.sh OUTDIR}/dev/dejavm/platform/firmware"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in as ld; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "dejavm build: GNU binutils ('$tool') not found: install it with 'apt-get install -y binutils'" >&2
        exit 1
    fi
done
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for s in "$src"/*.S; do
    name="$(basename "$s" .S)"
    as --32 -I "$src" -o "$tmp/$name.o" "$s"
    ld -m elf_i386 -T "$src/rom.ld" -o "$tmp/$name.bin" "$tmp/$name.o"
    size=$(stat -c %s "$tmp/$name.bin")
    if [ "$size" -ne 65536 ]; then
        echo "dejavm build: firmware $name.bin is $size bytes, expected 65536" >&2
        exit 1
    fi
    cp "$tmp/$name.bin" "$out/$name.bin"
done
