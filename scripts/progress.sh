#!/usr/bin/env bash
# Sourced by long installs: while a step runs, a line every BARNUM_PROGRESS_EVERY seconds (10) on
# stderr naming the step and the time since progress_begin, so nobody watches a silent terminal.
# Each line is written whole in one write, so it never interleaves with other output mid-line.
#   progress_begin PREFIX    start the clock and the ticker
#   progress_step TEXT       say TEXT now, and from now on in every tick
#   progress_end             stop the ticker
# A step whose text changes while it runs (a count) writes the new text to "$progress_file".

progress_begin() {
  progress_prefix=$1
  progress_started=$(date +%s)
  progress_file=$(mktemp)
  local every=${BARNUM_PROGRESS_EVERY:-10} last=""
  (
    while sleep "$every" </dev/null >/dev/null 2>&1; do
      now=$(cat "$progress_file" 2>/dev/null)
      [ -n "$now" ] && last=$now
      [ -n "$last" ] && printf '%s: %s (%ss)\n' "$progress_prefix" "$last" "$(($(date +%s) - progress_started))" >&2
    done
  ) &
  progress_ticker=$!
  trap progress_end EXIT
}

progress_step() {
  printf '%s\n' "$*" >"$progress_file"
  printf '%s: %s (%ss)\n' "$progress_prefix" "$*" "$(($(date +%s) - progress_started))" >&2
}

progress_end() {
  [ -n "${progress_ticker:-}" ] && kill "$progress_ticker" 2>/dev/null && wait "$progress_ticker" 2>/dev/null
  progress_ticker=""
  [ -n "${progress_file:-}" ] && rm -f "$progress_file"
  return 0
}
