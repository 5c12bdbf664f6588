#!/usr/bin/env bash
# Interpreter speed against Bochs and QEMU TCG, the same guest work run by each, one after another, in one run.
#
#   benchmarks/mips.sh            # both workloads
#   benchmarks/mips.sh --cpu      # only the CPU-bound ROM
#   benchmarks/mips.sh --help
#
# Workload "cpu" (benchmarks/mips/): a freestanding C program (LZ77 compression and decompression, heap sort,
# CRC-32) built with gcc into a 64 KiB ROM with a reset stub; it runs from the reset vector in 32-bit protected
# mode without interrupts, prints a checksum and the TSC delta over its work to port 0xE9, and stops (dejavm: HLT
# with interrupts off; QEMU: isa-debug-exit; Bochs: the 0x8900 shutdown port). The instruction count check: all
# three count one TSC tick per instruction here (dejavm by construction, QEMU with -icount shift=0, Bochs by its
# tick counter), so the TSC deltas printed must be equal, and so must the checksums; the script fails otherwise.
# MIPS = that instruction count / wall time of the whole emulator process (startup included, best of 3). QEMU is
# timed without -icount (its normal TCG speed) after a separate -icount run that checks the count.
#
# Workload "ovmf": Debian's OVMF.fd from power-on to the UEFI Shell banner on COM1 ("UEFI Interactive Shell"):
# SEC, PEI, DXE and BDS. Measured as wall time until the banner appears (polled every 20 ms) for dejavm (pc
# board, journal on) and QEMU TCG (pc); dejavm's instruction count to that point comes from its journal. Bochs
# cannot run OVMF (no QEMU fw_cfg), so it has no figure there. QEMU has no instruction counter in this build, so
# its MIPS is not computed for OVMF; the time ratio is reported instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${MIPS_WORK:-$(mktemp -d /tmp/dejavm-mips.XXXXXX)}"
only="${1:-all}"
case "$only" in
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --cpu) only=cpu ;;
    --ovmf) only=ovmf ;;
    all) ;;
    *) echo "mips.sh: unknown option '$only' (try --help)" >&2; exit 2 ;;
esac
missing=()
for tool in gcc as ld objcopy qemu-system-x86_64 bochs script; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "mips.sh: missing tools: ${missing[*]} (apt-get install -y gcc binutils qemu-system-x86 bochs bochsbios bochs-term vgabios bsdutils)" >&2
    exit 3
fi
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }

"$root/dejavm" --version >/dev/null # builds on first use, outside the timings
rows=()

if [ "$only" = all ] || [ "$only" = cpu ]; then
    rom="$("$root/benchmarks/mips/build.sh" "$work/cpu" 2>/dev/null | tail -1)"
    cd "$work/cpu"
    echo "== cpu workload: $rom"
    # dejavm
    times=()
    for i in 1 2 3; do
        t0=$(now)
        "$root/dejavm" run --machine bare --firmware "$rom" --memory 32M --no-journal --debugcon dejavm.txt --quiet >/dev/null || true
        times+=("$(elapsed "$t0" "$(now)")")
    done
    d_time=$(best "${times[@]}")
    d_line=$(grep -a -o 'checksum [0-9a-f]* tsc [0-9a-f]*' dejavm.txt)
    # QEMU: counting run with -icount, then timed runs without
    qemu=(qemu-system-x86_64 -machine pc -accel tcg -m 32 -display none -nodefaults -bios "$rom"
          -debugcon file:qemu.txt -global isa-debugcon.iobase=0xe9 -device isa-debug-exit,iobase=0xf4,iosize=4)
    "${qemu[@]}" -icount shift=0,sleep=off >/dev/null 2>&1 || true
    q_count_line=$(grep -a -o 'checksum [0-9a-f]* tsc [0-9a-f]*' qemu.txt)
    times=()
    for i in 1 2 3; do
        t0=$(now)
        "${qemu[@]}" >/dev/null 2>&1 || true
        times+=("$(elapsed "$t0" "$(now)")")
    done
    q_time=$(best "${times[@]}")
    q_check=$(grep -a -o 'checksum [0-9a-f]*' qemu.txt)
    # Bochs (its built-in debugger is told to continue; the shutdown port ends it)
    cat > bochsrc <<BOCHS
