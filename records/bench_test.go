package records_test

import (
	"runtime"
	"testing"
	"time"

	"beredskab/records"
	"beredskab/records/recordstest"
	"beredskab/workflows"
)

// benchVisits is two centuries of the service's work: 100,000 visits at
// about 500 a year, 1.5 persons each on average.
const benchVisits = 100_000

// BenchmarkReport is /report over 100,000 visits: the visits stream in from
// the generator (standing in for the store, holding none of them), are
// counted month by month, and the report is written as Markdown and drawn
// as a PNG chart. BenchmarkGenerate is the generator's own share.
func BenchmarkReport(b *testing.B) {
	p := records.Period{From: "1827-01", To: "2026-12"}
	runtime.GC()
	stop := recordstest.HeapPeak(2 * time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		live, err := records.Tally(recordstest.Generate(benchVisits, 1827, 1), p)
		if err != nil {
			b.Fatal(err)
		}
		rep := records.NewReport(p, nil, live)
		if rep.Total.Visits != benchVisits {
			b.Fatalf("%d visits counted, want %d", rep.Total.Visits, benchVisits)
		}
		if md := rep.Markdown(workflows.Danish); len(md) == 0 {
			b.Fatal("empty report")
		}
		if _, err := rep.Chart(workflows.Danish); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(recordstest.PeakRSS())/(1<<20), "peak-rss-MiB")
}

// BenchmarkGenerate is the cost of making the 100,000 visits alone, to
// subtract from BenchmarkReport.
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		n := 0
		for range recordstest.Generate(benchVisits, 1827, 1) {
			n++
		}
		if n != benchVisits {
			b.Fatal(n)
		}
	}
}
