package reminders_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"beredskab/reminders"
	"beredskab/storage"
)

// patience bounds every wait, so that a broken dispatcher fails the test
// instead of hanging it. Nothing is asserted about how long things take.
const patience = 30 * time.Second

// delivery is one call of the fake Deliver.
type delivery struct {
	ID   string
	Key  string
	Late bool
	Kind reminders.Kind
	At   time.Time // the fake clock when Deliver was called
}

// adapter is a fake chat adapter: it records every Deliver call on a
// channel and can be told to fail or to report a reminder as no longer
// applying.
type adapter struct {
	clock clockwork.Clock
	calls chan delivery

	mu     sync.Mutex
	fail   map[string]int  // reminder id -> how many more sends fail
	unsent map[string]bool // reminder id -> sent=false
}

func newAdapter(clock clockwork.Clock) *adapter {
	return &adapter{clock: clock, calls: make(chan delivery, 1000), fail: map[string]int{}, unsent: map[string]bool{}}
}

var errPlatform = errors.New("platform unavailable")

func (a *adapter) deliver(_ context.Context, r reminders.Reminder, key string, late bool) (bool, error) {
	a.calls <- delivery{ID: r.ID, Key: key, Late: late, Kind: r.Kind, At: a.clock.Now()}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail[r.ID] > 0 {
		a.fail[r.ID]--
		return false, errPlatform
	}
	return !a.unsent[r.ID], nil
}

func (a *adapter) failNext(id string, n int) {
	a.mu.Lock()
	a.fail[id] = n
	a.mu.Unlock()
}

func (a *adapter) markUnsent(id string) {
	a.mu.Lock()
	a.unsent[id] = true
	a.mu.Unlock()
}

// next waits for the next Deliver call.
func (a *adapter) next(t testing.TB) delivery {
	t.Helper()
	select {
	case d := <-a.calls:
		return d
	case <-time.After(patience):
		t.Fatal("no delivery arrived")
		return delivery{}
	}
}

// none checks that no Deliver call is waiting to be read. Call it after
// Close, which waits for the deliveries in progress.
func (a *adapter) none(t testing.TB) {
	t.Helper()
	select {
	case d := <-a.calls:
		t.Fatalf("unexpected delivery %+v", d)
	default:
	}
}

// watched wraps a Store and announces every change, so a test can wait for
// a reminder to reach a state without sleeping.
type watched struct {
	reminders.Store
	mu      sync.Mutex
	changed chan struct{}
}

func watch(s reminders.Store) *watched { return &watched{Store: s, changed: make(chan struct{})} }

func (w *watched) signal() {
	w.mu.Lock()
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}

func (w *watched) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

func (w *watched) AddReminder(ctx context.Context, r reminders.Reminder) (reminders.Reminder, error) {
	defer w.signal()
	return w.Store.AddReminder(ctx, r)
}

func (w *watched) UpdateReminder(ctx context.Context, id string, change func(*reminders.Reminder) error) (reminders.Reminder, error) {
	defer w.signal()
	return w.Store.UpdateReminder(ctx, id, change)
}

func (w *watched) RecordDelivery(ctx context.Context, id, key string, at time.Time, next []reminders.Reminder) ([]reminders.Reminder, error) {
	defer w.signal()
	return w.Store.RecordDelivery(ctx, id, key, at, next)
}

// until waits for the stored reminder id to satisfy ok and returns it.
func (w *watched) until(t testing.TB, id string, what string, ok func(reminders.Reminder) bool) reminders.Reminder {
	t.Helper()
	deadline := time.After(patience)
	for {
		changed := w.wait()
		r, err := w.Reminder(context.Background(), id)
		if err != nil {
			t.Fatalf("load reminder %s: %v", id, err)
		}
		if ok(r) {
			return r
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("reminder %s never became %s; last %+v", id, what, r)
		}
	}
}

func (w *watched) delivered(t testing.TB, id string, n int) reminders.Reminder {
	t.Helper()
	return w.until(t, id, fmt.Sprintf("delivered %d times", n), func(r reminders.Reminder) bool {
		return r.State == reminders.Delivered && r.Deliveries == n
	})
}

