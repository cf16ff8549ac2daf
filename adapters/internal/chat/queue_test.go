package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"beredskab/adapters/internal/chattest"
)

func TestSeenForgetsTheOldestFirst(t *testing.T) {
	s := NewSeen(2)
	for _, c := range []struct {
		id    string
		first bool
	}{{"a", true}, {"a", false}, {"b", true}, {"c", true}, {"b", false}, {"a", true}, {"", true}, {"", true}} {
		if got := s.First(c.id); got != c.first {
			t.Errorf("First(%q) = %v, want %v", c.id, got, c.first)
		}
	}
}

func TestInboxKeepsEachUsersOrder(t *testing.T) {
	in := NewInbox(t.Context(), 2, time.Minute)
	var mu sync.Mutex
	got := map[string][]int{}
	for i := range 50 {
		for _, u := range []string{"u1", "u2", "u3"} {
			in.Push(u, func(context.Context) {
				mu.Lock()
				got[u] = append(got[u], i)
				mu.Unlock()
			})
		}
	}
	in.Wait()
	for u, seq := range got {
		for i, v := range seq {
			if v != i {
				t.Fatalf("%s's work ran out of order: %v", u, seq)
			}
		}
	}
	if len(got) != 3 {
		t.Fatalf("users worked on: %d, want 3", len(got))
	}
}

var errLimited = errors.New("429")

func TestOutboxRetries(t *testing.T) {
	retry := func(err error) (time.Duration, bool) {
		if errors.Is(err, errLimited) {
			return 7 * time.Second, true
		}
		return 0, NetworkFailure(err)
	}
	refused := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	for _, c := range []struct {
		name     string
		failures []error
		wantErr  bool
		waited   time.Duration
		calls    int
	}{
		{"ok at once", nil, false, 0, 1},
		{"429 waits what it was told", []error{errLimited}, false, 7 * time.Second, 2},
		{"network failures back off, doubling", []error{refused, refused, refused}, false, (1 + 2 + 4) * time.Second, 4},
		{"a refusal is final", []error{errors.New("403 forbidden")}, true, 0, 1},
		{"gives up after MaxTries", []error{refused, refused, refused, refused, refused}, true, (1 + 2 + 4 + 4) * time.Second, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := chattest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
			start := clock.Now()
			o := &Outbox{Clock: clock, MaxTries: 5, FirstBackoff: time.Second, MaxBackoff: 4 * time.Second,
				Retry: retry, Log: slog.New(slog.DiscardHandler)}
			calls := 0
			err := o.Do(t.Context(), "C1", "post", func(context.Context) error {
				calls++
				if calls <= len(c.failures) {
					return fmt.Errorf("post: %w", c.failures[calls-1])
				}
				return nil
			})
			if (err != nil) != c.wantErr || calls != c.calls || clock.Now().Sub(start) != c.waited {
				t.Errorf("err %v, calls %d, waited %v; want err %v, calls %d, waited %v", err, calls, clock.Now().Sub(start), c.wantErr, c.calls, c.waited)
			}
		})
	}
}

func TestOutboxPacesALane(t *testing.T) {
	clock := chattest.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	start := clock.Now()
	o := &Outbox{Clock: clock, Every: time.Second, Burst: 3, MaxTries: 1, Retry: func(error) (time.Duration, bool) { return 0, false },
		Log: slog.New(slog.DiscardHandler)}
	for range 5 {
		if err := o.Do(t.Context(), "C1", "post", func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	// Three go at once (the burst), then one a second.
	if got := clock.Now().Sub(start); got != 2*time.Second {
		t.Errorf("five posts took %v, want 2s", got)
	}
}
