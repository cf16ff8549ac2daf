package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// Deliver sends a due reminder. key is the delivery's idempotency key, to
// be passed on to the platform where it supports one; late marks a
// reminder that fell due while the bot was down. It reports sent=false with
// no error for a reminder that no longer applies (the evaluation is done,
// the draft is gone); the reminder is then closed without a message.
type Deliver func(ctx context.Context, r Reminder, key string, late bool) (sent bool, err error)

// DeliveryChecker, when the adapter can tell, says whether a delivery with
// this key reached the platform; a delivery interrupted by a crash is then
// recorded rather than sent again.
type DeliveryChecker func(ctx context.Context, key string) (bool, error)

// Options configure a Dispatcher.
type Options struct {
	Store    Store
	Deliver  Deliver
	Checker  DeliveryChecker
	Clock    clockwork.Clock
	Location *time.Location
	Hours    WorkingHours
	Drill    DrillDate
	Logger   *slog.Logger
	// MaxBackoff caps the wait between tries of a failing send.
	MaxBackoff time.Duration
}

// Dispatcher arms a gocron job for every armed reminder, delivers each at
// its time, exactly once, and re-arms from the store at start-up.
type Dispatcher struct {
	opt     Options
	log     *slog.Logger
	sched   gocron.Scheduler
	started time.Time
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu       sync.Mutex
	offered  map[string]string // user -> id of the follow-up offered to her
	inFlight map[string]bool   // reminders being delivered by this process; true: their job fired meanwhile

	// afterSend is a test hook: an error from it stops the delivery between
	// the send and its record, as a crash would.
	afterSend func(Reminder) error
}

// New makes a dispatcher; Start arms it.
func New(opt Options) (*Dispatcher, error) {
	if opt.Store == nil || opt.Deliver == nil {
		return nil, errors.New("new dispatcher: a store and a deliver function are required")
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Hours.Days == [7]bool{} {
		opt.Hours = DefaultWorkingHours()
	}
	if opt.Drill.Day == 0 {
		opt.Drill = DrillDate{Month: time.September, Day: 25}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.MaxBackoff == 0 {
		opt.MaxBackoff = time.Hour
	}
	s, err := gocron.NewScheduler(gocron.WithClock(opt.Clock), gocron.WithLocation(opt.Location))
	if err != nil {
		return nil, fmt.Errorf("new dispatcher: %w", err)
	}
	return &Dispatcher{opt: opt, log: opt.Logger, sched: s, offered: map[string]string{}, inFlight: map[string]bool{}}, nil
}

// Start re-arms every armed reminder from the store and starts the
// scheduler. Reminders that fell due while the bot was down fire at once
// (within working hours), marked late.
func (d *Dispatcher) Start(ctx context.Context) error {
	d.ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	d.started = d.opt.Clock.Now()
	n := 0
	for r, err := range d.opt.Store.Reminders(ctx) {
		if err != nil {
			return fmt.Errorf("start reminders: %w", err)
		}
		switch {
		case r.Armed():
			if err := d.schedule(r); err != nil {
				return fmt.Errorf("start reminders: %w", err)
			}
			n++
		case r.State == Offered:
			d.mu.Lock()
			d.offered[r.Owner] = r.ID
			d.mu.Unlock()
		}
	}
	d.sched.Start()
	d.log.Info("reminders armed", "count", n)
	return nil
}

// Close stops the scheduler and waits for deliveries in progress.
func (d *Dispatcher) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	err := d.sched.Shutdown()
	d.wg.Wait()
	if err != nil {
		return fmt.Errorf("stop reminders: %w", err)
	}
	return nil
}

// due is when the reminder is to be delivered: its time, or the retry
// time after a failed send, moved into working hours for direct messages.
// A direct message overdue at now waits for working hours from now on, not
// from when it fell due (which may have been within the hours of a day
// gone by).
func (d *Dispatcher) due(r Reminder, now time.Time) time.Time {
	at := r.Due
	if r.NextAttempt.After(at) {
		at = r.NextAttempt
	}
	if r.User != "" {
		at = d.opt.Hours.Next(later(at, now), d.opt.Location)
	}
	return at
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// arm (re)places the reminder's gocron job.
func (d *Dispatcher) arm(r Reminder) error {
	d.sched.RemoveByTags(r.ID)
	return d.schedule(r)
}

// schedule adds the reminder's gocron job, to run once. RemoveByTags looks
// at every job, so Start, whose scheduler is new, calls this directly:
// arming 10,000 reminders stays linear. A job that has run is dropped, so
// the scheduler does not keep one for every reminder ever delivered.
func (d *Dispatcher) schedule(r Reminder) error {
	now := d.opt.Clock.Now()
	at := d.due(r, now)
	start := gocron.OneTimeJobStartDateTime(at)
	if !at.After(now) {
		start = gocron.OneTimeJobStartImmediately()
	}
	id := r.ID
	task := gocron.NewTask(func() { d.fire(id) })
	_, err := d.sched.NewJob(gocron.OneTimeJob(start), task, gocron.WithTags(id), gocron.WithLimitedRuns(1))
	if errors.Is(err, gocron.ErrOneTimeJobStartDateTimePast) {
		// It fell due since we looked at the clock.
		_, err = d.sched.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()), task, gocron.WithTags(id), gocron.WithLimitedRuns(1))
	}
	if err != nil {
		return fmt.Errorf("arm reminder %s: %w", id, err)
	}
	return nil
}