func openStore(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// env is a started dispatcher over an in-memory store with a fake clock.
type env struct {
	loc     *time.Location
	clock   *clockwork.FakeClock
	store   *watched
	adapter *adapter
	d       *reminders.Dispatcher
	closed  bool
}

type envOption func(*reminders.Options)

// start makes and starts a dispatcher at now over store (a fresh in-memory
// store when nil).
func start(t testing.TB, now time.Time, store reminders.Store, opts ...envOption) *env {
	t.Helper()
	if store == nil {
		store = openStore(t)
	}
	e := &env{loc: now.Location(), clock: clockwork.NewFakeClockAt(now), store: watch(store)}
	e.adapter = newAdapter(e.clock)
	o := reminders.Options{Store: e.store, Deliver: e.adapter.deliver, Clock: e.clock, Location: e.loc}
	for _, f := range opts {
		f(&o)
	}
	d, err := reminders.New(o)
	if err != nil {
		t.Fatalf("new dispatcher: %v", err)
	}
	e.d = d
	if err := d.Start(context.Background()); err != nil {
		t.Fatalf("start dispatcher: %v", err)
	}
	t.Cleanup(func() { e.close(t) })
	return e
}

// close stops the dispatcher, waiting for the deliveries in progress.
func (e *env) close(t testing.TB) {
	t.Helper()
	if e.closed {
		return
	}
	e.closed = true
	if err := e.d.Close(); err != nil {
		t.Errorf("close dispatcher: %v", err)
	}
}

func (e *env) add(t testing.TB, r reminders.Reminder) reminders.Reminder {
	t.Helper()
	r, err := e.d.Add(context.Background(), r)
	if err != nil {
		t.Fatalf("add reminder: %v", err)
	}
	return r
}

// nextRun is when the reminder's job runs, as armed in gocron.
func (e *env) nextRun(t testing.TB, id string) time.Time {
	t.Helper()
	at, err := e.d.NextRun(id)
	if err != nil {
		t.Fatalf("next run of %s: %v", id, err)
	}
	return at
}

// armedAt checks that the reminder's job is armed for exactly want.
func (e *env) armedAt(t testing.TB, id string, want time.Time) {
	t.Helper()
	if got := e.nextRun(t, id); !got.Equal(want) {
		t.Fatalf("reminder %s armed for %v, want %v", id, got.In(e.loc), want.In(e.loc))
	}
}

// advanceTo moves the fake clock to t, firing every timer due by then.
func (e *env) advanceTo(t testing.TB, to time.Time) {
	t.Helper()
	d := to.Sub(e.clock.Now())
	if d < 0 {
		t.Fatalf("cannot go back from %v to %v", e.clock.Now(), to)
	}
	e.clock.Advance(d)
}

// armed waits until n timers are armed on the fake clock (the dispatcher
// arms one per reminder waiting for a future time).
func (e *env) armed(t testing.TB, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := e.clock.BlockUntilContext(ctx, n); err != nil {
		t.Fatalf("waiting for %d armed timers: %v", n, err)
	}
}

// fire advances the clock to the reminder's armed time and waits for its
// delivery, which it checks.
func (e *env) fire(t testing.TB, id string, want time.Time, key string, late bool) delivery {
	t.Helper()
	e.armedAt(t, id, want)
	e.advanceTo(t, want)
	got := e.adapter.next(t)
	if got.ID != id || got.Key != key || got.Late != late {
		t.Fatalf("delivery %+v, want reminder %s with key %s, late %v", got, id, key, late)
	}
	if !got.At.Equal(want) {
		t.Fatalf("delivered at %v, want %v", got.At.In(e.loc), want.In(e.loc))
	}
	return got
}

// find returns the stored reminder satisfying ok.
func (e *env) find(t testing.TB, what string, ok func(reminders.Reminder) bool) reminders.Reminder {
	t.Helper()
	var found []reminders.Reminder
	for r, err := range e.store.Reminders(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if ok(r) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d stored reminders are %s, want 1: %+v", len(found), what, found)
	}
	return found[0]
}
