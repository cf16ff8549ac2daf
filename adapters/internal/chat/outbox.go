package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Clock is the time the outbox paces and waits by. The real one is
// clockwork's; tests pass one that jumps ahead instead of sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Retry tells the outbox whether a failed call may succeed if tried again,
// and after how long: wait 0 means "after the next backoff step" (a network
// failure, a server error), a positive wait is what the platform asked for
// (a 429's Retry-After).
type Retry func(err error) (wait time.Duration, again bool)

// Outbox is the queue every API call that posts goes through: one lane per
// channel, one call at a time in a lane, paced to a platform's messages per
// channel (with a short burst), and retried when Retry says so, with
// backoff. A call returns only when the platform took it or failed for good.
type Outbox struct {
	Clock Clock
	// Every is the pace a lane sustains; Burst how many may go at once.
	Every time.Duration
	Burst int
	// MaxTries bounds the tries of one call; FirstBackoff doubles per
	// failure up to MaxBackoff.
	MaxTries     int
	FirstBackoff time.Duration
	MaxBackoff   time.Duration
	Retry        Retry
	Log          *slog.Logger

	mu sync.Mutex
	// lanes has one entry per channel the bot has written to: bounded by
	// the team's conversations with the bot, not by traffic.
	lanes map[string]*lane
}

type lane struct {
	// turn is held (a value in it) by the call in progress; waiting on it
	// respects the caller's context, unlike a mutex.
	turn chan struct{}
	// tat is the theoretical arrival time of the generic cell rate
	// algorithm: a call may go when now >= tat - (burst-1)*every.
	tat time.Time
}

func (o *Outbox) lane(name string) *lane {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lanes == nil {
		o.lanes = map[string]*lane{}
	}
	l, ok := o.lanes[name]
	if !ok {
		l = &lane{turn: make(chan struct{}, 1)}
		o.lanes[name] = l
	}
	return l
}

// Do runs call in the lane named channel; what names the call for errors
// and logs.
func (o *Outbox) Do(ctx context.Context, channel, what string, call func(context.Context) error) error {
	l := o.lane(channel)
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s in %s: wait for the channel's turn: %w", what, channel, ctx.Err())
	}
	defer func() { <-l.turn }()
	backoff := o.FirstBackoff
	for try := 1; ; try++ {
		if err := o.pace(ctx, l); err != nil {
			return fmt.Errorf("%s in %s: wait for the channel's pace: %w", what, channel, err)
		}
		err := call(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s in %s: %w", what, channel, err)
		}
		wait, again := o.Retry(err)
		if !again {
			return fmt.Errorf("%s in %s: %w", what, channel, err)
		}
		if wait <= 0 {
			wait = backoff
			backoff = min(2*backoff, o.MaxBackoff)
		}
		if try >= o.MaxTries {
			return fmt.Errorf("%s in %s: gave up after %d tries: %w", what, channel, try, err)
		}
		o.Log.Warn("platform call failed; retrying", "call", what, "channel", channel, "try", try, "wait", wait, "err", err)
		if err := o.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s in %s: wait to retry: %w", what, channel, err)
		}
	}
}

// pace waits until the lane may send again and books the send.
func (o *Outbox) pace(ctx context.Context, l *lane) error {
	if o.Every <= 0 {
		return nil
	}
	now := o.Clock.Now()
	if allowed := l.tat.Add(-time.Duration(max(o.Burst, 1)-1) * o.Every); now.Before(allowed) {
		if err := o.sleep(ctx, allowed.Sub(now)); err != nil {
			return err
		}
		now = o.Clock.Now()
	}
	if l.tat.Before(now) {
		l.tat = now
	}
	l.tat = l.tat.Add(o.Every)
	return nil
}

func (o *Outbox) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-o.Clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NetworkFailure reports whether err is a failure of the connection rather
// than an answer: worth another try on every platform.
func NetworkFailure(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
