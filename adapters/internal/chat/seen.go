package chat

import "sync"

// Seen remembers the last ids it was shown, so that a delivery a platform
// retries (an event, a slash command, a button press) is acted on once. It
// holds at most size ids: the oldest is forgotten first, long after the
// platform has stopped retrying it.
type Seen struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring []string
	next int
}

// NewSeen makes a memory of at most size ids.
func NewSeen(size int) *Seen {
	size = max(size, 1)
	return &Seen{ids: make(map[string]struct{}, size), ring: make([]string, size)}
}

// First records id and reports whether it is new. The empty id is always
// new: without an id there is nothing to deduplicate on.
func (s *Seen) First(id string) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = struct{}{}
	return true
}

// Has reports whether id was recorded, without recording it.
func (s *Seen) Has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ids[id]
	return ok
}
