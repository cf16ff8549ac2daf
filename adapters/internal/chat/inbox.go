package chat

import (
	"context"
	"sync"
	"time"
)

// Inbox runs the work of acknowledged deliveries: one user's in the order
// they came (her answers must not overtake each other), different users'
// side by side. It lives as long as one run of an adapter.
type Inbox struct {
	base    context.Context // the run's context, without its cancellation: work in progress finishes
	timeout time.Duration

	// busy bounds how many users' work runs at once, so that a burst of
	// work leaves the processor to the acknowledgements.
	busy chan struct{}

	mu     sync.Mutex
	queues map[string][]func(context.Context)
	wg     sync.WaitGroup
}

// NewInbox makes an inbox whose work runs in ctx's values (not its
// cancellation), at most workers users at once, each piece of work bounded
// by timeout.
func NewInbox(ctx context.Context, workers int, timeout time.Duration) *Inbox {
	return &Inbox{base: context.WithoutCancel(ctx), timeout: timeout, busy: make(chan struct{}, max(workers, 1)),
		queues: map[string][]func(context.Context){}}
}

// Push queues work for user and returns at once: the caller acknowledges.
func (in *Inbox) Push(user string, work func(context.Context)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	q, running := in.queues[user]
	in.queues[user] = append(q, work)
	if !running {
		in.wg.Add(1)
		go in.drain(user)
	}
}

func (in *Inbox) drain(user string) {
	defer in.wg.Done()
	for {
		in.mu.Lock()
		q := in.queues[user]
		if len(q) == 0 {
			delete(in.queues, user)
			in.mu.Unlock()
			return
		}
		work := q[0]
		in.queues[user] = q[1:]
		in.mu.Unlock()
		in.busy <- struct{}{}
		ctx, cancel := context.WithTimeout(in.base, in.timeout)
		work(ctx)
		cancel()
		<-in.busy
	}
}

// Wait waits for all queued work.
func (in *Inbox) Wait() { in.wg.Wait() }