// Add stores a new reminder and arms it; an Offered one is only stored.
func (d *Dispatcher) Add(ctx context.Context, r Reminder) (Reminder, error) {
	if r.State == "" {
		r.State = Pending
	}
	r.Created = d.opt.Clock.Now()
	r, err := d.opt.Store.AddReminder(ctx, r)
	if err != nil {
		return r, err
	}
	if r.State == Offered {
		d.mu.Lock()
		d.offered[r.Owner] = r.ID
		d.mu.Unlock()
		return r, nil
	}
	return r, d.arm(r)
}

// Ensure adds the reminders that are not stored yet (by Dedupe) and leaves
// the others alone: the drill of the coming year, the evaluation of an
// ended crisis.
func (d *Dispatcher) Ensure(ctx context.Context, rs ...Reminder) error {
	for _, r := range rs {
		if _, err := d.Add(ctx, r); err != nil && !errors.Is(err, ErrExists) {
			return err
		}
	}
	return nil
}

// Offer returns the follow-up offered to user at the end of a registration.
func (d *Dispatcher) Offer(ctx context.Context, user string) (Reminder, bool) {
	d.mu.Lock()
	id, ok := d.offered[user]
	d.mu.Unlock()
	if !ok {
		return Reminder{}, false
	}
	r, err := d.opt.Store.Reminder(ctx, id)
	if err != nil || r.State != Offered {
		d.forgetOffer(user)
		return Reminder{}, false
	}
	return r, true
}

func (d *Dispatcher) forgetOffer(user string) {
	d.mu.Lock()
	delete(d.offered, user)
	d.mu.Unlock()
}

