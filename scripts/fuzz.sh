#!/usr/bin/env bash
# Runs one brief fuzz pass per target: scripts/fuzz.sh FUZZTIME pkg:FuzzName...
# A target fails when the fuzzer finds a failing input. The Go fuzz engine sometimes ends a
# time-boxed run on a loaded machine with "context deadline exceeded" and no failing input;
# that run is repeated once, so an engine hiccup does not fail CI but a finding always does.
set -uo pipefail
fuzztime=$1; shift
for target in "$@"; do
  pkg=${target%%:*}; name=${target##*:}
  for attempt in 1 2; do
    echo "fuzz $name in $pkg for $fuzztime (attempt $attempt)"
    out=$(go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=2s "$pkg" 2>&1)
    status=$?
    echo "$out" | tail -n 4
    [ $status -eq 0 ] && break
    if echo "$out" | grep -q "Failing input written to" || ! echo "$out" | grep -q "context deadline exceeded"; then
      echo "$out"
      echo "fuzz: $name found a failure"
      exit 1
    fi
    if [ $attempt -eq 2 ]; then
      echo "fuzz: $name ended without a finding twice (context deadline exceeded)"
      exit 1
    fi
  done
done
