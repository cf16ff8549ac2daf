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
// visits (two centuries of the service's work); heapBase is the heap after
// filling it. It lies in /dev/shm where there is one, so that filling it
// with synced writes takes seconds rather than minutes; reading is Badger's
// work either way.
func benchStore(b *testing.B) (*storage.Store, uint64) {
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
	s, err := storage.Open(b.Context(), storage.Options{Dir: dir, Key: key, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for v, err := range recordstest.Generate(100_000, 1827, 1) {
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.FinishVisit(b.Context(), "mw", v); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return s, m.HeapAlloc
}

func shm() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return ""
}

// BenchmarkStatisticsFromStore is /report's work over 100,000 stored visits:
// read and decrypt and decode them from Badger, count them, write the
// Markdown and draw the chart.
func BenchmarkStatisticsFromStore(b *testing.B) {
	s, base := benchStore(b)
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
}

// BenchmarkXLSXFromStore is the Excel export of 100,000 stored visits
// (about 150,000 person rows) read from Badger, written to a buffer as
// /export does before it sends the file.
func BenchmarkXLSXFromStore(b *testing.B) {
	s, base := benchStore(b)
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
}
