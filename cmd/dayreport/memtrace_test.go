package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"
)

// memTrace writes, every 10 ms, the process's resident memory (anonymous
// and file-backed, from /proc/self/status) beside the Go runtime's account
// of its memory to the file DAYREPORT_SCALE_MEMTRACE names (with the pass's
// number appended), and, each time the resident memory reaches a new high,
// the main goroutine's stack to <file>.stack: what the pass was doing at
// its peak RSS, which is not always where the live heap peaks. Every tenth
// line also names the innermost frames of the pass (phase).
// With DAYREPORT_SCALE_HEAPEVERY set it also collects every second and
// keeps a heap profile of what is live then (<file>.heap.<ms>): the
// collections change the figures, the profiles show what each phase holds.
func memTrace() (stop func()) {
	path, ok := passFile("DAYREPORT_SCALE_MEMTRACE")
	if !ok {
		return func() {}
	}
	if os.Getenv("DAYREPORT_SCALE_HEAPEVERY") != "" {
		runtime.MemProfileRate = 16 << 10
	}
	out, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	names := []string{
		"/memory/classes/heap/objects:bytes",
		"/memory/classes/heap/unused:bytes",
		"/memory/classes/heap/free:bytes",
		"/memory/classes/heap/released:bytes",
		"/memory/classes/heap/stacks:bytes",
		"/memory/classes/total:bytes",
		"/gc/heap/live:bytes",
		"/gc/heap/goal:bytes",
	}
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	fmt.Fprintf(out, "ms\trss\tanon\tfile\tobjects\tunused\tfree\treleased\tstacks\ttotal\tlive\tgoal\n")
	done, finished := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		defer out.Close()
		var high int64
		every := os.Getenv("DAYREPORT_SCALE_HEAPEVERY") != ""
		n := 0
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			status, _ := os.ReadFile("/proc/self/status")
			rss, anon, file := kib(status, "VmRSS:"), kib(status, "RssAnon:"), kib(status, "RssFile:")
			metrics.Read(samples)
			fmt.Fprintf(out, "%d\t%d\t%d\t%d", time.Since(start).Milliseconds(), rss>>10, anon>>10, file>>10)
			for _, s := range samples {
				fmt.Fprintf(out, "\t%d", s.Value.Uint64()>>20)
			}
			if every && n%100 == 99 {
				runtime.GC()
				if f, err := os.Create(fmt.Sprintf("%s.heap.%05d", path, time.Since(start).Milliseconds())); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					_ = f.Close()
				}
			}
			if n++; n%10 == 0 {
				var buf bytes.Buffer
				_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
				fmt.Fprintf(out, "\t%s", phase(buf.String()))
			}
			fmt.Fprintln(out)
			if rss > high+1024 {
				high = rss
				var buf bytes.Buffer
				_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
				_ = os.WriteFile(path+".stack", fmt.Appendf(nil, "rss %d MiB at %d ms\n%s", rss>>10, time.Since(start).Milliseconds(), buf.Bytes()), 0o644)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func kib(status []byte, name string) int64 {
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			var v int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &v); err == nil {
				return v
			}
		}
	}
	return 0
}

// phase is the innermost frames of package pass and summary of the
// goroutine running the command.
func phase(profile string) string {
	for rec := range strings.SplitSeq(profile, "\n\n") {
		if !strings.Contains(rec, "runPass") {
			continue
		}
		var frames []string
		for line := range strings.Lines(rec) {
			f := strings.Fields(line)
			if len(f) < 3 || f[0] != "#" {
				continue
			}
			name := f[2]
			name = name[strings.LastIndex(name, "/")+1:]
			if i := strings.LastIndex(name, "+"); i > 0 {
				name = name[:i]
			}
			if strings.HasPrefix(name, "pass.") || strings.HasPrefix(name, "summary.") || strings.HasPrefix(name, "xlsx.") || strings.HasPrefix(name, "store.") {
				frames = append(frames, name)
			}
			if len(frames) == 3 {
				break
			}
		}
		return strings.Join(frames, "<")
	}
	return "-"
}
