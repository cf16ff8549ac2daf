package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
)

// Clock is the time the outgoing queue paces and waits by. The real one is
// clockwork's; tests pass one that jumps ahead instead of sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// outbox is the queue every Web API call that posts goes through: one lane
// per channel, one call at a time in a lane, paced to Slack's one message a
// second per channel (with a short burst, as Slack allows), and retried
// after a 429 (waiting Retry-After) or a network or server failure (with
// backoff). A call returns only when Slack took it or failed for good.
type outbox struct {
	clock Clock
	// every is the pace a channel sustains; burst how many may go at once.
	every time.Duration
	burst int
	// maxTries bounds the tries of one call; firstBackoff doubles per
	// failure up to maxBackoff.
	maxTries     int
	firstBackoff time.Duration
	maxBackoff   time.Duration
	log          *slog.Logger

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

func (o *outbox) lane(channel string) *lane {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.lanes[channel]
	if !ok {
		l = &lane{turn: make(chan struct{}, 1)}
		o.lanes[channel] = l
	}
	return l
}

// do runs call in channel's lane; what names the call for errors and logs.
func (o *outbox) do(ctx context.Context, channel, what string, call func(context.Context) error) error {
	l := o.lane(channel)
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s in %s: wait for the channel's turn: %w", what, channel, ctx.Err())
	}
	defer func() { <-l.turn }()
	backoff := o.firstBackoff
	for try := 1; ; try++ {
		if err := o.pace(ctx, l); err != nil {
			return fmt.Errorf("%s in %s: wait for the channel's pace: %w", what, channel, err)
		}
		err := call(ctx)
		if err == nil {
			return nil
		}
		var wait time.Duration
		var limited *slackapi.RateLimitedError
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("%s in %s: %w", what, channel, err)
		case errors.As(err, &limited):
			wait = max(limited.RetryAfter, time.Second)
		case retryable(err):
			wait = backoff
			backoff = min(2*backoff, o.maxBackoff)
		default:
			return fmt.Errorf("%s in %s: %w", what, channel, err)
		}
		if try >= o.maxTries {
			return fmt.Errorf("%s in %s: gave up after %d tries: %w", what, channel, try, err)
		}
		o.log.Warn("slack call failed; retrying", "call", what, "channel", channel, "try", try, "wait", wait, "err", err)
		if err := o.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s in %s: wait to retry: %w", what, channel, err)
		}
	}
}

// pace waits until the lane may send again and books the send.
func (o *outbox) pace(ctx context.Context, l *lane) error {
	now := o.clock.Now()
	if allowed := l.tat.Add(-time.Duration(o.burst-1) * o.every); now.Before(allowed) {
		if err := o.sleep(ctx, allowed.Sub(now)); err != nil {
			return err
		}
		now = o.clock.Now()
	}
	if l.tat.Before(now) {
		l.tat = now
	}
	l.tat = l.tat.Add(o.every)
	return nil
}

func (o *outbox) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-o.clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports whether a failed call may succeed if tried again: a
// network failure, a 5xx, or a Slack error that says it was Slack's fault.
func retryable(err error) bool {
	var r interface{ Retryable() bool }
	if errors.As(err, &r) && r.Retryable() {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true
		}
	}
	return false
}
