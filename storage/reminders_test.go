package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"beredskab/reminders"
	"beredskab/storage"
)

var remAt = time.Date(2027, time.January, 13, 9, 0, 0, 0, time.UTC)

func addRem(t *testing.T, s *storage.Store, r reminders.Reminder) reminders.Reminder {
	t.Helper()
	if r.State == "" {
		r.State = reminders.Pending
	}
	got, err := s.AddReminder(t.Context(), r)
	if err != nil {
		t.Fatalf("AddReminder(%+v): %v", r, err)
	}
	return got
}

func loadRem(t *testing.T, s *storage.Store, id string) reminders.Reminder {
	t.Helper()
	r, err := s.Reminder(t.Context(), id)
	if err != nil {
		t.Fatalf("Reminder(%s): %v", id, err)
	}
	return r
}

func allRems(t *testing.T, s *storage.Store) []reminders.Reminder {
	t.Helper()
	var out []reminders.Reminder
	for r, err := range s.Reminders(t.Context()) {
		if err != nil {
			t.Fatalf("Reminders: %v", err)
		}
		out = append(out, r)
	}
	return out
}

// sending claims the reminder, as the dispatcher does before a send.
func sending(t *testing.T, s *storage.Store, id string) reminders.Reminder {
	t.Helper()
	r, err := s.UpdateReminder(t.Context(), id, func(r *reminders.Reminder) error {
		r.State = reminders.Sending
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAddReminderNumbersAndDedupe(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.open(t)
			first := addRem(t, s, reminders.Reminder{Kind: reminders.Own, Due: remAt, User: "ane", Text: "ring"})
			drill := addRem(t, s, reminders.Reminder{Kind: reminders.Drill, Due: remAt, Channel: "team", Year: 2027, Dedupe: "drill/2027"})
			if first.ID != "1" || drill.ID != "2" {
				t.Fatalf("ids %q, %q; want 1, 2", first.ID, drill.ID)
			}
			if got := loadRem(t, s, first.ID); got.Schema != 1 || got.Text != "ring" || !got.Due.Equal(remAt) || got.State != reminders.Pending {
				t.Errorf("stored %+v", got)
			}

			// The same Dedupe: not stored, the stored one returned.
			dup, err := s.AddReminder(ctx, reminders.Reminder{Kind: reminders.Drill, Due: remAt.Add(time.Hour), Channel: "other", Year: 2027, Dedupe: "drill/2027", State: reminders.Pending})
			if !errors.Is(err, reminders.ErrExists) {
				t.Fatalf("AddReminder of a taken dedupe: %v, want ErrExists", err)
			}
			if dup.ID != drill.ID || dup.Channel != "team" || !dup.Due.Equal(remAt) {
				t.Errorf("returned %+v, want the stored drill", dup)
			}
			// No number was used up by the refused one.
			third := addRem(t, s, reminders.Reminder{Kind: reminders.Own, Due: remAt, User: "bo"})
			if third.ID != "3" {
				t.Errorf("third id %q, want 3", third.ID)
			}
			if n := len(allRems(t, s)); n != 3 {
				t.Errorf("%d reminders stored, want 3", n)
			}
			// Past nine (ids are listed in key order, "10" before "2"),
			// the listing still holds each once.
			for range 8 {
				addRem(t, s, reminders.Reminder{Kind: reminders.Own, Due: remAt, User: "bo"})
			}
			seen := map[string]bool{}
			for _, r := range allRems(t, s) {
				if seen[r.ID] {
					t.Errorf("reminder %s listed twice", r.ID)
				}
				seen[r.ID] = true
			}
			if len(seen) != 11 || !seen["11"] {
				t.Errorf("listed %v, want 1..11", seen)
			}
			if _, err := s.Reminder(ctx, "99"); !errors.Is(err, reminders.ErrNotFound) {
				t.Errorf("Reminder(99): %v, want ErrNotFound", err)
			}
		})
	}
}

