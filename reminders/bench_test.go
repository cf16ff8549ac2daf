package reminders_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"beredskab/reminders"
	"beredskab/storage"
)

// BenchmarkRearm10000 measures a start-up: a new dispatcher loads 10,000
// pending reminders, spread over the coming year, from an in-memory Badger
// store and arms one gocron job for each; then it is closed. Target: under
// 1 s per start-up. Run:
//
//	go test -run '^$' -bench Rearm -benchmem ./reminders/
//
// "real" arms real timers as production does (about 0.2 s on a 2-core
// AMD EPYC); "fake" arms them on a clockwork fake clock, as the tests do,
// and is slower (about 1.3 s) because clockwork v0.5.0 sorts all its timers
// each time one is added, which is quadratic in the number of reminders.
func BenchmarkRearm10000(b *testing.B) {
	const n = 10000
	cph := copenhagen(b)
	ctx := context.Background()
	now := time.Now().In(cph)
	s, err := storage.Open(ctx, storage.Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	year := 365 * 24 * time.Hour
	for i := range n {
		r := reminders.Reminder{Kind: reminders.Own, State: reminders.Pending, Created: now,
			Due: now.Add(time.Hour + time.Duration(i)*(year/n)), Text: fmt.Sprintf("reminder %d", i)}
		if i%3 == 0 {
			r.Channel = "team"
		} else {
			r.User = fmt.Sprintf("user%d", i%50)
		}
		if _, err := s.AddReminder(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	deliver := func(context.Context, reminders.Reminder, string, bool) (bool, error) {
		b.Error("nothing is due")
		return false, nil
	}
	for _, c := range []struct {
		name  string
		clock func() clockwork.Clock
	}{
		{"real", clockwork.NewRealClock},
		{"fake", func() clockwork.Clock { return clockwork.NewFakeClockAt(now) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				d, err := reminders.New(reminders.Options{Store: s, Deliver: deliver, Clock: c.clock(), Location: cph})
				if err != nil {
					b.Fatal(err)
				}
				if err := d.Start(ctx); err != nil {
					b.Fatal(err)
				}
				if err := d.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
