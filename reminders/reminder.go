// Package reminders keeps the bot's promises to remember: follow-ups after
// visits, the yearly drill, the evaluation after a crisis, nudges for
// unfinished registrations and the reminders people set themselves.
//
// Badger (through Store) is the source of truth: every reminder is a stored
// record, and gocron is only the alarm clock, re-armed from the store at
// start-up. A delivery is claimed (state "sending") before it is sent and
// recorded in one transaction after; a delivery interrupted by a crash is
// sent again with the same idempotency key, or not at all when the adapter
// can tell that it arrived. The package knows no chat platform: the bot
// renders and sends through the Deliver function it is given.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Kind says what a reminder is about.
type Kind string

// The kinds of reminders.
const (
	FollowUp     Kind = "follow_up"      // a visit to follow up, to the midwife
	Drill        Kind = "drill"          // the yearly review of the plan, to the team channel
	DrillHeadsUp Kind = "drill_heads_up" // two weeks before the drill
	Evaluation   Kind = "evaluation"     // the evaluation after a crisis, to each coordinator
	DraftNudge   Kind = "draft_nudge"    // an unfinished registration, to its author
	Own          Kind = "own"            // set with /reminder by anyone on the roster
)

// State is where a reminder stands.
type State string

// The states of a reminder.
const (
	// Offered: a follow-up offered at the end of a registration, not yet
	// accepted; never armed.
	Offered   State = "offered"
	Pending   State = "pending"
	Sending   State = "sending" // claimed; the send may or may not have happened
	Delivered State = "delivered"
	Done      State = "done"
	Cancelled State = "cancelled"
)

// Reminder is one stored reminder.
type Reminder struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	// Due is when it was asked for; delivery may wait for working hours.
	Due time.Time `json:"due"`
	// User receives it as a direct message; otherwise Channel gets it.
	User    string `json:"user,omitempty"`
	Channel string `json:"channel,omitempty"`
	// Owner made it (own reminders, follow-ups).
	Owner string `json:"owner,omitempty"`
	// Text is the user's own words (own reminders only).
	Text string `json:"text,omitempty"`
	// What it is about: a visit (no person details: id, date, place), a
	// crisis, a drill year.
	VisitID   string `json:"visit_id,omitempty"`
	VisitDate string `json:"visit_date,omitempty"`
	Place     string `json:"place,omitempty"`
	CrisisID  string `json:"crisis_id,omitempty"`
	Year      int    `json:"year,omitempty"`
	// Round numbers the weekly evaluation reminders of one crisis.
	Round int `json:"round,omitempty"`
	// Dedupe, when set, makes the store keep only one reminder with it
	// (one nudge per draft, one drill per year).
	Dedupe string `json:"dedupe,omitempty"`
	// Suggested marks a follow-up the rules of domain.md propose.
	Suggested bool `json:"suggested,omitempty"`

	State       State     `json:"state"`
	Created     time.Time `json:"created"`
	Deliveries  int       `json:"deliveries,omitempty"` // completed deliveries; a snooze asks for another
	Attempts    int       `json:"attempts,omitempty"`   // failed sends of the current delivery
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

// Key is the idempotency key of the reminder's current delivery: the same
// for every try of one delivery, new for the next (after a snooze).
func (r Reminder) Key() string { return fmt.Sprintf("%s#%d", r.ID, r.Deliveries+1) }

// Armed reports whether the reminder waits for its time.
func (r Reminder) Armed() bool { return r.State == Pending || r.State == Sending }

// ErrExists is returned (wrapped) by AddReminder when a reminder with the
// same Dedupe is stored already; the stored one is returned with it.
var ErrExists = errors.New("reminder exists")

// ErrNotFound is returned (wrapped) for a reminder that is not stored.
var ErrNotFound = errors.New("reminder not found")

// Store keeps reminders. Every method is one transaction.
type Store interface {
	// AddReminder gives the reminder an id and stores it.
	AddReminder(ctx context.Context, r Reminder) (Reminder, error)
	Reminder(ctx context.Context, id string) (Reminder, error)
	Reminders(ctx context.Context) iter.Seq2[Reminder, error]
	// UpdateReminder applies change to the stored reminder (retried on a
	// conflict, so change must be repeatable).
	UpdateReminder(ctx context.Context, id string, change func(*Reminder) error) (Reminder, error)
	// RecordDelivery records the delivery with key as done and stores the
	// reminders that follow from it (next year's drill), in one transaction.
	// A key already recorded changes nothing.
	RecordDelivery(ctx context.Context, id, key string, at time.Time, next []Reminder) ([]Reminder, error)
}
