package upkeep_test

import (
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/storage"
	"beredskab/upkeep"
)

func TestRosterChangesAreAudited(t *testing.T) {
	s, err := storage.Open(t.Context(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	steps := []struct {
		roster map[string]string
		want   string // "" for no entry
	}{
		{map[string]string{"U1": "admin", "U2": "midwife"}, "2 staff; added U1 (admin), U2 (midwife)"},
		{map[string]string{"U2": "midwife", "U1": "admin"}, ""},
		{map[string]string{"U1": "admin", "U2": "coordinator", "U3": "midwife"}, "3 staff; added U3 (midwife); role changed U2 (midwife → coordinator)"},
		{map[string]string{"U3": "midwife"}, "1 staff; removed U1, U2"},
	}
	seen := 0
	for i, st := range steps {
		clock.t = clock.t.Add(time.Hour)
		if err := upkeep.AuditRoster(t.Context(), s, s, clock, "slack", st.roster); err != nil {
			t.Fatal(err)
		}
		var got []bot.AuditEntry
		for e, err := range s.Entries(t.Context(), time.Time{}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
		got = got[seen:]
		seen += len(got)
		switch {
		case st.want == "" && len(got) != 0:
			t.Errorf("step %d: audited %+v, want nothing", i, got)
		case st.want != "" && (len(got) != 1 || got[0].Detail != st.want || got[0].Action != "roster" || got[0].Who != "system"):
			t.Errorf("step %d: %+v, want %q", i, got, st.want)
		}
	}
}
