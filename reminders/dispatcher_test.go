package reminders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"beredskab/reminders"
)

// own is an own reminder set with /remind by user, due as the phrase says.
func own(t testing.TB, user, phrase string, now time.Time) reminders.Reminder {
	t.Helper()
	due, text, err := reminders.ParseWhen(phrase, now, now.Location())
	if err != nil {
		t.Fatalf("ParseWhen(%q): %v", phrase, err)
	}
	return reminders.Reminder{Kind: reminders.Own, Due: due, User: user, Owner: user, Text: text}
}

// TestDispatcherFiresAtLocalTime arms one reminder, checks the armed time
// exactly, moves the clock there and checks the delivery and its record.
func TestDispatcherFiresAtLocalTime(t *testing.T) {
	cph := copenhagen(t)
	tests := []struct {
		name string
		now  time.Time
		make func(now time.Time) reminders.Reminder
		want time.Time
	}{
		{
			// Friday 26 March 10:00 CET + 3 days = Monday 29 March 10:00
			// CEST (not 72 hours, which would be 11:00).
			name: "own DM across the spring change",
			now:  at(cph, 2027, time.March, 26, 10, 0),
			make: func(now time.Time) reminders.Reminder { return own(t, "ane", "om 3 dage ring til lab", now) },
			want: utc(2027, time.March, 29, 8, 0),
		},
		{
			// Friday 29 October 12:00 CEST + 3 days = Monday 1 November
			// 12:00 CET (not 72 hours, which would be 11:00).
			name: "own DM across the autumn change",
			now:  at(cph, 2027, time.October, 29, 12, 0),
			make: func(now time.Time) reminders.Reminder { return own(t, "ane", "in 3 days call the lab", now) },
			want: utc(2027, time.November, 1, 11, 0),
		},
		{
			name: "DM due Saturday waits for Monday 08:00 (winter time)",
			now:  at(cph, 2027, time.October, 28, 10, 0),
			make: func(now time.Time) reminders.Reminder { return own(t, "ane", "lørdag kl 10", now) },
			want: utc(2027, time.November, 1, 7, 0),
		},
		{
			name: "DM due Saturday waits for Monday 08:00 (summer time)",
			now:  at(cph, 2027, time.March, 25, 10, 0),
			make: func(now time.Time) reminders.Reminder { return own(t, "ane", "saturday 10:00", now) },
			want: utc(2027, time.March, 29, 6, 0),
		},
		{
			name: "DM due in the evening waits for the morning",
			now:  at(cph, 2027, time.January, 13, 10, 0),
			make: func(now time.Time) reminders.Reminder { return own(t, "ane", "kl 20", now) },
			want: at(cph, 2027, time.January, 14, 8, 0),
		},
		{
			name: "draft nudge after 4 hours, in the evening, waits",
			now:  at(cph, 2027, time.January, 13, 15, 0),
			make: func(now time.Time) reminders.Reminder {
				return reminders.Reminder{Kind: reminders.DraftNudge, Due: now.Add(4 * time.Hour), User: "ane", Dedupe: "draft/ane"}
			},
			want: at(cph, 2027, time.January, 14, 8, 0),
		},
		{
			name: "follow-up in working hours",
			now:  at(cph, 2027, time.January, 13, 10, 0),
			make: func(now time.Time) reminders.Reminder {
				return reminders.Reminder{Kind: reminders.FollowUp, Due: at(cph, 2027, time.January, 20, 10, 0), User: "ane", Owner: "ane",
					VisitID: "2027-0001", VisitDate: "2027-01-13", Place: "Vesterbro"}
			},
			want: at(cph, 2027, time.January, 20, 10, 0),
		},
		{
			name: "channel reminder on a Sunday night is not held back",
			now:  at(cph, 2027, time.October, 29, 12, 0),
			make: func(now time.Time) reminders.Reminder {
				return reminders.Reminder{Kind: reminders.Own, Due: at(cph, 2027, time.October, 31, 23, 0), Channel: "team"}
			},
			want: utc(2027, time.October, 31, 22, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, tt.now, nil)
			r := e.add(t, tt.make(tt.now))
			if r.ID == "" || r.State != reminders.Pending {
				t.Fatalf("added %+v, want a pending reminder with an id", r)
			}
			e.fire(t, r.ID, tt.want, r.ID+"#1", false)
			got := e.store.delivered(t, r.ID, 1)
			if !got.DeliveredAt.Equal(e.clock.Now()) {
				t.Errorf("DeliveredAt = %v, want the clock %v", got.DeliveredAt, e.clock.Now())
			}
			if at := e.nextRun(t, r.ID); !at.IsZero() {
				t.Errorf("still armed for %v after delivery", at)
			}
			e.close(t)
			e.adapter.none(t)
		})
	}
}