func TestUpdateReminder(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.open(t)
			r := addRem(t, s, reminders.Reminder{Kind: reminders.Own, Due: remAt, User: "ane"})
			later := remAt.Add(24 * time.Hour)
			got, err := s.UpdateReminder(ctx, r.ID, func(r *reminders.Reminder) error {
				r.Due, r.Attempts, r.LastError = later, 2, "boom"
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !got.Due.Equal(later) || got.Attempts != 2 {
				t.Errorf("returned %+v", got)
			}
			if stored := loadRem(t, s, r.ID); !stored.Due.Equal(later) || stored.Attempts != 2 || stored.LastError != "boom" {
				t.Errorf("stored %+v", stored)
			}

			// A change that fails changes nothing and its error comes back.
			errNo := errors.New("no")
			if _, err := s.UpdateReminder(ctx, r.ID, func(r *reminders.Reminder) error {
				r.State = reminders.Cancelled
				return errNo
			}); !errors.Is(err, errNo) {
				t.Errorf("UpdateReminder with a failing change: %v", err)
			}
			if stored := loadRem(t, s, r.ID); stored.State != reminders.Pending {
				t.Errorf("a failed change was stored: %+v", stored)
			}
			if _, err := s.UpdateReminder(ctx, "99", func(*reminders.Reminder) error { return nil }); !errors.Is(err, reminders.ErrNotFound) {
				t.Errorf("UpdateReminder(99): %v, want ErrNotFound", err)
			}
		})
	}
}

func TestRecordDelivery(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.open(t)
			drill := addRem(t, s, reminders.Reminder{Kind: reminders.Drill, Due: remAt, Channel: "team", Year: 2027, Dedupe: "drill/2027"})
			// Next year's heads-up is stored already (Ensure ran); the
			// drill is not.
			heads := addRem(t, s, reminders.Reminder{Kind: reminders.DrillHeadsUp, Due: remAt.AddDate(1, 0, -14), Channel: "team", Year: 2028, Dedupe: "drill-heads-up/2028"})
			next := []reminders.Reminder{
				{Kind: reminders.DrillHeadsUp, Due: remAt.AddDate(1, 0, -14), Channel: "team", Year: 2028, Dedupe: "drill-heads-up/2028"},
				{Kind: reminders.Drill, Due: remAt.AddDate(1, 0, 0), Channel: "team", Year: 2028, Dedupe: "drill/2028"},
			}
			key := drill.Key()
			if key != drill.ID+"#1" {
				t.Fatalf("key %q", key)
			}

			// Not claimed: nothing recorded.
			if added, err := s.RecordDelivery(ctx, drill.ID, key, remAt, next); err != nil || len(added) != 0 {
				t.Fatalf("RecordDelivery of a pending reminder = %+v, %v", added, err)
			}
			if got := loadRem(t, s, drill.ID); got.State != reminders.Pending {
				t.Fatalf("recorded without a claim: %+v", got)
			}

			sending(t, s, drill.ID)
			// A key not of this delivery: nothing recorded.
			if added, err := s.RecordDelivery(ctx, drill.ID, drill.ID+"#2", remAt, next); err != nil || len(added) != 0 {
				t.Fatalf("RecordDelivery with another key = %+v, %v", added, err)
			}

			at := remAt.Add(time.Minute)
			added, err := s.RecordDelivery(ctx, drill.ID, key, at, next)
			if err != nil {
				t.Fatal(err)
			}
			if len(added) != 1 || added[0].Kind != reminders.Drill || added[0].Year != 2028 || added[0].State != reminders.Pending ||
				!added[0].Created.Equal(at) || added[0].ID == "" {
				t.Fatalf("added %+v, want only the 2028 drill (the heads-up was stored)", added)
			}
			got := loadRem(t, s, drill.ID)
			if got.State != reminders.Delivered || got.Deliveries != 1 || !got.DeliveredAt.Equal(at) || got.Key() != drill.ID+"#2" {
				t.Errorf("after the record: %+v", got)
			}
			if h := loadRem(t, s, heads.ID); h.State != reminders.Pending || h.Created != heads.Created {
				t.Errorf("the stored heads-up changed: %+v", h)
			}

			// The same key again, even with the reminder claimed again:
			// nothing changes.
			for range 2 {
				sending(t, s, drill.ID)
				// Key() is now #2; record #1 again.
				again, err := s.RecordDelivery(ctx, drill.ID, key, at.Add(time.Hour), next)
				if err != nil || len(again) != 0 {
					t.Fatalf("second RecordDelivery = %+v, %v", again, err)
				}
			}
			if got := loadRem(t, s, drill.ID); got.Deliveries != 1 || !got.DeliveredAt.Equal(at) {
				t.Errorf("a recorded key counted again: %+v", got)
			}
			if n := len(allRems(t, s)); n != 3 {
				t.Errorf("%d reminders, want 3", n)
			}

			// A snooze is a new delivery with a new key, recorded once.
			key2 := drill.ID + "#2"
			for i, want := range []int{2, 2} {
				if _, err := s.RecordDelivery(ctx, drill.ID, key2, at.Add(2*time.Hour), next); err != nil {
					t.Fatal(err)
				}
				if got := loadRem(t, s, drill.ID); got.Deliveries != want {
					t.Errorf("record %d of %s: deliveries %d, want %d", i+1, key2, got.Deliveries, want)
				}
				sending(t, s, drill.ID)
			}
			if _, err := s.RecordDelivery(ctx, "99", "99#1", at, nil); !errors.Is(err, reminders.ErrNotFound) {
				t.Errorf("RecordDelivery(99): %v, want ErrNotFound", err)
			}
		})
	}
}

