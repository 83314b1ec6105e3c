package main

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// peakHeapProfile writes a heap profile of the process to the file
// DAYREPORT_SCALE_HEAPPROFILE names, with the pass's number appended, each
// time a collection has found more heap live than any before, until the
// returned function is called: the file left shows what was live at the
// collection of the peak (a heap profile is of the last collection), which
// with GOGC=100 is half the peak's heap. Read it with
// `go tool pprof -sample_index=inuse_space`.
func peakHeapProfile() (stop func()) {
	path, ok := passFile("DAYREPORT_SCALE_HEAPPROFILE")
	if !ok {
		return func() {}
	}
	// Finer than the default 512 KiB: the peak's objects are small.
	runtime.MemProfileRate = 16 << 10
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(live)
			if live[0].Value.Kind() != metrics.KindUint64 || live[0].Value.Uint64() <= peak {
				continue
			}
			peak = live[0].Value.Uint64()
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				_ = f.Close()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		// And one at the end: its alloc_space is everything the pass
		// allocated, by where (-focus on a phase to see the phase's).
		if f, err := os.Create(path + ".end"); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
		}
	}
}