func TestDrill(t *testing.T) {
	cph := copenhagen(t)
	ctx := context.Background()
	e := start(t, at(cph, 2027, time.September, 1, 10, 0), nil)
	drill := reminders.DrillDate{Month: time.September, Day: 25}
	for range 2 { // the second time changes nothing
		if err := e.d.Ensure(ctx, reminders.DrillReminders(drill, e.clock.Now(), cph, "team")...); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := e.d.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].Kind != reminders.DrillHeadsUp || pending[1].Kind != reminders.Drill {
		t.Fatalf("pending = %+v, want the heads-up and the drill", pending)
	}
	heads, dr := pending[0], pending[1]

	// Both fall on a Saturday and go to the channel: not held back.
	e.fire(t, heads.ID, utc(2027, time.September, 11, 7, 0), heads.ID+"#1", false)
	e.store.delivered(t, heads.ID, 1)
	e.fire(t, dr.ID, utc(2027, time.September, 25, 7, 0), dr.ID+"#1", false)
	got := e.store.delivered(t, dr.ID, 1)
	if !got.DeliveredAt.Equal(utc(2027, time.September, 25, 7, 0)) {
		t.Errorf("drill DeliveredAt = %v", got.DeliveredAt)
	}

	// Delivering the drill arms next year's, with its heads-up.
	e.armed(t, 2)
	nextHeads := e.find(t, "the 2028 heads-up", func(r reminders.Reminder) bool { return r.Kind == reminders.DrillHeadsUp && r.Year == 2028 })
	nextDrill := e.find(t, "the 2028 drill", func(r reminders.Reminder) bool { return r.Kind == reminders.Drill && r.Year == 2028 })
	for _, r := range []reminders.Reminder{nextHeads, nextDrill} {
		if r.State != reminders.Pending || r.Channel != "team" {
			t.Errorf("next year's %s = %+v, want pending for the team channel", r.Kind, r)
		}
	}
	e.armedAt(t, nextHeads.ID, utc(2028, time.September, 11, 7, 0))
	e.armedAt(t, nextDrill.ID, utc(2028, time.September, 25, 7, 0))
	// The heads-up leads to nothing.
	if pending, _ := e.d.Pending(ctx); len(pending) != 2 {
		t.Errorf("pending after the drill = %+v, want next year's two", pending)
	}
	e.close(t)
	e.adapter.none(t)
}

func TestEvaluationWeekly(t *testing.T) {
	cph := copenhagen(t)
	e := start(t, at(cph, 2027, time.October, 25, 10, 0), nil)
	r := e.add(t, reminders.EvaluationReminder("2027-K01", "coord", at(cph, 2027, time.October, 26, 10, 0), 1))

	// Round 1, Tuesday 26 October 10:00 CEST.
	e.fire(t, r.ID, utc(2027, time.October, 26, 8, 0), r.ID+"#1", false)
	e.store.delivered(t, r.ID, 1)
	e.armed(t, 1)
	round2 := e.find(t, "round 2", func(r reminders.Reminder) bool { return r.Kind == reminders.Evaluation && r.Round == 2 })
	if round2.CrisisID != "2027-K01" || round2.User != "coord" || round2.State != reminders.Pending {
		t.Fatalf("round 2 = %+v", round2)
	}
	// Round 2, a week later at the same local time: 10:00 CET.
	e.fire(t, round2.ID, utc(2027, time.November, 2, 9, 0), round2.ID+"#1", false)
	e.store.delivered(t, round2.ID, 1)
	e.armed(t, 1)
	round3 := e.find(t, "round 3", func(r reminders.Reminder) bool { return r.Kind == reminders.Evaluation && r.Round == 3 })

	// The evaluation is done: the bot reports round 3 as not sent, which
	// closes it and ends the series.
	e.adapter.markUnsent(round3.ID)
	e.fire(t, round3.ID, utc(2027, time.November, 9, 9, 0), round3.ID+"#1", false)
	closed := e.store.until(t, round3.ID, "cancelled", func(r reminders.Reminder) bool { return r.State == reminders.Cancelled })
	if closed.Deliveries != 0 || !closed.DeliveredAt.IsZero() {
		t.Errorf("round 3 = %+v, want no delivery recorded", closed)
	}
	e.close(t)
	e.adapter.none(t)
	pending, err := e.d.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("pending after the series ended = %+v", pending)
	}
}

