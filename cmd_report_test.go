package main

import (
	"context"
	"encoding/hex"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"beredskab/records/recordstest"
	"beredskab/storage"
)

// TestReportAndXLSXOnTheCommandLine: the statistics with their chart and
// the Excel export from the command line, each audited as the operator.
func TestReportAndXLSXOnTheCommandLine(t *testing.T) {
	t.Setenv("BEREDSKAB_KEY", testKey)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	key, _ := hex.DecodeString(testKey)
	s, err := storage.Open(context.Background(), storage.Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range recordstest.Fixed() {
		if _, err := s.FinishVisit(context.Background(), "local", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	chart := filepath.Join(tmp, "chart.png")
	out, _ := cli(t, 0, "report", "-data", dir, "--chart", chart) // the clock's year, 2026
	want, err := os.ReadFile("records/testdata/report-2026-da.md")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("beredskab report:\n%s\nwant records/testdata/report-2026-da.md", out)
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(f); err != nil {
		t.Errorf("chart: %v", err)
	}
	f.Close()
	if out, _ := cli(t, 0, "report", "-data", dir, "--from", "2026-03", "--to", "2026-03", "--lang", "en"); !strings.Contains(out, "Visits in all: 2") {
		t.Errorf("March 2026 in English:\n%s", out)
	}
	cli(t, 2, "report", "-data", dir, "--year", "2026", "--from", "2026-01")
	cli(t, 1, "report", "-data", dir, "--year", "26")

	xlsx := filepath.Join(tmp, "visits.xlsx")
	cli(t, 0, "export", "-data", dir, "--format", "xlsx", "-o", xlsx)
	st, err := os.Stat(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	wb, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.GetRows("Personer")
	wb.Close()
	if err != nil || len(rows) != 1+6 {
		t.Errorf("Personer: %d rows (%v), want a header and 6 persons", len(rows), err)
	}
	cli(t, 1, "export", "-data", dir, "--format", "xlsx") // no -o: refused

	audit, _ := cli(t, 0, "audit", "-data", dir)
	if strings.Count(audit, "report") != 2 || !strings.Contains(audit, "export") || !strings.Contains(audit, "operator") {
		t.Errorf("audit log:\n%s\nwant two reports and an export by the operator", audit)
	}
}
