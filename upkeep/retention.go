package upkeep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"beredskab/bot"
	"beredskab/storage"
)

// RetentionStore is what retention needs of the store.
type RetentionStore interface {
	PersonDataBefore(ctx context.Context, before string) ([]storage.RetentionMonth, error)
	DeletePersonData(ctx context.Context, before string) ([]storage.RetentionMonth, error)
}

// Retention deletes person data older than Years, keeping the monthly
// figures (storage.DeletePersonData). Whole months go at once, so a visit's
// person data is kept at least Years and at most Years and a month.
type Retention struct {
	Store RetentionStore
	// Audit records every run that deleted something; nil turns it off.
	Audit    bot.AuditLog
	Clock    Clock
	Location *time.Location
	// Years is the age in years after which person data goes; at least 1.
	Years int
	// Who and Platform name the run in the audit log: "system" (the
	// default) and "scheduler", or "operator" and "cli".
	Who, Platform string
	Logger        *slog.Logger
}

// Before is the first month whose person data is kept: the visits of the
// months before it are older than r.Years at now.
func (r Retention) Before(now time.Time) string {
	return now.In(r.Location).AddDate(-r.Years, 0, 0).Format("2006-01")
}

func (r Retention) check() error {
	if r.Years < 1 {
		return errors.New("retention: person_data_years must be at least 1")
	}
	if r.Store == nil || r.Clock == nil || r.Location == nil {
		return errors.New("retention: a store, a clock and a location are required")
	}
	return nil
}

// Plan is the dry run: the visits whose person data Run would delete now.
func (r Retention) Plan(ctx context.Context) (before string, months []storage.RetentionMonth, err error) {
	if err := r.check(); err != nil {
		return "", nil, err
	}
	before = r.Before(r.Clock.Now())
	months, err = r.Store.PersonDataBefore(ctx, before)
	if err != nil {
		return before, nil, fmt.Errorf("retention plan: %w", err)
	}
	return before, months, nil
}

// Run deletes the person data of the visits older than r.Years, audits it
// (visit counts and months, never content) and logs the visit ids.
func (r Retention) Run(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	before := r.Before(r.Clock.Now())
	done, err := r.Store.DeletePersonData(ctx, before)
	// What was done is recorded even when a later month failed.
	n, reasons := 0, 0
	for _, m := range done {
		n += len(m.Visits)
		reasons += len(m.Deleted)
		if r.Logger != nil {
			r.Logger.Info("retention: person data deleted", "month", m.Month, "visits", m.Visits, "deletion_reasons", m.Deleted)
		}
	}
	if n+reasons > 0 && r.Audit != nil {
		detail := fmt.Sprintf("person data of %d visits in %d months before %s deleted; monthly figures kept", n, len(done), before)
		if reasons > 0 {
			detail += fmt.Sprintf("; reasons of %d deleted visits emptied", reasons)
		}
		who := r.Who
		if who == "" {
			who = system
		}
		if aerr := r.Audit.Append(ctx, bot.AuditEntry{At: r.Clock.Now(), Who: who, Platform: r.Platform,
			Action: "retention", Object: done[0].Month + ".." + done[len(done)-1].Month, Detail: detail}); aerr != nil {
			err = errors.Join(err, fmt.Errorf("audit retention: %w", aerr))
		}
	}
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	return nil
}
