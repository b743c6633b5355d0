# Sourced by .ci/run and the benchmarks: exports JAVA_HOME as a JDK 21 or newer, or exits.
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]; then
    return
  fi
  if command -v javac >/dev/null && [ "$(java_major java)" -ge 21 ]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    export JAVA_HOME
    return
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(java_major "$candidate/bin/java")" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      return
    fi
  done
  echo "Harrier needs a JDK 21 or newer; none found (set JAVA_HOME)" >&2
  exit 1
}

pick_jdk
