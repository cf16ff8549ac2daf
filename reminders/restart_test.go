package reminders_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"beredskab/reminders"
	"beredskab/storage"
)

// TestRestart: a store holding future and overdue reminders is picked up by
// a new dispatcher, which delivers each overdue one exactly once, marked
// late (direct messages within working hours), and arms the future ones; a
// further restart delivers nothing again.
func TestRestart(t *testing.T) {
	cph := copenhagen(t)
	ctx := context.Background()
	jan := func(d, h, m int) time.Time { return at(cph, 2027, time.January, d, h, m) }
	created := jan(13, 10, 0)

	// The store as the bot left it when it went down on Thursday 14 January.
	stored := map[string]reminders.Reminder{
		"dm friday":    {Kind: reminders.Own, Due: jan(15, 10, 0), User: "ane", Owner: "ane", Text: "ring", State: reminders.Pending},
		"heads-up sat": {Kind: reminders.DrillHeadsUp, Due: jan(16, 9, 0), Channel: "team", Year: 2027, State: reminders.Pending},
		"dm saturday":  {Kind: reminders.FollowUp, Due: jan(16, 12, 0), User: "bo", Owner: "bo", VisitID: "2027-0002", State: reminders.Pending},
		"retrying": {Kind: reminders.Own, Due: jan(14, 10, 0), Channel: "team", State: reminders.Pending,
			Attempts: 2, NextAttempt: jan(14, 10, 3), LastError: "platform unavailable"},
		"interrupted":  {Kind: reminders.Own, Due: jan(14, 11, 0), Channel: "team", State: reminders.Sending},
		"dm next week": {Kind: reminders.Own, Due: jan(20, 10, 0), User: "ane", Owner: "ane", State: reminders.Pending},
		"channel 3am":  {Kind: reminders.Own, Due: jan(19, 3, 0), Channel: "team", State: reminders.Pending},
		"delivered": {Kind: reminders.Own, Due: jan(13, 11, 0), User: "ane", Owner: "ane", State: reminders.Delivered,
			Deliveries: 1, DeliveredAt: jan(13, 11, 0)},
		"cancelled": {Kind: reminders.Own, Due: jan(15, 9, 0), User: "ane", Owner: "ane", State: reminders.Cancelled},
		"offered":   {Kind: reminders.FollowUp, User: "cia", Owner: "cia", VisitID: "2027-0003", State: reminders.Offered},
	}
	future := map[string]time.Time{"dm next week": jan(20, 10, 0), "channel 3am": jan(19, 3, 0)}
	untouched := []string{"delivered", "cancelled", "offered"}

	tests := []struct {
		name    string
		restart time.Time
		// delivered at start-up, late
		now []string
		// held back to the next opening, then delivered late
		held    []string
		opening time.Time
	}{
		{
			name:    "monday morning, in working hours",
			restart: jan(18, 10, 0),
			now:     []string{"dm friday", "heads-up sat", "dm saturday", "retrying", "interrupted"},
		},
		{
			name:    "sunday, outside working hours",
			restart: jan(17, 10, 0),
			now:     []string{"heads-up sat", "retrying", "interrupted"},
			held:    []string{"dm friday", "dm saturday"},
			opening: jan(18, 8, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := openStore(t)
			ids := map[string]string{} // name -> id
			names := map[string]string{}
			for _, name := range slices.Sorted(maps.Keys(stored)) {
				r := stored[name]
				r.Created = created
				r, err := store.AddReminder(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				ids[name], names[r.ID] = r.ID, name
			}

			// The restart.
			e := start(t, tt.restart, store)
			expectLate(t, e, names, tt.now, tt.restart)
			for _, name := range tt.held {
				e.armedAt(t, ids[name], tt.opening)
			}
			for name, due := range future {
				e.armedAt(t, ids[name], due)
			}
			if len(tt.held) > 0 {
				e.advanceTo(t, tt.opening)
				expectLate(t, e, names, tt.held, tt.opening)
			}
			e.close(t)
			e.adapter.none(t)
			for _, name := range untouched {
				checkUntouched(t, store, ids[name], stored[name])
			}

			// Another restart: nothing is delivered again, the future
			// ones are armed, the offer is known again.
			e2 := start(t, e.clock.Now(), store)
			for _, name := range append(slices.Clone(tt.now), tt.held...) {
				if at := e2.nextRun(t, ids[name]); !at.IsZero() {
					t.Errorf("%s armed again for %v", name, at)
				}
			}
			for name, due := range future {
				e2.armedAt(t, ids[name], due)
			}
			if offer, ok := e2.d.Offer(ctx, "cia"); !ok || offer.ID != ids["offered"] {
				t.Errorf("Offer(cia) after the restart = %+v, %v", offer, ok)
			}
			// The future ones fire on time, not late.
			e2.fire(t, ids["channel 3am"], future["channel 3am"], ids["channel 3am"]+"#1", false)
			e2.store.delivered(t, ids["channel 3am"], 1)
			e2.fire(t, ids["dm next week"], future["dm next week"], ids["dm next week"]+"#1", false)
			e2.store.delivered(t, ids["dm next week"], 1)
			e2.close(t)
			e2.adapter.none(t)
			for _, name := range append(slices.Clone(tt.now), tt.held...) {
				r, err := store.Reminder(ctx, ids[name])
				if err != nil {
					t.Fatal(err)
				}
				if r.State != reminders.Delivered || r.Deliveries != 1 {
					t.Errorf("%s = %+v, want delivered once", name, r)
				}
			}
			for _, name := range untouched {
				checkUntouched(t, store, ids[name], stored[name])
			}
		})
	}
}

// expectLate waits for one late delivery of each named reminder at when,
// in any order, and for its record.
func expectLate(t *testing.T, e *env, names map[string]string, want []string, when time.Time) {
	t.Helper()
	got := map[string]delivery{}
	for range want {
		d := e.adapter.next(t)
		name := names[d.ID]
		if _, dup := got[name]; dup {
			t.Fatalf("%s delivered twice: %+v", name, d)
		}
		got[name] = d
	}
	for _, name := range want {
		d, ok := got[name]
		if !ok {
			t.Fatalf("%s was not delivered; got %v", name, slices.Sorted(maps.Keys(got)))
		}
		if d.Key != d.ID+"#1" || !d.Late || !d.At.Equal(when) {
			t.Errorf("%s delivered as %+v, want key %s#1, late, at %v", name, d, d.ID, when)
		}
		r := e.store.delivered(t, d.ID, 1)
		if !r.DeliveredAt.Equal(when) || r.Attempts != 0 || !r.NextAttempt.IsZero() {
			t.Errorf("%s recorded as %+v", name, r)
		}
	}
}

func checkUntouched(t *testing.T, s *storage.Store, id string, want reminders.Reminder) {
	t.Helper()
	got, err := s.Reminder(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != want.State || got.Deliveries != want.Deliveries {
		t.Errorf("reminder %s = %+v, want it left %s", id, got, want.State)
	}
}

// TestRestartEvaluationCatchUp: a weekly evaluation reminder that fell due
// weeks ago while the bot was down is delivered once, late, and the series
// goes on from now, not with one message for every week missed.
func TestRestartEvaluationCatchUp(t *testing.T) {
	cph := copenhagen(t)
	ctx := context.Background()
	store := openStore(t)
	// Round 1 was due Tuesday 5 October 2027 10:00; the bot comes back on
	// Monday 1 November, after the change to winter time.
	r, err := store.AddReminder(ctx, func() reminders.Reminder {
		r := reminders.EvaluationReminder("2027-K02", "coord", at(cph, 2027, time.October, 5, 10, 0), 1)
		r.State = reminders.Pending
		return r
	}())
	if err != nil {
		t.Fatal(err)
	}
	restart := at(cph, 2027, time.November, 1, 10, 0)
	e := start(t, restart, store)
	expectLate(t, e, map[string]string{r.ID: "round 1"}, []string{"round 1"}, restart)
	e.armed(t, 1)
	next := e.find(t, "the next round", func(x reminders.Reminder) bool { return x.Kind == reminders.Evaluation && x.State == reminders.Pending })
	if next.Round != 2 {
		t.Errorf("next round = %d, want 2", next.Round)
	}
	// The next weekly time after now: Tuesday 2 November 10:00 CET.
	e.armedAt(t, next.ID, utc(2027, time.November, 2, 9, 0))
	e.close(t)
	e.adapter.none(t)
}
