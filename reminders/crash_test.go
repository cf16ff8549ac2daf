package reminders

// An internal test: it sets the unexported afterSend hook. The storage
// package imports this one, so the test brings its own Store.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/jonboulle/clockwork"
)

const patience = 30 * time.Second

// memStore is a map-based Store with the semantics of storage.Store: one
// lock stands for one transaction.
type memStore struct {
	mu         sync.Mutex
	seq        int
	rems       map[string]Reminder
	dedupe     map[string]string
	deliveries map[string]time.Time
	recorded   chan string // the key of every RecordDelivery call that stored a delivery
}

func newMemStore() *memStore {
	return &memStore{rems: map[string]Reminder{}, dedupe: map[string]string{}, deliveries: map[string]time.Time{},
		recorded: make(chan string, 100)}
}

func (s *memStore) add(r Reminder) (Reminder, error) {
	if r.Dedupe != "" {
		if id, ok := s.dedupe[r.Dedupe]; ok {
			return s.rems[id], ErrExists
		}
	}
	s.seq++
	r.ID = strconv.Itoa(s.seq)
	if r.Schema == 0 {
		r.Schema = 1
	}
	s.rems[r.ID] = r
	if r.Dedupe != "" {
		s.dedupe[r.Dedupe] = r.ID
	}
	return r, nil
}

func (s *memStore) AddReminder(_ context.Context, r Reminder) (Reminder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.add(r)
	if err != nil {
		return out, fmt.Errorf("add reminder %s: %w", r.Dedupe, err)
	}
	return out, nil
}

func (s *memStore) Reminder(_ context.Context, id string) (Reminder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rems[id]
	if !ok {
		return r, fmt.Errorf("load reminder %s: %w", id, ErrNotFound)
	}
	return r, nil
}

