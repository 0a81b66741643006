# Soil's task supervisor: runs a job's tasks one at a time for the worker at the other end of
# its stdin and stdout. POSIX sh (busybox is enough) plus setsid.
#   in:      one line per task: "SEQ SCRIPT ACTION"
#   stdout:  "\n$MARK ready\n" once, then per task its stdout+stderr followed by "\n$MARK STATUS\n"
#   stderr:  "$MARK pid SEQ PID" as a task starts: the worker kills process group PID when the
#            task's timeout fires
mark=$1
command -v setsid >/dev/null || { echo "setsid not found: the image needs setsid (busybox or util-linux)" >&2; exit 127; }
printf '\n%s ready\n' "$mark"
while read -r seq script action; do
  # setsid: the task leads its own process group, so one kill reaches all it started.
  setsid "$script" "$action" </dev/null 2>&1 &
  task=$!
  printf '%s pid %s %s\n' "$mark" "$seq" "$task" >&2
  wait "$task"
  status=$?
  # What the task left running in its group ends with it.
  kill -KILL -"$task" 2>/dev/null
  printf '\n%s %s\n' "$mark" "$status"
done
