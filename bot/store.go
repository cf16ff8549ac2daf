package bot

import (
	"context"
	"errors"
	"iter"
	"time"

	"beredskab/workflows"
)

// ErrNotFound is returned (wrapped) by stores when a record does not exist.
var ErrNotFound = errors.New("not found")

// DraftStore keeps each user's unfinished registration. SaveDraft must be
// durable (synced to disk) when it returns: the bot acknowledges an answer
// only after it.
type DraftStore interface {
	Draft(ctx context.Context, user string) (workflows.Draft, error)
	SaveDraft(ctx context.Context, d workflows.Draft) error
	DeleteDraft(ctx context.Context, user string) error
	// Drafts lists every draft, for the nudge of unfinished ones.
	Drafts(ctx context.Context) iter.Seq2[workflows.Draft, error]
}

// VisitStore keeps finished visits. FinishVisit gives the visit its readable
// id (year of the visit and a running number, "2026-0042"), stores it and
// deletes the user's draft in one synced transaction, so a crash leaves
// either the draft or the visit, never both and never neither.
type VisitStore interface {
	FinishVisit(ctx context.Context, user string, v workflows.Visit) (workflows.Visit, error)
	Visits(ctx context.Context, from, to string) iter.Seq2[workflows.Visit, error]
	Visit(ctx context.Context, id string) (workflows.Visit, error)
	// UpdateVisit stores a visit changed after saving (its Changes hold the
	// history) and deletes the editor's draft, in one transaction.
	UpdateVisit(ctx context.Context, user string, v workflows.Visit) (workflows.Visit, error)
	// DeleteVisit removes a visit, leaving a tombstone without person data.
	DeleteVisit(ctx context.Context, t DeletedVisit) error
}

// DeletedVisit is what remains of a deleted visit: who deleted it, when and
// why, never its answers.
type DeletedVisit struct {
	ID     string    `json:"id"`
	Date   string    `json:"date"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// SettingStore keeps small facts the bot must remember, such as the date
// the drill was last held.
type SettingStore interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// ErrCrisisInForce is returned (wrapped) when a crisis is started while
// another is active or reopening.
var ErrCrisisInForce = errors.New("a crisis is already in force")

// CrisisStore keeps crisis runs: their checklists, timeline and the chat
// messages that show them. Updates are read-modify-write transactions that
// the store retries on conflict, so two people checking items at the same
// moment both win.
type CrisisStore interface {
	// StartCrisis gives a new run its id ("2026-K01", numbered per year) and stores it as the current run,
	// unless the current one is still in force (ErrCrisisInForce, with that
	// run returned).
	StartCrisis(ctx context.Context, year int, start func(id string) (workflows.CrisisRun, error)) (workflows.CrisisRun, error)
	// UpdateCrisis applies change to the stored run and stores the result.
	UpdateCrisis(ctx context.Context, id string, change func(*workflows.CrisisRun) error) (workflows.CrisisRun, error)
	// CurrentCrisis is the most recently started run, in any phase.
	CurrentCrisis(ctx context.Context) (workflows.CrisisRun, error)
	Crisis(ctx context.Context, id string) (workflows.CrisisRun, error)
	Crises(ctx context.Context) iter.Seq2[workflows.CrisisRun, error]
}

// AuditEntry is one line of the audit log: who did what to which record,
// when and from which platform. Detail never holds person data (no notes,
// nationalities or names): item numbers, counts and ids only.
type AuditEntry struct {
	At time.Time
	// Who is the chat user id, or "system" for scheduled jobs and
	// "operator" for the command line.
	Who      string
	Platform string
	// Action is what was done: "export", "report", "visit.edit",
	// "visit.delete", "crisis.start", "crisis.check", …, "roster",
	// "retention", "backup".
	Action string
	// Object is the visit or crisis id acted on, if any.
	Object string
	Detail string
}

// AuditLog is the append-only record of every export, report, edit,
// deletion, crisis command and roster change, so that an auditor can see
// who read or changed the records. Append must be durable when it returns;
// entries are never changed or removed.
type AuditLog interface {
	Append(ctx context.Context, e AuditEntry) error
	// Entries lists the entries at or after since, oldest first.
	Entries(ctx context.Context, since time.Time) iter.Seq2[AuditEntry, error]
}