megs: 32
romimage: file=$rom, address=0xffff0000
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
display_library: term
port_e9_hack: enabled=1
cpu: count=1, ips=100000000, reset_on_triple_fault=0
clock: sync=none, time0=1704067200
log: bochs.log
BOCHS
    printf 'c\nquit\n' > bochs.cmds
    times=()
    for i in 1 2 3; do
        rm -f bochs.log
        t0=$(now)
        script -qc "bochs -q -f bochsrc -rc bochs.cmds" /dev/null > bochs.out 2>&1 < /dev/null || true
        times+=("$(elapsed "$t0" "$(now)")")
    done
    b_time=$(best "${times[@]}")
    b_line=$(grep -a -o 'checksum [0-9a-f]* tsc [0-9a-f]*' bochs.out | head -1)
    if [ -z "$d_line" ] || [ "$d_line" != "$q_count_line" ] || [ "$d_line" != "$b_line" ] || [ "${d_line% tsc*}" != "$q_check" ]; then
        echo "mips.sh: the emulators disagree: dejavm '$d_line', QEMU '$q_count_line' / '$q_check', Bochs '$b_line'" >&2
        exit 1
    fi
    insns=$((16#${d_line##* }))
    echo "   checksum and instruction count agree: ${d_line}  (${insns} instructions)"
    mips() { echo "scale=1; $insns / $1 / 1000000" | bc -l; }
    rows+=("cpu|$insns|$d_time|$(mips "$d_time")|$b_time|$(mips "$b_time")|$q_time|$(mips "$q_time")")
fi

if [ "$only" = all ] || [ "$only" = ovmf ]; then
    ovmf=/usr/share/ovmf/OVMF.fd
    [ -f "$ovmf" ] || { echo "mips.sh: $ovmf missing (apt-get install -y ovmf)" >&2; exit 3; }
    mkdir -p "$work/ovmf"
    cd "$work/ovmf"
    marker="UEFI Interactive Shell"
    echo "== ovmf workload: $ovmf until \"$marker\""
    wait_for() { # file, pid: prints seconds until the marker is in the file, then kills pid
        local t0=$1 file=$2 pid=$3
        while kill -0 "$pid" 2>/dev/null; do
            if grep -a -q "$marker" "$file" 2>/dev/null; then
                elapsed "$t0" "$(now)"
                kill "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                return
            fi
            sleep 0.02
        done
        echo "NaN"
    }
    rm -rf journal dejavm-com1.txt qemu-com1.txt
    t0=$(now)
    "$root/dejavm" run --firmware "$ovmf" --machine pc --journal journal --serial dejavm-com1.txt --quiet --max-icount 3000000000 >/dev/null 2>&1 &
    d_time=$(wait_for "$t0" dejavm-com1.txt $!)
    # the instruction count at the banner's last character, from the journal (cut off by the kill: readable part)
    d_insns=$("$root/dejavm" inspect journal --kind pio-write --port 0x3f8 --format csv 2>/dev/null \
        | awk -F, -v want="$(printf '%d' "'l")" 'NR > 1 { print $2 }' | tail -1 || true)
    t0=$(now)
    qemu-system-x86_64 -machine pc -accel tcg -m 128 -display none -nodefaults -bios "$ovmf" -serial file:qemu-com1.txt >/dev/null 2>&1 &
    q_time=$(wait_for "$t0" qemu-com1.txt $!)
    rows+=("ovmf|${d_insns:-?} (dejavm)|$d_time|$( [ -n "${d_insns:-}" ] && echo "scale=1; $d_insns / $d_time / 1000000" | bc -l || echo '?')|n/a|n/a|$q_time|n/a")
fi

echo
printf '%-6s %14s %10s %8s %10s %8s %10s %8s %14s %14s\n' workload instructions dejavm_s MIPS bochs_s MIPS qemu_s MIPS dejavm/bochs dejavm/qemu
for r in "${rows[@]}"; do
    IFS='|' read -r w n ds dm bs bm qs qm <<< "$r"
    rb=$( [ "$bs" != n/a ] && echo "scale=2; $bs / $ds" | bc -l || echo n/a)
    rq=$(echo "scale=3; $qs / $ds" | bc -l)
    printf '%-6s %14s %10.2f %8s %10s %8s %10.2f %8s %14s %14s\n' "$w" "$n" "$ds" "$dm" "$bs" "$bm" "$qs" "$qm" "$rb" "$rq"
done
echo "(ratios are speed ratios: emulator time / dejavm time; above 1 means dejavm is faster)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%d)"
