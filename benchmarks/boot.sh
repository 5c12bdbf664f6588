#!/usr/bin/env bash
# Firmware boot times, side by side in one run: dejavm (journal on and off) and QEMU TCG.
#
#   benchmarks/boot.sh            # SeaBIOS on pc and q35, OVMF to the Shell on q35
#   benchmarks/boot.sh --seabios  # only SeaBIOS
#   benchmarks/boot.sh --ovmf     # only OVMF
#
# SeaBIOS (/usr/share/seabios/bios-256k.bin): wall time from start until "No bootable device." is on debugcon
# (polled every 10 ms), best of 3, for dejavm with and without a journal and for QEMU 7.2 TCG on the same board.
# dejavm's instruction count to that point is printed by dejavm itself (a run with --max-virtual-time that stops
# right after the message). Bochs is not part of this script: it has no fw_cfg, needs the 128 KiB SeaBIOS build and
# shows the message only on its VGA screen; the CPU-bound comparison with Bochs is benchmarks/mips.sh.
#
# OVMF (OVMF_CODE_4M.fd + a fresh copy of OVMF_VARS_4M.fd as pflash, q35): wall time until the Shell's
# startup.nsh countdown appears on COM1 (the Shell is up; "Shell> " follows after the countdown or a key) for dejavm
# (journal on) and QEMU TCG. Bochs cannot run OVMF (no fw_cfg). QEMU runs without -icount (its normal speed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BOOT_WORK:-$(mktemp -d /tmp/dejavm-boot.XXXXXX)}"
only="${1:-all}"
case "$only" in
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --seabios) only=seabios ;;
    --ovmf) only=ovmf ;;
    all) ;;
    *) echo "boot.sh: unknown option '$only' (try --help)" >&2; exit 2 ;;
esac
for tool in qemu-system-x86_64 bc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "boot.sh: $tool missing (apt-get install -y qemu-system-x86 bc)" >&2; exit 3; }
done
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
# start_and_wait T0 FILE MARKER CMD...: runs CMD in the background, prints the seconds from T0 until MARKER is in
# FILE, then stops CMD. Prints NaN if CMD ends first.
start_and_wait() {
    local t0=$1 file=$2 marker=$3
    shift 3
    rm -f "$file"
    "$@" >/dev/null 2>&1 &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if grep -a -q -F "$marker" "$file" 2>/dev/null; then
            elapsed "$t0" "$(now)"
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            return
        fi
        sleep 0.01
    done
    echo NaN
}

"$root/dejavm" --version >/dev/null # builds on first use, outside the timings
cd "$work"
rows=()

if [ "$only" = all ] || [ "$only" = seabios ]; then
    rom=/usr/share/seabios/bios-256k.bin
    marker="No bootable device."
    for board in pc q35; do
        echo "== SeaBIOS on $board"
        insns=$("$root/dejavm" run --firmware seabios --machine "$board" --no-journal --quiet --debugcon /dev/null \
            --max-virtual-time 1s | awk '/^instructions/ { gsub(",", "", $2); print $2 }' || true)
        on=(); off=(); q=()
        for i in 1 2 3; do
            rm -rf journal
            on+=("$(start_and_wait "$(now)" dc-on.txt "$marker" "$root/dejavm" run --firmware seabios --machine "$board" --journal journal --quiet --debugcon dc-on.txt)")
            off+=("$(start_and_wait "$(now)" dc-off.txt "$marker" "$root/dejavm" run --firmware seabios --machine "$board" --no-journal --quiet --debugcon dc-off.txt)")
            q+=("$(start_and_wait "$(now)" dc-qemu.txt "$marker" qemu-system-x86_64 -machine "$board" -accel tcg -m 128 -display none \
                -nodefaults -bios "$rom" -debugcon file:dc-qemu.txt -global isa-debugcon.iobase=0x402)")
        done
        rows+=("seabios-$board|$insns|$(best "${on[@]}")|$(best "${off[@]}")|$(best "${q[@]}")")
    done
fi

if [ "$only" = all ] || [ "$only" = ovmf ]; then
    code=/usr/share/OVMF/OVMF_CODE_4M.fd
    template=/usr/share/OVMF/OVMF_VARS_4M.fd
    marker="or any other key to continue."
    echo "== OVMF on q35 (pflash, fresh variable store) to the Shell's countdown"
    rm -rf journal
    cp "$template" vars-dejavm.fd
    d=$(start_and_wait "$(now)" com1-dejavm.txt "$marker" "$root/dejavm" run --machine q35 --firmware "$code" --vars vars-dejavm.fd \
        --journal journal --quiet --serial com1-dejavm.txt)
    # the instruction count at the last COM1 byte, from the journal (cut off by the stop: its readable part)
    d_insns=$("$root/dejavm" inspect journal --kind pio-write --port 0x3f8 --format csv 2>/dev/null | awk -F, 'NR > 1 { n = $2 } END { print n }' || true)
    cp "$template" vars-qemu.fd
    q=$(start_and_wait "$(now)" com1-qemu.txt "$marker" qemu-system-x86_64 -machine q35 -accel tcg -m 128 -display none -nodefaults \
        -drive if=pflash,format=raw,unit=0,readonly=on,file="$code" -drive if=pflash,format=raw,unit=1,file=vars-qemu.fd \
        -serial file:com1-qemu.txt)
    rows+=("ovmf-q35|${d_insns:-?}|$d|n/a|$q")
fi

echo
printf '%-12s %26s %12s %12s %10s %14s\n' boot instructions dejavm_on_s dejavm_off_s qemu_s qemu/dejavm_on
for r in "${rows[@]}"; do
    IFS='|' read -r w n on off qs <<< "$r"
    ratio=$( [ "$qs" != NaN ] && [ "$on" != NaN ] && echo "scale=3; $qs / $on" | bc -l || echo n/a)
    printf '%-12s %26s %12s %12s %10s %14s\n' "$w" "$n" "$on" "$off" "$qs" "$ratio"
done
echo "(ratios: QEMU time / dejavm time; below 1 means QEMU is faster)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%d)"
