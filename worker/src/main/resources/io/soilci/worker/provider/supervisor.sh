# Soil's task supervisor: runs a job's tasks one at a time for the worker at the other end of
# its stdin and stdout. POSIX sh (busybox is enough) plus setsid.
#   in:      one line per task: "SEQ SCRIPT ACTION"
#   stdout:  "\n$MARK ready\n" once, then per task its stdout+stderr followed by "\n$MARK STATUS\n"
#   stderr:  "$MARK pid SEQ PID" as a task starts: the worker kills process group PID when the
#            task's timeout fires
mark=$1
command -v setsid >/dev/null || { echo "setsid not found: the image needs setsid (busybox or util-linux)" >&2; exit 127; }
# The worker's end of stdin, kept as fd 3 for the watcher below (a background list's stdin is
# /dev/null).
exec 3<&0
printf '\n%s ready\n' "$mark"
while read -r seq script action; do
  # setsid: the task leads its own process group, so one kill reaches all it started.
  setsid "$script" "$action" </dev/null 3<&- 2>&1 &
  task=$!
  printf '%s pid %s %s\n' "$mark" "$seq" "$task" >&2
  # The worker sends nothing while a task runs, so the end of its input means the worker died
  # (a SIGKILL: the JVM has no parent-death signal): the task's group dies with it. The watcher
  # holds no output, so a supervisor that dies itself still ends the worker's read.
  (read -r _ <&3; kill -KILL -"$task") >/dev/null 2>&1 &
  watcher=$!
  wait "$task"
  status=$?
  kill "$watcher" 2>/dev/null
  wait "$watcher" 2>/dev/null
  # What the task left running in its group ends with it.
  kill -KILL -"$task" 2>/dev/null
  printf '\n%s %s\n' "$mark" "$status"
done