// Schedule turns an offered or delivered reminder into a pending one due
// at t: accepting a follow-up, or snoozing.
func (d *Dispatcher) Schedule(ctx context.Context, id string, t time.Time) (Reminder, error) {
	r, err := d.opt.Store.UpdateReminder(ctx, id, func(r *Reminder) error {
		if r.State == Cancelled || r.State == Done {
			return fmt.Errorf("reminder %s is %s", r.ID, r.State)
		}
		r.State, r.Due, r.NextAttempt, r.Attempts, r.LastError = Pending, t, time.Time{}, 0, ""
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("schedule reminder %s: %w", id, err)
	}
	d.mu.Lock()
	if d.offered[r.Owner] == id { // accepted; a snooze leaves another offer open
		delete(d.offered, r.Owner)
	}
	d.mu.Unlock()
	return r, d.arm(r)
}

// Close a reminder for good: done (by its user) or cancelled.
func (d *Dispatcher) Finish(ctx context.Context, id string, state State) (Reminder, error) {
	r, err := d.opt.Store.UpdateReminder(ctx, id, func(r *Reminder) error {
		r.State = state
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("close reminder %s: %w", id, err)
	}
	d.sched.RemoveByTags(id)
	if r.Owner != "" {
		d.mu.Lock()
		if d.offered[r.Owner] == id {
			delete(d.offered, r.Owner)
		}
		d.mu.Unlock()
	}
	return r, nil
}

// fire delivers one reminder; gocron calls it at the reminder's time.
func (d *Dispatcher) fire(id string) {
	d.wg.Add(1)
	defer d.wg.Done()
	if err := d.Fire(d.ctx, id); err != nil && d.ctx.Err() == nil {
		d.log.Error("reminder delivery", "reminder", id, "err", err)
	}
}

// Fire delivers the reminder if it is due: claim it, send it, record the
// delivery. A failed send is retried with backoff, never dropped.
func (d *Dispatcher) Fire(ctx context.Context, id string) error {
	d.mu.Lock()
	if _, busy := d.inFlight[id]; busy {
		// Its "sending" state is ours, not a crash's. The job that
		// called us may be the one the delivery in progress armed (a
		// retry): mark it, so that one arms it again when it is done.
		d.inFlight[id] = true
		d.mu.Unlock()
		return nil
	}
	d.inFlight[id] = false
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		again := d.inFlight[id]
		delete(d.inFlight, id)
		d.mu.Unlock()
		if again {
			d.rearm(ctx, id)
		}
	}()
	now := d.opt.Clock.Now()
	r, err := d.opt.Store.Reminder(ctx, id)
	if err != nil {
		return fmt.Errorf("load reminder %s: %w", id, err)
	}
	if !r.Armed() {
		return nil
	}
	if at := d.due(r, now); at.After(now) {
		return d.arm(r) // moved meanwhile (snoozed, quiet hours)
	}
	recovering := r.State == Sending
	if !recovering {
		r, err = d.opt.Store.UpdateReminder(ctx, id, func(r *Reminder) error {
			if r.State != Pending {
				return errClaimed
			}
			r.State = Sending
			return nil
		})
		if errors.Is(err, errClaimed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim reminder %s: %w", id, err)
		}
	}
	key := r.Key()
	if recovering && d.opt.Checker != nil {
		arrived, err := d.opt.Checker(ctx, key)
		if err == nil && arrived {
			d.log.Info("reminder had arrived before a restart", "reminder", id, "key", key)
			return d.record(ctx, r, key, now)
		}
	}
	late := r.Due.Before(d.started)
	sent, err := d.opt.Deliver(ctx, r, key, late)
	if err != nil {
		return d.retry(ctx, r, err)
	}
	if !sent {
		_, err := d.Finish(ctx, id, Cancelled)
		return err
	}
	if d.afterSend != nil {
		if err := d.afterSend(r); err != nil {
			return err
		}
	}
	return d.record(ctx, r, key, now)
}

var errClaimed = errors.New("claimed already")

// rearm arms a pending reminder again whose job fired while it was being
// delivered.
func (d *Dispatcher) rearm(ctx context.Context, id string) {
	r, err := d.opt.Store.Reminder(ctx, id)
	if err == nil && r.State == Pending {
		err = d.arm(r)
	}
	if err != nil && ctx.Err() == nil {
		d.log.Error("reminder re-arm", "reminder", id, "err", err)
	}
}

// record stores the delivery and arms what follows from it.
func (d *Dispatcher) record(ctx context.Context, r Reminder, key string, now time.Time) error {
	next, err := d.opt.Store.RecordDelivery(ctx, r.ID, key, now, following(r, d.opt.Location, d.opt.Drill, now))
	if err != nil {
		return fmt.Errorf("record delivery %s: %w", key, err)
	}
	d.log.Info("reminder delivered", "reminder", r.ID, "kind", r.Kind, "key", key)
	for _, n := range next {
		if err := d.arm(n); err != nil {
			return err
		}
	}
	return nil
}

// retry puts a failed delivery back to pending with a backoff: 1 minute,
// doubling, at most MaxBackoff.
func (d *Dispatcher) retry(ctx context.Context, r Reminder, sendErr error) error {
	wait := time.Minute << min(r.Attempts, 20)
	if wait > d.opt.MaxBackoff || wait <= 0 {
		wait = d.opt.MaxBackoff
	}
	next := d.opt.Clock.Now().Add(wait)
	updated, err := d.opt.Store.UpdateReminder(ctx, r.ID, func(x *Reminder) error {
		x.State, x.Attempts, x.NextAttempt, x.LastError = Pending, x.Attempts+1, next, sendErr.Error()
		return nil
	})
	if err != nil {
		return errors.Join(sendErr, fmt.Errorf("retry reminder %s: %w", r.ID, err))
	}
	d.log.Warn("reminder send failed; will retry", "reminder", r.ID, "attempt", updated.Attempts, "at", next, "err", sendErr)
	return d.arm(updated)
}

// Pending lists the armed reminders, for operators and /reminders.
func (d *Dispatcher) Pending(ctx context.Context) ([]Reminder, error) {
	return PendingIn(ctx, d.opt.Store)
}

// PendingIn lists the armed reminders of a store in due order.
func PendingIn(ctx context.Context, s Store) ([]Reminder, error) {
	var out []Reminder
	for r, err := range s.Reminders(ctx) {
		if err != nil {
			return nil, err
		}
		if r.Armed() {
			out = append(out, r)
		}
	}
	sortByDue(out)
	return out, nil
}

// NextRun is when the reminder's job will run, as armed in gocron (zero
// when it is not armed).
func (d *Dispatcher) NextRun(id string) (time.Time, error) {
	for _, j := range d.sched.Jobs() {
		for _, tag := range j.Tags() {
			if tag == id {
				at, err := j.NextRun()
				if errors.Is(err, gocron.ErrJobNotFound) {
					return time.Time{}, nil // it ran and was dropped meanwhile
				}
				return at, err
			}
		}
	}
	return time.Time{}, nil
}

// Reminder returns one stored reminder.
func (d *Dispatcher) Reminder(ctx context.Context, id string) (Reminder, error) {
	return d.opt.Store.Reminder(ctx, id)
}

// Every runs fn at the interval on the dispatcher's scheduler (sweeps such
// as the nudge of untouched drafts); errors are logged.
func (d *Dispatcher) Every(interval time.Duration, name string, fn func(context.Context) error) error {
	_, err := d.sched.NewJob(gocron.DurationJob(interval), gocron.NewTask(func() {
		if d.ctx == nil {
			return
		}
		if err := fn(d.ctx); err != nil && d.ctx.Err() == nil {
			d.log.Error("periodic job", "job", name, "err", err)
		}
	}), gocron.WithName(name), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("schedule %s: %w", name, err)
	}
	return nil
}