func TestFollowUpOfferedScheduledSnoozed(t *testing.T) {
	cph := copenhagen(t)
	ctx := context.Background()
	e := start(t, at(cph, 2027, time.January, 13, 11, 0), nil)
	offer := e.add(t, reminders.Reminder{Kind: reminders.FollowUp, State: reminders.Offered, User: "ane", Owner: "ane",
		VisitID: "2027-0001", VisitDate: "2027-01-13", Place: "Vesterbro", Suggested: true})
	if at := e.nextRun(t, offer.ID); !at.IsZero() {
		t.Fatalf("an offered follow-up is armed for %v", at)
	}
	got, ok := e.d.Offer(ctx, "ane")
	if !ok || got.ID != offer.ID {
		t.Fatalf("Offer = %+v, %v; want %s", got, ok, offer.ID)
	}

	// Accepted: in 1 week.
	due := at(cph, 2027, time.January, 20, 10, 0)
	r, err := e.d.Schedule(ctx, offer.ID, due)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != reminders.Pending {
		t.Fatalf("scheduled follow-up = %+v", r)
	}
	if _, ok := e.d.Offer(ctx, "ane"); ok {
		t.Error("the follow-up is still offered after it was accepted")
	}
	e.fire(t, r.ID, due, r.ID+"#1", false)
	e.store.delivered(t, r.ID, 1)

	// Snoozed for a day: a new delivery with a new key.
	snoozed := at(cph, 2027, time.January, 21, 10, 0)
	if _, err := e.d.Schedule(ctx, r.ID, snoozed); err != nil {
		t.Fatal(err)
	}
	e.fire(t, r.ID, snoozed, r.ID+"#2", false)
	got = e.store.delivered(t, r.ID, 2)
	if !got.DeliveredAt.Equal(snoozed) {
		t.Errorf("DeliveredAt = %v, want %v", got.DeliveredAt, snoozed)
	}

	// Snoozed to a Saturday: held back to Monday.
	saturday := at(cph, 2027, time.January, 23, 10, 0)
	if _, err := e.d.Schedule(ctx, r.ID, saturday); err != nil {
		t.Fatal(err)
	}
	e.fire(t, r.ID, at(cph, 2027, time.January, 25, 8, 0), r.ID+"#3", false)
	e.store.delivered(t, r.ID, 3)

	// Done: it cannot be snoozed any more.
	if _, err := e.d.Finish(ctx, r.ID, reminders.Done); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Schedule(ctx, r.ID, at(cph, 2027, time.January, 26, 10, 0)); err == nil {
		t.Error("a done reminder was snoozed")
	}
	if at := e.nextRun(t, r.ID); !at.IsZero() {
		t.Errorf("done reminder armed for %v", at)
	}
	e.close(t)
	e.adapter.none(t)
}

