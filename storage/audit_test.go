package storage_test

import (
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/storage"
)

func TestAuditLogKeepsEntriesInTimeOrder(t *testing.T) {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	// Appended out of order, with two at the same instant and one whose
	// fraction would sort wrongly in plain RFC3339Nano ("…:00Z" after
	// "…:00.5Z").
	in := []bot.AuditEntry{
		{At: base.Add(500 * time.Millisecond), Who: "u2", Platform: "slack", Action: "crisis.check", Object: "2026-K01", Detail: "item 3"},
		{At: base, Who: "u1", Platform: "console", Action: "export", Detail: "json"},
		{At: base.Add(time.Hour), Who: "system", Action: "retention", Detail: "2 visits"},
		{At: base.Add(time.Hour), Who: "system", Action: "backup"},
		{At: base.Add(-24 * time.Hour), Who: "u1", Action: "report"},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			for _, e := range in {
				if err := s.Append(t.Context(), e); err != nil {
					t.Fatalf("Append: %v", err)
				}
			}
			tests := []struct {
				name  string
				since time.Time
				want  []string // actions in order
			}{
				{"all", time.Time{}, []string{"report", "export", "crisis.check", "retention", "backup"}},
				{"since an instant includes it", base, []string{"export", "crisis.check", "retention", "backup"}},
				{"since in another zone", base.Add(time.Minute).In(time.FixedZone("CET", 3600)), []string{"retention", "backup"}},
				{"after the last", base.Add(2 * time.Hour), nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var got []string
					for e, err := range s.Entries(t.Context(), tt.since) {
						if err != nil {
							t.Fatalf("Entries: %v", err)
						}
						got = append(got, e.Action)
					}
					if len(got) != len(tt.want) {
						t.Fatalf("got %v, want %v", got, tt.want)
					}
					for i := range got {
						if got[i] != tt.want[i] {
							t.Fatalf("got %v, want %v", got, tt.want)
						}
					}
				})
			}
			var first bot.AuditEntry
			for e, err := range s.Entries(t.Context(), base.Add(400*time.Millisecond)) {
				if err != nil {
					t.Fatal(err)
				}
				first = e
				break
			}
			want := in[0]
			if !first.At.Equal(want.At) || first.Who != want.Who || first.Platform != want.Platform ||
				first.Object != want.Object || first.Detail != want.Detail {
				t.Errorf("round trip: got %+v, want %+v", first, want)
			}
		})
	}
}

func TestAuditAppendSurvivesReopen(t *testing.T) {
	dir, key := t.TempDir(), testKey(t, 7)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 2 {
		s, err := storage.Open(t.Context(), storage.Options{Dir: dir, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		// The same instant in both runs: the running number keeps both.
		if err := s.Append(t.Context(), bot.AuditEntry{At: at, Who: "u", Action: "export"}); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s := mustOpen(t, storage.Options{Dir: dir, Key: key})
	n := 0
	for _, err := range s.Entries(t.Context(), time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("entries after two runs: %d, want 2", n)
	}
}

func TestAuditAppendRefusesAnEmptyAction(t *testing.T) {
	s := mustOpen(t, storage.Options{InMemory: true})
	if err := s.Append(t.Context(), bot.AuditEntry{At: time.Now(), Who: "u"}); err == nil {
		t.Error("an entry without an action was accepted")
	}
}
