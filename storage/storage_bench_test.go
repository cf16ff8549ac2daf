package storage

import (
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/workflows"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	s, err := Open(b.Context(), Options{Dir: b.TempDir(), Key: key})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// benchDraft is a realistic draft of about 2 KB of JSON: a filled Skema 1,
// two persons and the answer history.
func benchDraft() workflows.Draft {
	n := func(i int) *int { return &i }
	d := workflows.Draft{
		User:    "telegram:123456789",
		Lang:    workflows.Danish,
		Started: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Updated: time.Date(2026, 3, 1, 10, 12, 0, 0, time.UTC),
		Crisis:  &workflows.CrisisRef{ID: "2026-hedebølge", Disease: "hedeslag"},
		Visit: workflows.Answers{
			"date":      {Text: "2026-03-01"},
			"place":     {Text: "Nørrebrogade ved Assistens Kirkegård"},
			"team":      {Text: "Hold 3"},
			"kinds":     {List: []string{"samtale", "førstehjælp", "henvisning"}},
			"persons":   {Number: n(2)},
			"duration":  {Number: n(25)},
			"weather":   {Text: "Varmt, over 30 grader"},
			"followup":  {Skipped: true},
			"narrative": {Text: strings.Repeat("Borger fik vand og skygge, blev henvist til lægevagten. ", 10)},
		},
		Persons: []workflows.Answers{
			{"age": {Number: n(67)}, "gender": {Text: "k"}, "needs": {List: []string{"vand", "læge"}}, "note": {Text: strings.Repeat("svimmel ", 10)}},
			{"age": {Number: n(34)}, "gender": {Text: "m"}, "needs": {List: []string{"vand"}}, "note": {Text: strings.Repeat("træt ", 10)}},
		},
		Flags: []string{"age_over_65"},
	}
	for _, f := range []string{"date", "place", "team", "kinds", "persons", "duration", "weather", "followup", "narrative"} {
		d.History = append(d.History, workflows.Slot{Person: -1, Field: f})
	}
	for p := range 2 {
		for _, f := range []string{"age", "gender", "needs", "note"} {
			d.History = append(d.History, workflows.Slot{Person: p, Field: f})
		}
	}
	return d
}

func BenchmarkSaveDraft(b *testing.B) {
	s := benchStore(b)
	d := benchDraft()
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.SaveDraft(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareSyncedWrite(b *testing.B) {
	s := benchStore(b)
	key := []byte("bench/bare")
	val := []byte(strings.Repeat("x", 2048))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.db.Update(func(txn *badger.Txn) error {
			return txn.Set(key, val)
		}); err != nil {
			b.Fatal(err)
		}
	}
}
