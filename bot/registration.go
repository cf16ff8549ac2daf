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

// resumeWords and discardWords answer the offer to resume a draft.
var (
	resumeWords  = []string{"fortsæt", "fortsaet", "fortsat", "continue", "resume", "1", "ja", "yes"}
	discardWords = []string{"kassér", "kasser", "kasér", "discard", "slet", "delete"}
)

// startVisit is /visit: it starts a registration in the user's direct
// conversation (pointing there when typed in a channel), or offers to resume
// the one she has.
func (b *Bot) startVisit(ctx context.Context, req Request) error {
	lang := req.Lang()
	dm := req.Message
	if !req.Direct {
		if err := b.reply(ctx, req.Message, Reply{Text: txtGoToDM.In(lang), Ephemeral: true}); err != nil {
			return err
		}
		dm = Message{User: req.User, Direct: true} // no channel: the adapter opens the DM
	}
	d, found, err := b.loadDraft(ctx, req.Staff, dm)
	if err != nil {
		return err
	}
	if found {
		return b.offerResume(ctx, dm, d, "")
	}
	known := workflows.Answers{}
	if word, id, _ := strings.Cut(req.Args, " "); slices.Contains([]string{"opfølgning", "opfoelgning", "opfolgning", "follow-up", "followup"}, strings.ToLower(word)) {
		v, err := b.opt.Store.Visit(ctx, strings.TrimSpace(id))
		if errors.Is(err, ErrNotFound) {
			return b.reply(ctx, dm, Reply{Text: fmtText(txtNoVisit, lang, "«"+truncate(id, 20)+"»")})
		}
		if err != nil {
			return b.failed(ctx, dm, lang, err)
		}
		for _, f := range []string{"location", "address", "location_other"} {
			if a, ok := v.Fields[f]; ok {
				known[f] = a
			}
		}
		known["reason"] = workflows.Answer{Text: "follow_up"}
	}
	if req.Staff.Initials != "" {
		known["filled_by"] = workflows.Answer{Text: strings.ToUpper(req.Staff.Initials)}
	}
	if org := firstNonEmpty(req.Staff.Organisation, b.opt.Organisation); org != "" {
		known["organisation"] = workflows.Answer{Text: org}
	}
	var crisis *workflows.CrisisRef
	if run, err := b.opt.Store.CurrentCrisis(ctx); err == nil && run.InForce() {
		crisis = run.Ref()
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return b.failed(ctx, dm, lang, err)
	}
	d, out := b.opt.Registration.Start(req.User, lang, b.now(), known, crisis)
	return b.apply(ctx, dm, d, out)
}

// continueDraft feeds a direct message to the user's draft, if she has one.
// It reports whether the message was taken.
func (b *Bot) continueDraft(ctx context.Context, req Request) (bool, error) {
	d, live := b.liveDraft(req.User)
	if live && b.opt.Clock.Now().Sub(d.Updated) > b.opt.DraftMaxAge {
		live = false // loadDraft drops it and tells her
	}
	if !live {
		var found bool
		var err error
		d, found, err = b.loadDraft(ctx, req.Staff, req.Message)
		if err != nil || !found {
			return false, err
		}
	}
	lang := req.Lang()
	if !live {
		word := strings.ToLower(strings.TrimSpace(req.Text))
		switch {
		case b.wasOffered(req.User) && slices.Contains(resumeWords, word):
			b.remember(req.User, d)
			next, out := b.opt.Registration.Resume(d)
			return true, b.apply(ctx, req.Message, next, out)
		case b.wasOffered(req.User) && slices.Contains(discardWords, word):
			if err := b.opt.Store.DeleteDraft(ctx, req.User); err != nil {
				return true, b.failed(ctx, req.Message, lang, fmt.Errorf("discard draft of %s: %w", req.User, err))
			}
			b.forget(req.User)
			b.log.Info("draft discarded", "user", req.User)
			return true, b.reply(ctx, req.Message, Reply{Text: txtDiscarded.In(lang)})
		case b.wasOffered(req.User):
			return true, b.offerResume(ctx, req.Message, d, txtResumeAgain.In(lang))
		}
		return true, b.offerResume(ctx, req.Message, d, "")
	}
	d.Lang = lang
	next, out := b.opt.Registration.Step(d, workflows.Input{Text: req.Text, Now: b.now()})
	return true, b.apply(ctx, req.Message, next, out)
}

