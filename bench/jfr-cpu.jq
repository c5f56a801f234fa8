# Summarises `jfr print --json --events jdk.CPUTimeSample` (bench/run.sh profile): CPU-time samples
# by thread (numbers dropped, so the pools add up) and by the first frame that is not a method
# handle or FFM stub, which charges the time spent inside libpython to the httpy method calling it.
def pct($n; $total): (($n * 1000 / $total | round) / 10 | tostring) + "%";
[.recording.events[]
 | select(.values.stackTrace != null)
 | {thread: ((.values.eventThread.javaName // "?") | sub("[-#]?[0-9]+$"; "")),
    frames: [.values.stackTrace.frames[] | ((.method.type.name | gsub("/"; ".")) + "." + .method.name)]}
 | .leaf = ([.frames[] | select(test("^(java\\.lang\\.invoke|jdk\\.internal\\.foreign)\\.") | not)][0] // "?")
 | .httpy = ([.frames[] | select(startswith("dev.httpy."))][0] // "(no httpy frame)")]
| length as $total
| "CPU-time samples: \($total)",
  "",
  "| thread | samples | share |", "| --- | ---: | ---: |",
  (group_by(.thread) | map({k: .[0].thread, n: length}) | sort_by(-.n) | .[:8][]
   | "| \(.k) | \(.n) | \(pct(.n; $total)) |"),
  "",
  "| top frame (native time charged to its Java caller) | samples | share |", "| --- | ---: | ---: |",
  (group_by(.leaf) | map({k: .[0].leaf, n: length}) | sort_by(-.n) | .[:25][]
   | "| \(.k) | \(.n) | \(pct(.n; $total)) |"),
  "",
  "| Python worker threads: innermost httpy method on the stack | samples | share of all |", "| --- | ---: | ---: |",
  (map(select(.thread == "httpy-python")) | group_by(.httpy) | map({k: .[0].httpy, n: length}) | sort_by(-.n) | .[:15][]
   | "| \(.k) | \(.n) | \(pct(.n; $total)) |")
