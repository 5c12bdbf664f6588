# Sourced by ./dejavm and ./test.sh: sets JAVA_HOME to a JDK 25 or newer, or exits 3 with instructions.
# Order: $JAVA_HOME if it is 25+, then the Temurin 25 install path, then any /usr/lib/jvm/*25* JDK.
dejavm_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}
dejavm_find_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*-25-* /usr/lib/jvm/*25*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        major=$(dejavm_java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            export JAVA_HOME="$candidate"
            return 0
        fi
    done
    echo "dejavm: no JDK 25 found (JAVA_HOME='${JAVA_HOME:-}' is not 25+, /usr/lib/jvm/temurin-25-jdk-amd64 is absent): install Temurin 25 (https://adoptium.net, package temurin-25-jdk) or set JAVA_HOME to a JDK 25" >&2
    exit 3
}
dejavm_find_jdk
