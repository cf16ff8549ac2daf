package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"beredskab/workflows"
)

var (
	txtVisitsNone     = text{Da: "Du har ingen gemte besøg.", En: "You have no saved visits."}
	txtVisitsHead     = text{Da: "Seneste besøg («/besøgsliste 2026-0042» åbner et til rettelse):", En: "Recent visits («/visits 2026-0042» opens one to change):"}
	txtVisitsNoSuch   = text{Da: "Der er intet besøg %s, du kan rette.", En: "There is no visit %s you can change."}
	txtVisitsEdited   = text{Da: "Besøget %s er rettet (%d ændring(er), gemt med hvem og hvornår).", En: "The visit %s has been changed (%d change(s), kept with who and when)."}
	txtVisitsSame     = text{Da: "Intet blev ændret i besøget %s.", En: "Nothing was changed in the visit %s."}
	txtVisitsDelUsage = text{Da: "Brug: «/besøgsliste slet 2026-0042 <begrundelse>» (kun koordinatorer).", En: "Use: «/visits delete 2026-0042 <reason>» (coordinators only)."}
	txtVisitsDeleted  = text{Da: "Besøget %s er slettet. Begrundelsen er gemt i revisionsloggen.", En: "The visit %s has been deleted. The reason is kept in the audit log."}
	txtVisitsDraft    = text{Da: "Gør først din igangværende registrering færdig eller kassér den.", En: "First finish or discard the registration in progress."}
)

// visits is /visits (/besøgsliste): the recent visits one may change, one
// opened for changes, or (coordinators) one deleted with a reason. Person
// data is shown only in the direct conversation.
func (b *Bot) visits(ctx context.Context, req Request) error {
	lang := req.Lang()
	if !req.Direct {
		return b.reply(ctx, req.Message, Reply{Text: txtDMOnly.In(lang), Ephemeral: true})
	}
	word, rest, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	switch strings.ToLower(word) {
	case "":
		return b.listVisits(ctx, req)
	case "slet", "delete":
		return b.deleteVisit(ctx, req, strings.TrimSpace(rest))
	case "ret", "edit", "åbn", "open":
		word = strings.TrimSpace(rest)
	}
	return b.editVisit(ctx, req, word)
}

// mayChange: a midwife changes her own visits; coordinators and admins any.
func mayChange(s Staff, v workflows.Visit) bool {
	return s.Role != Midwife || v.CreatedBy == s.User
}

func (b *Bot) listVisits(ctx context.Context, req Request) error {
	lang := req.Lang()
	var mine []workflows.Visit
	for v, err := range b.opt.Store.Visits(ctx, "", "") {
		if err != nil {
			return b.failed(ctx, req.Message, lang, err)
		}
		if mayChange(req.Staff, v) {
			mine = append(mine, v)
		}
	}
	if len(mine) == 0 {
		return b.reply(ctx, req.Message, Reply{Text: txtVisitsNone.In(lang)})
	}
	slices.Reverse(mine) // newest first
	lines := []string{txtVisitsHead.In(lang)}
	for _, v := range mine[:min(10, len(mine))] {
		lines = append(lines, fmt.Sprintf("• %s – %s, %s (%d)", v.ID, workflows.LongDate(mustDate(v.Date), lang), visitPlace(v), len(v.Persons)))
	}
	b.audit(ctx, req, "visit.list", "", "")
	return b.reply(ctx, req.Message, Reply{Text: strings.Join(lines, "\n")})
}

// editVisit opens a saved visit at its summary, where a number changes an
// answer and «gem» saves it back with the changes recorded.
func (b *Bot) editVisit(ctx context.Context, req Request, id string) error {
	lang := req.Lang()
	v, err := b.opt.Store.Visit(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !mayChange(req.Staff, v)) {
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtVisitsNoSuch, lang, "«"+truncate(id, 20)+"»")})
	}
	if err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	if _, live := b.liveDraft(req.User); live {
		return b.reply(ctx, req.Message, Reply{Text: txtVisitsDraft.In(lang)})
	}
	if _, found, err := b.loadDraft(ctx, req.Staff, req.Message); err != nil || found {
		if err != nil {
			return err
		}
		return b.reply(ctx, req.Message, Reply{Text: txtVisitsDraft.In(lang)})
	}
	d, out := b.opt.Registration.EditDraft(v, req.User, lang, b.now())
	b.audit(ctx, req, "visit.open", v.ID, "")
	return b.apply(ctx, req.Message, d, out)
}

// saveEdit stores a changed visit with its history: each changed answer
// with the old and new value, who and when.
func (b *Bot) saveEdit(ctx context.Context, m Message, edited workflows.Visit, lang workflows.Lang) error {
	old, err := b.opt.Store.Visit(ctx, edited.ID)
	if err != nil {
		return b.failed(ctx, m, lang, fmt.Errorf("load visit %s to change: %w", edited.ID, err))
	}
	changes := workflows.Diff(old, edited, m.User, b.opt.Clock.Now())
	edited.CreatedBy, edited.CreatedAt = old.CreatedBy, old.CreatedAt
	edited.Changes = append(slices.Clone(old.Changes), changes...)
	if _, err := b.opt.Store.UpdateVisit(ctx, m.User, edited); err != nil {
		return b.failed(ctx, m, lang, err)
	}
	b.forget(m.User)
	b.log.Info("visit changed", "visit", edited.ID, "user", m.User, "changes", len(changes))
	fields := make([]string, len(changes))
	for i, c := range changes {
		fields[i] = c.Field // ids only: the values stay in the record
	}
	b.audit(ctx, Request{Message: m}, "visit.edit", edited.ID, strings.Join(fields, ","))
	if len(changes) == 0 {
		return b.reply(ctx, m, Reply{Text: fmtText(txtVisitsSame, lang, edited.ID)})
	}
	return b.reply(ctx, m, Reply{Text: fmtText(txtVisitsEdited, lang, edited.ID, len(changes))})
}

// deleteVisit removes a visit, for coordinators, with a reason.
func (b *Bot) deleteVisit(ctx context.Context, req Request, args string) error {
	lang := req.Lang()
	id, reason, _ := strings.Cut(args, " ")
	reason = strings.TrimSpace(reason)
	if req.Staff.Role == Midwife {
		return b.reply(ctx, req.Message, Reply{Text: txtNotAllowed.In(lang)})
	}
	if id == "" || reason == "" {
		return b.reply(ctx, req.Message, Reply{Text: txtVisitsDelUsage.In(lang)})
	}
	v, err := b.opt.Store.Visit(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtVisitsNoSuch, lang, "«"+truncate(id, 20)+"»")})
	}
	if err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	t := DeletedVisit{ID: v.ID, Date: v.Date, By: req.User, At: b.opt.Clock.Now(), Reason: truncate(reason, 500)}
	if err := b.opt.Store.DeleteVisit(ctx, t); err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	b.log.Info("visit deleted", "visit", v.ID, "by", req.User)
	// The reason is free text and may name a person: it stays in the
	// tombstone, not in the append-only audit log.
	b.audit(ctx, req, "visit.delete", v.ID, "reason in the tombstone")
	return b.reply(ctx, req.Message, Reply{Text: fmtText(txtVisitsDeleted, lang, v.ID)})
}

func mustDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}
