#!/usr/bin/env bash
# Runs the JMH benchmarks (not part of the test suite; nothing here is asserted).
#   benchmarks/run.sh                     # all benchmarks
#   benchmarks/run.sh BootBenchmark -prof gc
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
cd "$root"
mvn -q -B -DskipTests -pl benchmarks -am install
mvn -q -B -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec "$JAVA_HOME/bin/java" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main "$@"
