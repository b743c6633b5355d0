# Sourced by the examples' setup scripts: `api METHOD PATH [FILE]` sends FILE (a JSON request whose
# ${NAME}s are filled from the environment, e.g. ${APP} with the app stub's address) to Harrier
# with the example's API key, prints the reply, and fails on a 4xx or 5xx.
api() {
  local method=$1 path=$2 file=${3:-}
  local args=(-sS --fail-with-body -X "$method" "$HARRIER_URL$path" -H "Authorization: Bearer $HARRIER_KEY")
  if [ -n "$file" ]; then
    args+=(-H 'Content-Type: application/json' --data-binary @-)
    python3 -c 'import os, string, sys; sys.stdout.write(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' "$file" \
      | curl "${args[@]}"
  else
    curl "${args[@]}"
  fi
  echo
}
