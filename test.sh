#!/usr/bin/env bash
# Installs what the tests need (Debian packages, when missing; needs root) and runs the whole suite with JDK 25.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# Reference tools the tests compare against: binutils (assembles the bundled firmware, objdump oracle),
# gcc (runs instruction sequences natively on the host CPU as an oracle), QEMU (reference machine), SeaBIOS/OVMF
# (real firmware), Zydis (reference decoder), iasl (ACPI checker), chromium (opens the HTML reports headless).
packages=(binutils gcc maven qemu-system-x86 seabios ovmf libzydis-dev acpica-tools chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "test.sh: missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install -y ${missing[*]}" >&2
        exit 3
    fi
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
echo "test.sh: JAVA_HOME=$JAVA_HOME" >&2
exec mvn -B verify "$@"