func TestFinishBeforeDue(t *testing.T) {
	cph := copenhagen(t)
	for _, state := range []reminders.State{reminders.Cancelled, reminders.Done} {
		t.Run(string(state), func(t *testing.T) {
			ctx := context.Background()
			now := at(cph, 2027, time.January, 13, 10, 0)
			e := start(t, now, nil)
			r := e.add(t, own(t, "ane", "kl 14 ring", now))
			e.armedAt(t, r.ID, at(cph, 2027, time.January, 13, 14, 0))
			if _, err := e.d.Finish(ctx, r.ID, state); err != nil {
				t.Fatal(err)
			}
			if at := e.nextRun(t, r.ID); !at.IsZero() {
				t.Fatalf("finished reminder still armed for %v", at)
			}
			// A later reminder fires; the finished one never does.
			later := e.add(t, own(t, "ane", "kl 15 noget andet", now))
			e.fire(t, later.ID, at(cph, 2027, time.January, 13, 15, 0), later.ID+"#1", false)
			e.store.delivered(t, later.ID, 1)
			e.close(t)
			e.adapter.none(t)
			got, err := e.store.Reminder(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != state || got.Deliveries != 0 {
				t.Errorf("finished reminder = %+v", got)
			}
		})
	}
}

func TestNotSentCloses(t *testing.T) {
	cph := copenhagen(t)
	now := at(cph, 2027, time.January, 13, 10, 0)
	e := start(t, now, nil)
	r := e.add(t, reminders.Reminder{Kind: reminders.DraftNudge, Due: now.Add(4 * time.Hour), User: "ane", Dedupe: "draft/ane"})
	e.adapter.markUnsent(r.ID)
	e.fire(t, r.ID, now.Add(4*time.Hour), r.ID+"#1", false)
	got := e.store.until(t, r.ID, "cancelled", func(r reminders.Reminder) bool { return r.State == reminders.Cancelled })
	if got.Deliveries != 0 || got.Attempts != 0 {
		t.Errorf("closed reminder = %+v", got)
	}
	if at := e.nextRun(t, r.ID); !at.IsZero() {
		t.Errorf("closed reminder armed for %v", at)
	}
	e.close(t)
	e.adapter.none(t)
}

// TestRetry: a failing send is retried with backoff (1 min, 2 min, 4 min,
// ..., at most MaxBackoff), within working hours for direct messages, with
// the same key, and delivered once it succeeds.
func TestRetry(t *testing.T) {
	cph := copenhagen(t)
	wed := func(h, m int) time.Time { return at(cph, 2027, time.January, 13, h, m) }
	tests := []struct {
		name       string
		due        time.Time
		user       string
		maxBackoff time.Duration
		// after each failure: the next attempt stored, and the armed time
		wantAttempt []time.Time
		wantRun     []time.Time
	}{
		{
			name:        "doubling",
			due:         wed(10, 0),
			wantAttempt: []time.Time{wed(10, 1), wed(10, 3), wed(10, 7), wed(10, 15)},
			wantRun:     []time.Time{wed(10, 1), wed(10, 3), wed(10, 7), wed(10, 15)},
		},
		{
			name:        "capped",
			due:         wed(10, 0),
			maxBackoff:  3 * time.Minute,
			wantAttempt: []time.Time{wed(10, 1), wed(10, 3), wed(10, 6), wed(10, 9), wed(10, 12)},
			wantRun:     []time.Time{wed(10, 1), wed(10, 3), wed(10, 6), wed(10, 9), wed(10, 12)},
		},
		{
			name:        "a DM retry after closing waits for the morning",
			due:         wed(17, 58),
			user:        "ane",
			wantAttempt: []time.Time{wed(17, 59), wed(18, 1), at(cph, 2027, time.January, 14, 8, 4)},
			wantRun:     []time.Time{wed(17, 59), at(cph, 2027, time.January, 14, 8, 0), at(cph, 2027, time.January, 14, 8, 4)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, wed(9, 0), nil, func(o *reminders.Options) { o.MaxBackoff = tt.maxBackoff })
			r := reminders.Reminder{Kind: reminders.Own, Due: tt.due, Text: "x"}
			if tt.user != "" {
				r.User = tt.user
			} else {
				r.Channel = "team"
			}
			r = e.add(t, r)
			e.adapter.failNext(r.ID, len(tt.wantAttempt))
			run := tt.due
			for i := range tt.wantAttempt {
				e.fire(t, r.ID, run, r.ID+"#1", false)
				e.armed(t, 1) // re-armed after the failure was stored
				got, err := e.store.Reminder(context.Background(), r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.State != reminders.Pending || got.Attempts != i+1 || !got.NextAttempt.Equal(tt.wantAttempt[i]) || got.LastError != errPlatform.Error() {
					t.Fatalf("after failure %d: %+v, want pending, attempt %d, next at %v", i+1, got, i+1, tt.wantAttempt[i].In(cph))
				}
				run = tt.wantRun[i]
			}
			// Sends work again.
			e.fire(t, r.ID, run, r.ID+"#1", false)
			got := e.store.delivered(t, r.ID, 1)
			if got.Attempts != 0 || !got.NextAttempt.IsZero() || got.LastError != "" || !got.DeliveredAt.Equal(run) {
				t.Errorf("delivered = %+v", got)
			}
			e.close(t)
			e.adapter.none(t)
		})
	}
}

func TestNewNeedsStoreAndDeliver(t *testing.T) {
	if _, err := reminders.New(reminders.Options{}); err == nil {
		t.Error("New without a store gave no error")
	}
}

// TestEnsureKeepsStored: Ensure adds a reminder once per Dedupe, and Add
// reports the one stored.
func TestEnsureKeepsStored(t *testing.T) {
	cph := copenhagen(t)
	ctx := context.Background()
	now := at(cph, 2027, time.January, 13, 10, 0)
	e := start(t, now, nil)
	ev := reminders.EvaluationReminder("2027-K01", "coord", now.Add(time.Hour), 1)
	if err := e.d.Ensure(ctx, ev, ev); err != nil {
		t.Fatal(err)
	}
	first, err := e.d.Add(ctx, ev)
	if !errors.Is(err, reminders.ErrExists) || first.ID == "" {
		t.Fatalf("Add of a stored dedupe = %+v, %v; want the stored one and ErrExists", first, err)
	}
	pending, err := e.d.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != first.ID {
		t.Fatalf("pending = %+v", pending)
	}
	e.armedAt(t, first.ID, now.Add(time.Hour))
}

// tickingClock is a fake clock that moves on a second every time it is
// read, so that time passes between the dispatcher's look at the clock
// and gocron's, as it does with a real clock.
type tickingClock struct{ *clockwork.FakeClock }

func (c tickingClock) Now() time.Time {
	c.Advance(time.Second)
	return c.FakeClock.Now()
}

// TestArmJustBeforeDue: a reminder that falls due between the dispatcher's
// look at the clock and gocron's is delivered, not refused as past.
func TestArmJustBeforeDue(t *testing.T) {
	cph := copenhagen(t)
	now := at(cph, 2027, time.January, 13, 10, 0)
	clock := tickingClock{clockwork.NewFakeClockAt(now)}
	a := newAdapter(clock.FakeClock)
	d, err := reminders.New(reminders.Options{Store: openStore(t), Deliver: a.deliver, Clock: clock, Location: cph})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Due 3 seconds on: still ahead when the dispatcher looks, passed when
	// gocron does.
	r, err := d.Add(context.Background(), reminders.Reminder{Kind: reminders.Own, Due: clock.FakeClock.Now().Add(3 * time.Second), Channel: "team"})
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if got := a.next(t); got.ID != r.ID || got.Key != r.ID+"#1" {
		t.Fatalf("delivery %+v, want %s", got, r.ID)
	}
}

// TestSnoozeKeepsOpenOffer: snoozing one reminder does not forget the
// follow-up offered to the same person meanwhile.
func TestSnoozeKeepsOpenOffer(t *testing.T) {
	cph := copenhagen(t)
	ctx := context.Background()
	now := at(cph, 2027, time.January, 13, 10, 0)
	e := start(t, now, nil)
	old := e.add(t, reminders.Reminder{Kind: reminders.FollowUp, Due: now.Add(time.Hour), User: "ane", Owner: "ane", VisitID: "2027-0001"})
	e.fire(t, old.ID, now.Add(time.Hour), old.ID+"#1", false)
	e.store.delivered(t, old.ID, 1)
	offer := e.add(t, reminders.Reminder{Kind: reminders.FollowUp, State: reminders.Offered, User: "ane", Owner: "ane", VisitID: "2027-0002"})
	if _, err := e.d.Schedule(ctx, old.ID, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, ok := e.d.Offer(ctx, "ane"); !ok || got.ID != offer.ID {
		t.Errorf("Offer after snoozing another reminder = %+v, %v; want %s", got, ok, offer.ID)
	}
}
