package export_test

import (
	"io"
	"runtime"
	"testing"
	"time"

	"beredskab/export"
	"beredskab/records/recordstest"
	"beredskab/workflows"
)

// countingWriter counts the bytes of the workbook and keeps none.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkXLSX is the Excel export of 100,000 visits (about 150,000
// person rows) streamed from the generator, standing in for the store, and
// written out as the workbook; the generator alone costs about half a
// second of it (records' BenchmarkGenerate).
func BenchmarkXLSX(b *testing.B) {
	reg := workflows.NewRegistration()
	runtime.GC()
	stop := recordstest.HeapPeak(2 * time.Millisecond)
	b.ReportAllocs()
	var w countingWriter
	for b.Loop() {
		w = countingWriter{}
		if err := export.XLSX(&w, reg, recordstest.Generate(100_000, 1827, 1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n)/(1<<20), "file-MiB")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(recordstest.PeakRSS())/(1<<20), "peak-rss-MiB")
}

var _ io.Writer = (*countingWriter)(nil)