// loadDraft reads the user's draft; one older than the limit is deleted and
// she is told so.
func (b *Bot) loadDraft(ctx context.Context, staff Staff, m Message) (workflows.Draft, bool, error) {
	d, err := b.opt.Store.Draft(ctx, staff.User)
	if errors.Is(err, ErrNotFound) {
		b.forget(staff.User)
		return d, false, nil
	}
	if err != nil {
		return d, false, b.failed(ctx, m, staff.Lang, fmt.Errorf("load draft of %s: %w", staff.User, err))
	}
	if age := b.opt.Clock.Now().Sub(d.Updated); age > b.opt.DraftMaxAge {
		if err := b.opt.Store.DeleteDraft(ctx, staff.User); err != nil {
			return d, false, b.failed(ctx, m, staff.Lang, fmt.Errorf("drop expired draft of %s: %w", staff.User, err))
		}
		b.forget(staff.User)
		b.log.Info("expired draft dropped", "user", staff.User, "age", age.Round(time.Hour))
		started := workflows.LongDate(d.Started.In(b.opt.Location), staff.Lang)
		days := int(b.opt.DraftMaxAge.Hours() / 24)
		return d, false, b.reply(ctx, m, Reply{Text: fmtText(txtExpired, staff.Lang, started, days)})
	}
	return d, true, nil
}

// offerResume asks whether to continue or discard a draft found on disk.
func (b *Bot) offerResume(ctx context.Context, m Message, d workflows.Draft, lead string) error {
	b.mu.Lock()
	delete(b.live, m.User)
	b.offered[m.User] = true
	b.mu.Unlock()
	lang := d.Lang
	text := fmtText(txtResumeOffer, lang, b.opt.Registration.OneLine(d))
	if lead != "" {
		text = lead + "\n" + text
	}
	return b.reply(ctx, m, Reply{Text: text, Options: []workflows.Option{
		{Value: "fortsæt", Label: optContinue.In(lang)}, {Value: "kassér", Label: optDiscard.In(lang)}}})
}

// apply carries out a step's output: store first, then reply.
func (b *Bot) apply(ctx context.Context, m Message, d workflows.Draft, out workflows.Output) error {
	lang := d.Lang
	switch {
	case out.Done != nil && out.Done.ID != "":
		return b.saveEdit(ctx, m, *out.Done, lang)
	case out.Done != nil:
		v, err := b.opt.Store.FinishVisit(ctx, m.User, *out.Done)
		if err != nil {
			return b.failed(ctx, m, lang, fmt.Errorf("finish visit of %s: %w", m.User, err))
		}
		b.forget(m.User)
		b.log.Info("visit saved", "visit", v.ID, "user", m.User, "persons", len(v.Persons))
		text := fmtText(txtSaved, lang, v.ID)
		if len(v.Flags) > 0 {
			var why []string
			for _, f := range v.Flags {
				why = append(why, followUpNames[f].In(lang))
			}
			text += "\n" + fmtText(txtFollowUpHint, lang, strings.Join(why, ", "))
		}
		ask, choices, err := b.offerFollowUp(ctx, m, v, lang)
		if err != nil {
			b.log.Error("offer follow-up", "visit", v.ID, "err", err)
		}
		if ask != "" {
			text += "\n" + ask
		}
		return b.reply(ctx, m, Reply{Text: text, Options: choices})
	case out.Discard:
		if err := b.opt.Store.DeleteDraft(ctx, m.User); err != nil {
			return b.failed(ctx, m, lang, fmt.Errorf("delete draft of %s: %w", m.User, err))
		}
		b.forget(m.User)
		b.log.Info("draft cancelled", "user", m.User)
	case out.Save:
		if err := b.opt.Store.SaveDraft(ctx, d); err != nil {
			// The live copy still matches the disk: the answer is simply not taken.
			return b.failed(ctx, m, lang, fmt.Errorf("save draft of %s: %w", m.User, err))
		}
		b.remember(m.User, d)
	}
	return b.sendPrompts(ctx, m, out.Say)
}

func (b *Bot) sendPrompts(ctx context.Context, m Message, prompts []workflows.Prompt) error {
	for _, p := range prompts {
		if err := b.reply(ctx, m, Reply{Text: p.Text, Options: p.Options, Multi: p.Multi, Keywords: p.Keywords}); err != nil {
			return err
		}
	}
	return nil
}

// failed tells the user something went wrong on our side (nothing of hers
// is lost: the last stored draft stands) and returns the error for the log.
func (b *Bot) failed(ctx context.Context, m Message, lang workflows.Lang, err error) error {
	b.log.Error("storage failed", "user", m.User, "err", err)
	if sendErr := b.reply(ctx, m, Reply{Text: txtSaveFailed.In(lang)}); sendErr != nil {
		return errors.Join(err, sendErr)
	}
	return err
}

// remember keeps the draft just stored as the user's live draft.
func (b *Bot) remember(user string, d workflows.Draft) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.live[user] = d
	delete(b.offered, user)
}

// liveDraft returns the user's draft if it is live in this process.
func (b *Bot) liveDraft(user string) (workflows.Draft, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.live[user]
	return d, ok
}

func (b *Bot) wasOffered(user string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.offered[user]
}

// forget clears what the bot remembers of a user's draft once it is gone.
func (b *Bot) forget(user string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.live, user)
	delete(b.offered, user)
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
