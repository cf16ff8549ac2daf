package bot_test

import (
	"bytes"
	"crypto/rand"
	"log/slog"
	"os"
	"runtime"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/export"
	"beredskab/records"
	"beredskab/records/recordstest"
	"beredskab/storage"
	"beredskab/workflows"
)

// benchStore is an encrypted store on disk holding 100,000 generated
// visits (two centuries of the service's work), closed after filling and
// opened again as the bot opens its data folder: filling it, and the
// compactions that sets off (a few hundred MiB of Badger's table builders,
// held for some seconds after it is opened again: settle waits for them),
// are setup, not the read being measured. base is the heap of the open
// store; the peak RSS starts afresh from there (start-rss-MiB: the test
// binary and the open store), and whatever the store takes while it is
// read counts. The store lies in /dev/shm where there is one, so that
// filling it with synced writes takes seconds rather than minutes; reading
// is Badger's work either way.
func benchStore(b *testing.B) (s *storage.Store, base, startRSS uint64) {
	b.Helper()
	dir, err := os.MkdirTemp(shm(), "beredskab-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	key := make([]byte, storage.KeySize)
	if _, err := rand.Read(key); err != nil {
		b.Fatal(err)
	}
	o := storage.Options{Dir: dir, Key: key, Logger: slog.New(slog.DiscardHandler)}
	if s, err = storage.Open(b.Context(), o); err != nil {
		b.Fatal(err)
	}
	for v, err := range recordstest.Generate(100_000, 1827, 1) {
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.FinishVisit(b.Context(), "mw", v); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = storage.Open(b.Context(), o); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	settle(b)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if !recordstest.ResetPeakRSS() {
		b.Log("the peak RSS cannot be reset here: it includes filling the store")
	}
	return s, m.HeapAlloc, recordstest.RSS()
}

// settle waits until the store is idle, as a store in use long has been:
// Badger's compactors start up to a second after the store is opened and
// compact the tables the filling left, and its pool of table-building
// buffers (up to eight of them, some 20 MiB each here) lets one go every
// two seconds once no compaction asks for them. Idle is a window of 2.5 s
// in which nothing was allocated and the live heap did not shrink; after
// a minute it gives up and says so.
func settle(b *testing.B) {
	live := func() (heap, total uint64) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc, m.TotalAlloc
	}
	heap, total := live()
	for range 24 {
		time.Sleep(2500 * time.Millisecond)
		h, t := live()
		// The forced collection itself allocates a little.
		if t-total < 1<<20 && h+1<<20 > heap {
			return
		}
		heap, total = h, t
	}
	b.Log("the store did not settle within a minute: its compaction buffers count")
}

func shm() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return ""
}

// BenchmarkStatisticsFromStore is /report's work over 100,000 stored visits
// (2,400 months): read the month figures the store keeps, write the
// Markdown and draw the chart.
func BenchmarkStatisticsFromStore(b *testing.B) {
	s, base, startRSS := benchStore(b)
	p := records.Period{From: "1827-01", To: "2026-12"}
	stop := recordstest.HeapPeak(2 * time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := bot.Statistics(b.Context(), s, p)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Total.Visits != 100_000 {
			b.Fatalf("%d visits", rep.Total.Visits)
		}
		_ = rep.Markdown(workflows.Danish)
		if _, err := rep.Chart(workflows.Danish); err != nil {
			b.Fatal(err)
		}
	}
	peak := stop()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "above-store-MiB")
	b.ReportMetric(float64(recordstest.PeakRSS())/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(startRSS)/(1<<20), "start-rss-MiB")
}

// BenchmarkXLSXFromStore is the Excel export of 100,000 stored visits
// (about 150,000 person rows) read from Badger, written to a buffer as
// /export does before it sends the file.
func BenchmarkXLSXFromStore(b *testing.B) {
	s, base, startRSS := benchStore(b)
	reg := workflows.NewRegistration()
	stop := recordstest.HeapPeak(2 * time.Millisecond)
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		var buf bytes.Buffer
		if err := export.XLSX(&buf, reg, s.Visits(b.Context(), "", "")); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	peak := stop()
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "above-store-MiB")
	b.ReportMetric(float64(recordstest.PeakRSS())/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(startRSS)/(1<<20), "start-rss-MiB")
}
