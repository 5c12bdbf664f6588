#!/usr/bin/env bash
# Recording overhead, side by side in one run: the same boot with the journal off, on, and on with checkpoints,
# then `replay` of the recorded journal. Best of 3 wall times (whole process, start-up included), events, events/s,
# bytes per event on disk, and the ratios against the journal-off run.
#
#   benchmarks/journal.sh                # the bundled firmware and SeaBIOS (pc, to the 60 s retry, 2 s of virtual time)
#   benchmarks/journal.sh --ovmf         # also OVMF.fd on pc to the Shell's countdown (about 700 M instructions; slow)
#
# The bundled firmware and SeaBIOS are short (2 M and 5.5 M instructions): there start-up dominates and the
# differences are small. The OVMF boot is the long one (millions of events, dominated by PM timer polling).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${JOURNAL_WORK:-$(mktemp -d /tmp/dejavm-journal.XXXXXX)}"
with_ovmf=0
case "${1:-}" in
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --ovmf) with_ovmf=1 ;;
    "") ;;
    *) echo "journal.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac
command -v bc >/dev/null 2>&1 || { echo "journal.sh: bc missing (apt-get install -y bc)" >&2; exit 3; }
"$root/dejavm" --version >/dev/null # builds on first use, outside the timings
cd "$work"

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
timed() { local t0; t0=$(now); "$@" >/dev/null 2>&1 || true; echo "$(now) - $t0" | bc -l; }

rows=()
measure() {
    local name=$1 every=$2
    shift 2
    local off=() on=() ck=() rp=()
    for i in 1 2 3; do
        off+=("$(timed "$root/dejavm" run --quiet --no-journal "$@")")
        rm -rf j-on j-ck
        on+=("$(timed "$root/dejavm" run --quiet --journal j-on "$@")")
        ck+=("$(timed "$root/dejavm" run --quiet --journal j-ck --checkpoint-every "$every" "$@")")
        rp+=("$(timed "$root/dejavm" replay j-on)")
    done
    local events bytes ckbytes
    events=$("$root/dejavm" inspect j-on --kind power-off 2>/dev/null | awk '/^# [0-9,]+ events/ { gsub(",", "", $2); print $2 }')
    bytes=$(du -B1 -s j-on | cut -f1)
    ckbytes=$(du -B1 -s j-ck/checkpoints 2>/dev/null | cut -f1 || echo 0)
    rows+=("$name|$events|$bytes|$ckbytes|$(best "${off[@]}")|$(best "${on[@]}")|$(best "${ck[@]}")|$(best "${rp[@]}")|$every")
}

echo "== bundled firmware"
measure builtin 1M
if [ -f /usr/share/seabios/bios-256k.bin ]; then
    echo "== SeaBIOS on pc (2 s of virtual time)"
    measure seabios-pc 2M --firmware seabios --max-virtual-time 2s
fi
if [ "$with_ovmf" = 1 ] && [ -f /usr/share/ovmf/OVMF.fd ]; then
    echo "== OVMF.fd on pc to 700 M instructions"
    measure ovmf-pc 100M --firmware /usr/share/ovmf/OVMF.fd --max-icount 700000000
fi

echo
printf '%-11s %11s %10s %9s %9s %9s %9s %9s %9s %12s %11s\n' boot events bytes/ev ckpt_MB off_s on_s ckpt_s replay_s \
    on/off ckpt/off events/s_on
for r in "${rows[@]}"; do
    IFS='|' read -r n ev by ck off on cks rp every <<< "$r"
    printf '%-11s %11s %10s %9s %9s %9s %9s %9s %9s %12s %11s\n' "$n" "$ev" "$(echo "scale=1; $by / $ev" | bc -l)" \
        "$(echo "scale=2; $ck / 1048576" | bc -l)" "$off" "$on" "$cks" "$rp" "$(echo "scale=3; $on / $off" | bc -l)" \
        "$(echo "scale=3; $cks / $off" | bc -l)" "$(echo "scale=0; $ev / $on" | bc -l)"
done
echo "(times: best of 3 whole processes, JVM start-up included; bytes/ev: the journal directory on disk / events;"
echo " replay_s: replay --verify of the journal-on run; checkpoint interval per row: see the script)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%d)"