// TestRemindersSurviveReopen: reminders, the numbering, the dedupe index
// and the recorded deliveries are all on disk.
func TestRemindersSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := testKey(t, 7)
	open := func() *storage.Store {
		s, err := storage.Open(ctx, storage.Options{Dir: dir, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	s := open()
	pending := addRem(t, s, reminders.Reminder{Kind: reminders.Own, Due: remAt, User: "ane", Owner: "ane", Text: "ring til lab"})
	ev := addRem(t, s, reminders.EvaluationReminder("2027-K01", "coord", remAt, 1))
	sending(t, s, ev.ID)
	next := []reminders.Reminder{reminders.EvaluationReminder("2027-K01", "coord", remAt.AddDate(0, 0, 7), 2)}
	if _, err := s.RecordDelivery(ctx, ev.ID, ev.Key(), remAt, next); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open()
	defer s.Close()
	all := allRems(t, s)
	if len(all) != 3 {
		t.Fatalf("after reopening: %+v, want 3 reminders", all)
	}
	if got := loadRem(t, s, pending.ID); got.Text != "ring til lab" || got.State != reminders.Pending || !got.Due.Equal(remAt) {
		t.Errorf("pending after reopening: %+v", got)
	}
	if got := loadRem(t, s, ev.ID); got.State != reminders.Delivered || got.Deliveries != 1 || !got.DeliveredAt.Equal(remAt) {
		t.Errorf("delivered after reopening: %+v", got)
	}
	// The recorded key is remembered.
	sending(t, s, ev.ID)
	if added, err := s.RecordDelivery(ctx, ev.ID, ev.Key(), remAt, next); err != nil || len(added) != 0 {
		t.Errorf("RecordDelivery of a recorded key after reopening = %+v, %v", added, err)
	}
	// The dedupe index is remembered.
	if _, err := s.AddReminder(ctx, next[0]); !errors.Is(err, reminders.ErrExists) {
		t.Errorf("round 2 added again after reopening: %v", err)
	}
	// The numbering goes on.
	if r := addRem(t, s, reminders.Reminder{Kind: reminders.Own, Due: remAt, User: "bo"}); r.ID != "4" {
		t.Errorf("id after reopening %q, want 4", r.ID)
	}
}
