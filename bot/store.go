package bot

import (
	"context"
	"errors"
	"iter"

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
}

// VisitStore keeps finished visits. FinishVisit gives the visit its readable
// id (year of the visit and a running number, "2026-0042"), stores it and
// deletes the user's draft in one synced transaction, so a crash leaves
// either the draft or the visit, never both and never neither.
type VisitStore interface {
	FinishVisit(ctx context.Context, user string, v workflows.Visit) (workflows.Visit, error)
	Visits(ctx context.Context, from, to string) iter.Seq2[workflows.Visit, error]
}