func (s *memStore) Reminders(_ context.Context) iter.Seq2[Reminder, error] {
	s.mu.Lock()
	rs := slices.SortedFunc(maps.Values(s.rems), func(a, b Reminder) int { return cmp.Compare(a.ID, b.ID) })
	s.mu.Unlock()
	return func(yield func(Reminder, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (s *memStore) UpdateReminder(_ context.Context, id string, change func(*Reminder) error) (Reminder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rems[id]
	if !ok {
		return Reminder{}, fmt.Errorf("update reminder %s: %w", id, ErrNotFound)
	}
	if err := change(&r); err != nil {
		return Reminder{}, fmt.Errorf("update reminder %s: %w", id, err)
	}
	s.rems[id] = r
	return r, nil
}

func (s *memStore) RecordDelivery(_ context.Context, id, key string, at time.Time, next []Reminder) ([]Reminder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.deliveries[key]; ok {
		return nil, nil
	}
	r, ok := s.rems[id]
	if !ok {
		return nil, fmt.Errorf("record delivery %s: %w", key, ErrNotFound)
	}
	if r.State != Sending || r.Key() != key {
		return nil, nil
	}
	r.State, r.DeliveredAt, r.Deliveries = Delivered, at, r.Deliveries+1
	r.Attempts, r.NextAttempt, r.LastError = 0, time.Time{}, ""
	s.rems[id] = r
	s.deliveries[key] = at
	var added []Reminder
	for _, n := range next {
		n.State, n.Created = Pending, at
		stored, err := s.add(n)
		if errors.Is(err, ErrExists) {
			continue
		}
		added = append(added, stored)
	}
	s.recorded <- key
	return added, nil
}

// platform is a fake chat platform that dedupes messages by idempotency
// key, as some platforms do.
type platform struct {
	mu    sync.Mutex
	sends []string        // every key sent, in order
	shown map[string]bool // the messages shown, by key
	sent  chan string
}

func newPlatform() *platform {
	return &platform{shown: map[string]bool{}, sent: make(chan string, 100)}
}

func (p *platform) deliver(_ context.Context, _ Reminder, key string, _ bool) (bool, error) {
	p.mu.Lock()
	p.sends = append(p.sends, key)
	p.shown[key] = true
	p.mu.Unlock()
	p.sent <- key
	return true, nil
}

func (p *platform) arrived(_ context.Context, key string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.shown[key], nil
}

func (p *platform) record() (sends []string, shown int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sends), len(p.shown)
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(patience):
		t.Fatalf("waiting for %s", what)
		var zero T
		return zero
	}
}

var errCrash = errors.New("the process died here")

// TestCrashBetweenSendAndRecord stops a delivery after the send and before
// its record, as a crash would, and restarts over the same store: the
// reminder is not sent twice when the adapter can tell it arrived, and is
// sent again with the same key (shown once by a platform that dedupes)
// when it cannot.
func TestCrashBetweenSendAndRecord(t *testing.T) {
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		checker   bool
		wantSends int
	}{
		{name: "the adapter can tell it arrived", checker: true, wantSends: 1},
		{name: "the adapter cannot tell", checker: false, wantSends: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := newMemStore()
			plat := newPlatform()
			now := time.Date(2027, time.March, 26, 10, 0, 0, 0, cph)
			due := now.Add(time.Hour)

			// The first process: sends, then dies before the record.
			clock := clockwork.NewFakeClockAt(now)
			d, err := New(Options{Store: store, Deliver: plat.deliver, Clock: clock, Location: cph})
			if err != nil {
				t.Fatal(err)
			}
			crashed := make(chan Reminder, 1)
			d.afterSend = func(r Reminder) error {
				crashed <- r
				return errCrash
			}
			if err := d.Start(ctx); err != nil {
				t.Fatal(err)
			}
			r, err := d.Add(ctx, Reminder{Kind: Own, Due: due, User: "ane", Owner: "ane", Text: "ring"})
			if err != nil {
				t.Fatal(err)
			}
			key := r.ID + "#1"
			clock.Advance(due.Sub(now))
			if got := receive(t, plat.sent, "the first send"); got != key {
				t.Fatalf("sent key %s, want %s", got, key)
			}
			receive(t, crashed, "the crash")
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			stuck, err := store.Reminder(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stuck.State != Sending || stuck.Deliveries != 0 {
				t.Fatalf("after the crash: %+v, want it still sending", stuck)
			}

			// The restart, a little later.
			restart := due.Add(5 * time.Minute)
			opt := Options{Store: store, Deliver: plat.deliver, Clock: clockwork.NewFakeClockAt(restart), Location: cph}
			if tt.checker {
				opt.Checker = plat.arrived
			}
			d2, err := New(opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := d2.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if got := receive(t, store.recorded, "the record"); got != key {
				t.Fatalf("recorded key %s, want %s", got, key)
			}
			if err := d2.Close(); err != nil {
				t.Fatal(err)
			}

			sends, shown := plat.record()
			if len(sends) != tt.wantSends {
				t.Errorf("the platform got %d sends %v, want %d", len(sends), sends, tt.wantSends)
			}
			for _, k := range sends {
				if k != key {
					t.Errorf("a send carried key %s, want %s", k, key)
				}
			}
			if shown != 1 {
				t.Errorf("the platform shows %d messages, want 1", shown)
			}
			got, err := store.Reminder(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != Delivered || got.Deliveries != 1 || !got.DeliveredAt.Equal(restart) {
				t.Errorf("after the restart: %+v, want delivered once at %v", got, restart)
			}

			// And a third start sends nothing.
			d3, err := New(Options{Store: store, Deliver: plat.deliver, Checker: opt.Checker, Clock: clockwork.NewFakeClockAt(restart), Location: cph})
			if err != nil {
				t.Fatal(err)
			}
			if err := d3.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if at, err := d3.NextRun(r.ID); err != nil || !at.IsZero() {
				t.Errorf("armed again: %v, %v", at, err)
			}
			if err := d3.Close(); err != nil {
				t.Fatal(err)
			}
			if sends, _ := plat.record(); len(sends) != tt.wantSends {
				t.Errorf("sends after a third start: %v", sends)
			}
		})
	}
}

// TestMemStoreRecordDelivery checks the fake against the Store contract
// the crash test relies on.
func TestMemStoreRecordDelivery(t *testing.T) {
	ctx := context.Background()
	s := newMemStore()
	r, _ := s.AddReminder(ctx, Reminder{Kind: Drill, State: Pending, Year: 2027, Dedupe: "drill/2027"})
	next := []Reminder{{Kind: Drill, Year: 2028, Dedupe: "drill/2028"}}
	if added, err := s.RecordDelivery(ctx, r.ID, r.Key(), time.Now(), next); err != nil || len(added) != 0 {
		t.Fatalf("record of a pending reminder = %v, %v; want nothing", added, err)
	}
	if _, err := s.UpdateReminder(ctx, r.ID, func(r *Reminder) error { r.State = Sending; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		added, err := s.RecordDelivery(ctx, r.ID, r.Key(), time.Now(), next)
		if err != nil || len(added) != want {
			t.Fatalf("record %d = %v, %v; want %d added", i+1, added, err, want)
		}
	}
	if _, err := s.AddReminder(ctx, next[0]); !errors.Is(err, ErrExists) {
		t.Errorf("next year's drill added twice: %v", err)
	}
}
