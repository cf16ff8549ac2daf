package recordstest

import (
	"bufio"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HeapPeak samples the Go heap (the bytes of heap objects, live and not yet
// collected, as runtime/metrics reports them without stopping the world)
// every interval until stop is called, which returns the highest value seen
// in bytes. A sampler misses peaks shorter than its interval, so benchmarks
// report it beside the process's peak resident memory (PeakRSS), which
// misses nothing.
func HeapPeak(interval time.Duration) (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		mu.Lock()
		peak = max(peak, s[0].Value.Uint64())
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// ResetPeakRSS starts PeakRSS afresh from the memory resident now (Linux:
// it writes 5 to /proc/self/clear_refs), after the memory the runtime
// holds free is handed back, so a benchmark's setup does not count. It
// reports whether the kernel took it; where it did not, PeakRSS covers
// the whole process.
func ResetPeakRSS() bool {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// PeakRSS is the process's peak resident memory in bytes since the start or
// the last ResetPeakRSS (VmHWM on Linux; 0 where the kernel does not tell).
// It covers the whole test binary: memory mapped files of the store that
// were read count, as they are resident.
func PeakRSS() uint64 { return procStatus("VmHWM:") }

// RSS is the process's resident memory now in bytes (VmRSS on Linux; 0
// where the kernel does not tell): what a benchmark starts from.
func RSS() uint64 { return procStatus("VmRSS:") }

// procStatus reads a size in kB from /proc/self/status, in bytes.
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
