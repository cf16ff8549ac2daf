// Package upkeep holds the daily jobs that look after the records
// themselves: retention (person data deleted after a configured age, the
// monthly figures kept) and the scheduled encrypted backup. Each job is a
// plain step that tests call directly; Daily turns a step into a job the
// reminder dispatcher can run every hour and that does its work once a day.
package upkeep

import (
	"context"
	"errors"
	"fmt"
	"time"

	"beredskab/bot"
)

// Clock tells the time; tests pass a fake one.
type Clock interface {
	Now() time.Time
}

// Settings remembers the day a job last ran, so a restart does not run it
// twice and a bot restarted every few hours still runs it daily.
type Settings interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Daily wraps step so that, called often (the dispatcher runs it hourly),
// it runs at most once per calendar day in loc: the day of the last success
// is kept under "upkeep/<name>". A failed step runs again at the next call.
func Daily(name string, settings Settings, clock Clock, loc *time.Location, step func(context.Context) error) func(context.Context) error {
	key := "upkeep/" + name
	return func(ctx context.Context) error {
		today := clock.Now().In(loc).Format(time.DateOnly)
		last, err := settings.Setting(ctx, key)
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			return fmt.Errorf("%s: %w", name, err)
		}
		if last == today {
			return nil
		}
		if err := step(ctx); err != nil {
			return err
		}
		return settings.SetSetting(ctx, key, today)
	}
}

// system is who the audit log names for scheduled work.
const system = "system"
