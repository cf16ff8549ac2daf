package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"beredskab/reminders"
	"beredskab/workflows"
)

// Reminders is the reminder service the core uses: the dispatcher.
type Reminders interface {
	Add(ctx context.Context, r reminders.Reminder) (reminders.Reminder, error)
	Ensure(ctx context.Context, rs ...reminders.Reminder) error
	Offer(ctx context.Context, user string) (reminders.Reminder, bool)
	Schedule(ctx context.Context, id string, t time.Time) (reminders.Reminder, error)
	Finish(ctx context.Context, id string, state reminders.State) (reminders.Reminder, error)
	Pending(ctx context.Context) ([]reminders.Reminder, error)
	Reminder(ctx context.Context, id string) (reminders.Reminder, error)
}

// ReminderOptions configure the reminders the core makes itself.
type ReminderOptions struct {
	// TeamChannel gets the yearly drill.
	TeamChannel string
	Drill       reminders.DrillDate
	// NudgeAfter is how long a draft may lie untouched before its author
	// is nudged once.
	NudgeAfter time.Duration
}

const settingLastDrill = "drill/last"

var (
	txtRemindUsage   = text{Da: "Skriv fx «/påmind i morgen kl 9 ring til klinikken», «/påmind om 2 uger tjek prøvesvar», «/påmind 15.1. møde». «/påmindelser» viser dine.", En: "Type e.g. «/reminder tomorrow 9:00 call the clinic», «/reminder in 2 weeks check results», «/reminder 15.1. meeting». «/reminders» lists yours."}
	txtRemindPast    = text{Da: "Det tidspunkt er allerede gået.", En: "That time has already passed."}
	txtRemindWhen    = text{Da: "Jeg kan ikke læse tidspunktet.", En: "I cannot read the time."}
	txtRemindNoText  = text{Da: "Hvad skal jeg minde dig om? Skriv teksten efter tidspunktet.", En: "What shall I remind you of? Type the text after the time."}
	txtRemindSet     = text{Da: "✓ Jeg minder dig om det %s (nr. %s).", En: "✓ I will remind you %s (no. %s)."}
	txtRemindNone    = text{Da: "Du har ingen påmindelser.", En: "You have no reminders."}
	txtRemindList    = text{Da: "Dine påmindelser («/påmindelser slet 2» sletter nr. 2):", En: "Your reminders («/reminders cancel 2» cancels no. 2):"}
	txtRemindGone    = text{Da: "✓ Påmindelsen er slettet.", En: "✓ The reminder has been cancelled."}
	txtRemindNoSuch  = text{Da: "Du har ingen påmindelse nr. %s.", En: "You have no reminder no. %s."}
	txtRemindDone    = text{Da: "✓ Markeret som udført.", En: "✓ Marked done."}
	txtRemindSnoozed = text{Da: "✓ Udsat til %s.", En: "✓ Snoozed until %s."}
	txtLate          = text{Da: " (forsinket: botten var nede, da den skulle sendes)", En: " (late: the bot was down when it was due)"}
	txtOwnDue        = text{Da: "⏰ Påmindelse%s: %s", En: "⏰ Reminder%s: %s"}
	txtFollowDue     = text{Da: "⏰ Opfølgning%s: besøg %s (%s, %s).\nSkriv «/påmind udført %s», «/påmind udsæt %s 1d» (eller 1u) eller «/besøg opfølgning %s».", En: "⏰ Follow-up%s: visit %s (%s, %s).\nType «/reminder done %s», «/reminder snooze %s 1d» (or 1w) or «/visit follow-up %s»."}
	txtEvalDue       = text{Da: "⏰ Evalueringen efter krisen %s (%s) er ikke gennemført%s. Se «/krise status»; påmindelsen gentages ugentligt, til den er.", En: "⏰ The evaluation after the crisis %s (%s) is not done%s. See «/crisis status»; this reminder repeats weekly until it is."}
	txtNudgeDue      = text{Da: "⏰ Du har en ufærdig registrering: %s. Vil du fortsætte den eller kassere den?", En: "⏰ You have an unfinished registration: %s. Do you want to continue it or discard it?"}
	txtDrillDue      = text{Da: "📋 Årlig øvelse: gennemgang af beredskabsplanen%s\n1. Gennemgå planens otte punkter\n2. Opdatér kontaktlisten og SMS-skabelonen (Bilag 1)\n3. Invitér politi og NGO'er til det årlige møde\nNår øvelsen er holdt: «/øvelse udført».", En: "📋 Yearly drill: review of the crisis plan%s\n1. Review the plan's eight points\n2. Update the contact list and the SMS template (Annex 1)\n3. Invite police and NGOs to the yearly meeting\nWhen the drill has been held: «/drill done»."}
	txtDrillHeads    = text{Da: "📋 Om to uger, %s: den årlige øvelse med gennemgang af beredskabsplanen. Husk at invitere politi og NGO'er.", En: "📋 In two weeks, %s: the yearly drill reviewing the crisis plan. Remember to invite police and NGOs."}
	txtDrillStatus   = text{Da: "Sidste øvelse: %s. Næste: %s.", En: "Last drill: %s. Next: %s."}
	txtDrillNever    = text{Da: "ikke registreret", En: "not recorded"}
	txtDrillHeld     = text{Da: "✓ Øvelsen er registreret som holdt %s.", En: "✓ The drill is recorded as held on %s."}
	txtDrillUsage    = text{Da: "Brug: «/øvelse status» eller «/øvelse udført».", En: "Use: «/drill status» or «/drill done»."}
	txtOfferAsk      = text{Da: "Skal jeg minde dig om en opfølgning på besøget?", En: "Shall I remind you to follow up the visit?"}
	txtOfferAskDate  = text{Da: "Hvilken dato? Skriv fx «15.1.» eller «fredag».", En: "Which date? Type e.g. «15.1.» or «friday»."}
	txtOfferNo       = text{Da: "Fint, ingen opfølgning.", En: "Fine, no follow-up."}
	txtOfferBad      = text{Da: "Svar med et af valgene, eller skriv en dato.", En: "Answer with one of the choices, or type a date."}
	txtNoVisit       = text{Da: "Jeg kender ikke besøget %s.", En: "I do not know the visit %s."}
)

// offerChoices are the answers to "shall I remind you to follow up?", in
// the order shown; the rules' suggestion puts "in a week" first.
func offerChoices(lang workflows.Lang, suggested bool) []workflows.Option {
	week := workflows.Option{Value: "1 uge", Label: text{Da: "Om 1 uge", En: "In 1 week"}.In(lang)}
	if suggested {
		week.Label += text{Da: " (anbefalet)", En: " (recommended)"}.In(lang)
	}
	two := workflows.Option{Value: "2 uger", Label: text{Da: "Om 2 uger", En: "In 2 weeks"}.In(lang)}
	date := workflows.Option{Value: "dato", Label: text{Da: "En dato", En: "A date"}.In(lang)}
	no := workflows.Option{Value: "nej", Label: text{Da: "Nej", En: "No"}.In(lang)}
	if suggested {
		return []workflows.Option{week, two, date, no}
	}
	return []workflows.Option{no, week, two, date}
}

// offerFollowUp stores the offer of a follow-up for a saved visit and asks.
func (b *Bot) offerFollowUp(ctx context.Context, m Message, v workflows.Visit, lang workflows.Lang) (string, []workflows.Option, error) {
	if b.opt.Reminders == nil {
		return "", nil, nil
	}
	_, err := b.opt.Reminders.Add(ctx, reminders.Reminder{Kind: reminders.FollowUp, State: reminders.Offered,
		Owner: m.User, User: m.User, VisitID: v.ID, VisitDate: v.Date, Place: visitPlace(v), Suggested: len(v.Flags) > 0})
	if err != nil {
		return "", nil, fmt.Errorf("offer follow-up of %s: %w", v.ID, err)
	}
	return txtOfferAsk.In(lang), offerChoices(lang, len(v.Flags) > 0), nil
}

// visitPlace is where a visit was: the clinic's address or the other place
// named. It names a place, never a person.
func visitPlace(v workflows.Visit) string {
	for _, id := range []string{"address", "location_other"} {
		if a, ok := v.Fields[id]; ok && a.Text != "" {
			return a.Text
		}
	}
	return "–"
}

// answerOffer takes the answer to the follow-up offer, if one is open. It
// reports whether the message was that answer.
func (b *Bot) answerOffer(ctx context.Context, req Request) (bool, error) {
	if b.opt.Reminders == nil {
		return false, nil
	}
	offer, ok := b.opt.Reminders.Offer(ctx, req.User)
	if !ok {
		return false, nil
	}
	lang := req.Lang()
	text := strings.ToLower(strings.TrimSpace(req.Text))
	if word, _, _ := strings.Cut(text, " "); strings.HasPrefix(text, "/") || b.isCommand(word) {
		_, err := b.opt.Reminders.Finish(ctx, offer.ID, reminders.Cancelled)
		return false, err // the command goes on as usual
	}
	choices := offerChoices(lang, offer.Suggested)
	if n, err := strconv.Atoi(text); err == nil && n >= 1 && n <= len(choices) {
		text = choices[n-1].Value
	}
	now := b.now()
	var due time.Time
	switch text {
	case "nej", "no", "ingen", "none":
		if _, err := b.opt.Reminders.Finish(ctx, offer.ID, reminders.Cancelled); err != nil {
			return true, b.failed(ctx, req.Message, lang, err)
		}
		return true, b.reply(ctx, req.Message, Reply{Text: txtOfferNo.In(lang)})
	case "dato", "date", "en dato", "a date":
		return true, b.reply(ctx, req.Message, Reply{Text: txtOfferAskDate.In(lang)})
	case "1 uge", "uge", "1 week", "week", "om 1 uge", "in 1 week":
		due = dayAt(now, 7, b.opt.Location)
	case "2 uger", "2 weeks", "om 2 uger", "in 2 weeks":
		due = dayAt(now, 14, b.opt.Location)
	default:
		t, _, err := reminders.ParseWhen(text, now, b.opt.Location)
		if err != nil {
			lead := txtOfferBad.In(lang)
			if errors.Is(err, reminders.ErrPast) {
				lead = txtRemindPast.In(lang)
			}
			return true, b.reply(ctx, req.Message, Reply{Text: lead + "\n" + txtOfferAsk.In(lang), Options: choices})
		}
		due = t
	}
	if _, err := b.opt.Reminders.Schedule(ctx, offer.ID, due); err != nil {
		return true, b.failed(ctx, req.Message, lang, err)
	}
	b.log.Info("follow-up scheduled", "visit", offer.VisitID, "reminder", offer.ID)
	return true, b.reply(ctx, req.Message, Reply{Text: fmtText(txtRemindSet, lang, whenText(due, b.opt.Location, lang), offer.ID)})
}

// dayAt is 09:00 local time, days from now.
func dayAt(now time.Time, days int, loc *time.Location) time.Time {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+days, reminders.DefaultHour, 0, 0, 0, loc)
}

func whenText(t time.Time, loc *time.Location, lang workflows.Lang) string {
	return workflows.LongDate(t.In(loc), lang) + " " + text{Da: "kl. ", En: "at "}.In(lang) + t.In(loc).Format("15:04")
}

func (b *Bot) isCommand(word string) bool {
	_, ok := b.findCommand(word)
	return ok
}

// remind is /reminder (/påmind): set, complete or snooze a reminder.
func (b *Bot) remind(ctx context.Context, req Request) error {
	lang := req.Lang()
	if b.opt.Reminders == nil {
		return b.reply(ctx, req.Message, Reply{Text: txtRemindUsage.In(lang), Ephemeral: true})
	}
	word, rest, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	switch strings.ToLower(word) {
	case "":
		return b.reply(ctx, req.Message, Reply{Text: txtRemindUsage.In(lang), Ephemeral: true})
	case "done", "udført", "udfoert", "færdig":
		return b.finishOwn(ctx, req, strings.TrimSpace(rest), reminders.Done, txtRemindDone)
	case "cancel", "slet", "annuller":
		return b.cancelNumbered(ctx, req, strings.TrimSpace(rest))
	case "snooze", "udsæt", "udsaet":
		return b.snooze(ctx, req, strings.TrimSpace(rest))
	}
	now := b.now()
	due, what, err := reminders.ParseWhen(req.Args, now, b.opt.Location)
	switch {
	case errors.Is(err, reminders.ErrPast):
		return b.reply(ctx, req.Message, Reply{Text: txtRemindPast.In(lang) + " " + txtRemindUsage.In(lang), Ephemeral: true})
	case err != nil:
		return b.reply(ctx, req.Message, Reply{Text: txtRemindWhen.In(lang) + " " + txtRemindUsage.In(lang), Ephemeral: true})
	case what == "":
		return b.reply(ctx, req.Message, Reply{Text: txtRemindNoText.In(lang) + " " + txtRemindUsage.In(lang), Ephemeral: true})
	}
	r, err := b.opt.Reminders.Add(ctx, reminders.Reminder{Kind: reminders.Own, Due: due, User: req.User, Owner: req.User,
		Text: truncate(what, 500)})
	if err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	b.log.Info("own reminder set", "reminder", r.ID, "user", req.User)
	return b.reply(ctx, req.Message, Reply{Text: fmtText(txtRemindSet, lang, whenText(due, b.opt.Location, lang), r.ID), Ephemeral: true})
}

// own lists the user's armed reminders in due order.
func (b *Bot) own(ctx context.Context, user string) ([]reminders.Reminder, error) {
	all, err := b.opt.Reminders.Pending(ctx)
	if err != nil {
		return nil, err
	}
	var mine []reminders.Reminder
	for _, r := range all {
		if r.Owner == user || (r.User == user && r.Kind != reminders.Evaluation) {
			mine = append(mine, r)
		}
	}
	return mine, nil
}

// reminderList is /reminders (/påmindelser): the user's own, numbered; with
// "cancel N" it cancels number N.
func (b *Bot) reminderList(ctx context.Context, req Request) error {
	lang := req.Lang()
	if b.opt.Reminders == nil {
		return b.reply(ctx, req.Message, Reply{Text: txtRemindNone.In(lang), Ephemeral: true})
	}
	if word, rest, _ := strings.Cut(strings.TrimSpace(req.Args), " "); slices.Contains([]string{"cancel", "slet", "annuller"}, strings.ToLower(word)) {
		return b.cancelNumbered(ctx, req, strings.TrimSpace(rest))
	}
	mine, err := b.own(ctx, req.User)
	if err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	if len(mine) == 0 {
		return b.reply(ctx, req.Message, Reply{Text: txtRemindNone.In(lang), Ephemeral: true})
	}
	lines := []string{txtRemindList.In(lang)}
	for i, r := range mine {
		lines = append(lines, fmt.Sprintf("%d. %s – %s", i+1, whenText(r.Due, b.opt.Location, lang), b.reminderSubject(r, lang)))
	}
	return b.reply(ctx, req.Message, Reply{Text: strings.Join(lines, "\n"), Ephemeral: true})
}

// reminderSubject says what a reminder is about, for its owner's list.
func (b *Bot) reminderSubject(r reminders.Reminder, lang workflows.Lang) string {
	switch r.Kind {
	case reminders.FollowUp:
		return fmt.Sprintf(text{Da: "opfølgning på besøg %s", En: "follow-up of visit %s"}.In(lang), r.VisitID)
	case reminders.Own:
		return r.Text
	}
	return string(r.Kind)
}

func (b *Bot) cancelNumbered(ctx context.Context, req Request, arg string) error {
	lang := req.Lang()
	mine, err := b.own(ctx, req.User)
	if err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(arg, "."))
	if err != nil || n < 1 || n > len(mine) {
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtRemindNoSuch, lang, "«"+truncate(arg, 10)+"»"), Ephemeral: true})
	}
	if _, err := b.opt.Reminders.Finish(ctx, mine[n-1].ID, reminders.Cancelled); err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	return b.reply(ctx, req.Message, Reply{Text: txtRemindGone.In(lang), Ephemeral: true})
}

// ownReminder finds one of the user's reminders by its id.
func (b *Bot) ownReminder(ctx context.Context, req Request, id string) (reminders.Reminder, bool, error) {
	r, err := b.opt.Reminders.Reminder(ctx, id)
	if err != nil || (r.Owner != req.User && r.User != req.User) {
		return r, false, b.reply(ctx, req.Message, Reply{Text: fmtText(txtRemindNoSuch, req.Lang(), "«"+truncate(id, 10)+"»"), Ephemeral: true})
	}
	return r, true, nil
}

func (b *Bot) finishOwn(ctx context.Context, req Request, id string, state reminders.State, done text) error {
	if _, ok, err := b.ownReminder(ctx, req, id); !ok {
		return err
	}
	if _, err := b.opt.Reminders.Finish(ctx, id, state); err != nil {
		return b.failed(ctx, req.Message, req.Lang(), err)
	}
	return b.reply(ctx, req.Message, Reply{Text: done.In(req.Lang()), Ephemeral: true})
}

// snooze is "/reminder snooze <id> 1d|1w|<when>".
func (b *Bot) snooze(ctx context.Context, req Request, args string) error {
	lang := req.Lang()
	id, when, _ := strings.Cut(args, " ")
	if _, ok, err := b.ownReminder(ctx, req, id); !ok {
		return err
	}
	now := b.now()
	var due time.Time
	switch strings.ToLower(strings.TrimSpace(when)) {
	case "", "1d", "1 dag", "1 day", "dag", "day":
		due = now.Add(24 * time.Hour)
	case "1u", "1w", "1 uge", "1 week", "uge", "week":
		due = dayAt(now, 7, b.opt.Location).Add(time.Duration(now.In(b.opt.Location).Hour()-reminders.DefaultHour) * time.Hour)
	default:
		t, _, err := reminders.ParseWhen(when, now, b.opt.Location)
		if err != nil {
			return b.reply(ctx, req.Message, Reply{Text: txtRemindWhen.In(lang) + " " + txtRemindUsage.In(lang), Ephemeral: true})
		}
		due = t
	}
	if _, err := b.opt.Reminders.Schedule(ctx, id, due); err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	return b.reply(ctx, req.Message, Reply{Text: fmtText(txtRemindSnoozed, lang, whenText(due, b.opt.Location, lang)), Ephemeral: true})
}

// drill is /drill (/øvelse): status, or record it as held.
func (b *Bot) drill(ctx context.Context, req Request) error {
	lang := req.Lang()
	switch strings.ToLower(strings.TrimSpace(req.Args)) {
	case "", "status":
		last := txtDrillNever.In(lang)
		if s, err := b.opt.Store.Setting(ctx, settingLastDrill); err == nil {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				last = workflows.LongDate(t, lang)
			}
		}
		next := "–"
		if b.opt.Reminders != nil {
			if rs, err := b.opt.Reminders.Pending(ctx); err == nil {
				for _, r := range rs {
					if r.Kind == reminders.Drill {
						next = workflows.LongDate(r.Due.In(b.opt.Location), lang)
						break
					}
				}
			}
		}
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtDrillStatus, lang, last, next)})
	case "done", "udført", "udfoert", "holdt", "held":
		if req.Staff.Role == Midwife {
			return b.reply(ctx, req.Message, Reply{Text: txtNotAllowed.In(lang), Ephemeral: true})
		}
		today := b.now().Format(time.DateOnly)
		if err := b.opt.Store.SetSetting(ctx, settingLastDrill, today); err != nil {
			return b.failed(ctx, req.Message, lang, err)
		}
		b.log.Info("drill recorded", "by", req.User)
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtDrillHeld, lang, workflows.LongDate(b.now(), lang))})
	}
	return b.reply(ctx, req.Message, Reply{Text: txtDrillUsage.In(lang), Ephemeral: true})
}

// DeliverReminder renders a due reminder and sends it; main gives it to the
// dispatcher. It reports sent=false for a reminder that no longer applies.
// Texts name visits by id, date and place, never a person.
func (b *Bot) DeliverReminder(ctx context.Context, r reminders.Reminder, key string, late bool) (bool, error) {
	lang := b.opt.Lang
	if s, ok := b.opt.Roster.Lookup(r.User); ok {
		lang = s.Lang
	}
	lateText := ""
	if late {
		lateText = txtLate.In(lang)
	}
	reply := Reply{Channel: r.Channel, User: r.User, IdempotencyKey: key}
	switch r.Kind {
	case reminders.Own:
		reply.Text = fmtText(txtOwnDue, lang, lateText, r.Text)
	case reminders.FollowUp:
		date := r.VisitDate
		if t, err := time.Parse(time.DateOnly, r.VisitDate); err == nil {
			date = workflows.LongDate(t, lang)
		}
		reply.Text = fmtText(txtFollowDue, lang, lateText, r.VisitID, date, r.Place, r.ID, r.ID, r.VisitID)
		reply.Actions = []workflows.Option{
			{Value: "/reminder done " + r.ID, Label: text{Da: "Udført", En: "Done"}.In(lang)},
			{Value: "/reminder snooze " + r.ID + " 1d", Label: text{Da: "Udsæt 1 dag", En: "Snooze 1 day"}.In(lang)},
			{Value: "/reminder snooze " + r.ID + " 1w", Label: text{Da: "Udsæt 1 uge", En: "Snooze 1 week"}.In(lang)},
			{Value: "/visit follow-up " + r.VisitID, Label: text{Da: "Registrér opfølgningsbesøget", En: "Register the follow-up visit"}.In(lang)},
		}
	case reminders.Evaluation:
		run, err := b.opt.Store.Crisis(ctx, r.CrisisID)
		if errors.Is(err, ErrNotFound) || (err == nil && run.EvaluationDone()) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		reply.Text = fmtText(txtEvalDue, lang, run.Disease, run.ID, lateText)
	case reminders.DraftNudge:
		d, err := b.opt.Store.Draft(ctx, r.User)
		if errors.Is(err, ErrNotFound) || (err == nil && !d.Updated.Add(b.opt.Reminder.NudgeAfter).Equal(r.Due)) {
			return false, nil // finished, discarded or touched since
		}
		if err != nil {
			return false, err
		}
		reply.Text = fmtText(txtNudgeDue, lang, b.opt.Registration.OneLine(d))
		reply.Options = []workflows.Option{{Value: "fortsæt", Label: optContinue.In(lang)}, {Value: "kassér", Label: optDiscard.In(lang)}}
		b.mu.Lock()
		delete(b.live, r.User)
		b.offered[r.User] = true
		b.mu.Unlock()
	case reminders.Drill:
		reply.Text = fmtText(txtDrillDue, lang, lateText)
	case reminders.DrillHeadsUp:
		reply.Text = fmtText(txtDrillHeads, lang, workflows.LongDate(b.opt.Reminder.Drill.At(r.Year, b.opt.Location), lang))
	default:
		return false, nil
	}
	if err := b.opt.Sender.Send(ctx, reply); err != nil {
		return false, fmt.Errorf("send reminder %s: %w", r.ID, err)
	}
	return true, nil
}

// StartReminders makes sure the standing reminders exist: the next drill
// and its heads-up, the evaluation of every ended crisis not yet evaluated.
// Each is stored once (by its dedupe key), so calling it at every start-up
// and after every change is safe.
func (b *Bot) StartReminders(ctx context.Context) error {
	if b.opt.Reminders == nil {
		return nil
	}
	now := b.opt.Clock.Now()
	if b.opt.Reminder.TeamChannel != "" {
		if err := b.opt.Reminders.Ensure(ctx, reminders.DrillReminders(b.opt.Reminder.Drill, now, b.opt.Location, b.opt.Reminder.TeamChannel)...); err != nil {
			return fmt.Errorf("arm the drill: %w", err)
		}
	}
	for run, err := range b.opt.Store.Crises(ctx) {
		if err != nil {
			return fmt.Errorf("arm evaluations: %w", err)
		}
		if run.Phase == workflows.PhaseEnded && !run.EvaluationDone() {
			if err := b.ensureEvaluation(ctx, run); err != nil {
				return err
			}
		}
	}
	return b.SweepDrafts(ctx)
}

// ensureEvaluation arms the first weekly evaluation reminder of a crisis
// for every coordinator and admin.
func (b *Bot) ensureEvaluation(ctx context.Context, run workflows.CrisisRun) error {
	if b.opt.Reminders == nil {
		return nil
	}
	due := run.Ended.Add(reminders.EvaluationEvery)
	for _, s := range b.opt.Roster.byUser {
		if s.Role == Coordinator || s.Role == Admin {
			if err := b.opt.Reminders.Ensure(ctx, reminders.EvaluationReminder(run.ID, s.User, due, 1)); err != nil {
				return fmt.Errorf("arm evaluation of %s: %w", run.ID, err)
			}
		}
	}
	return nil
}

// SweepDrafts deletes drafts older than DraftMaxAge (person data is not
// kept for a registration nobody finishes), telling their authors, and
// nudges, once, the author of every draft untouched for NudgeAfter. The
// dispatcher runs it periodically.
func (b *Bot) SweepDrafts(ctx context.Context) error {
	now := b.opt.Clock.Now()
	for d, err := range b.opt.Store.Drafts(ctx) {
		if err != nil {
			return fmt.Errorf("sweep drafts: %w", err)
		}
		if now.Sub(d.Updated) > b.opt.DraftMaxAge {
			staff, _ := b.opt.Roster.Lookup(d.User)
			unlock := b.lockUser(d.User)
			_, _, err := b.loadDraft(ctx, Staff{User: d.User, Lang: cmpLang(staff.Lang, d.Lang)}, Message{User: d.User})
			unlock()
			if err != nil {
				return fmt.Errorf("sweep drafts: %w", err)
			}
			continue
		}
		if b.opt.Reminders == nil || b.opt.Reminder.NudgeAfter <= 0 {
			continue
		}
		due := d.Updated.Add(b.opt.Reminder.NudgeAfter)
		if due.After(now) {
			continue
		}
		err := b.opt.Reminders.Ensure(ctx, reminders.Reminder{Kind: reminders.DraftNudge, User: d.User, Due: due,
			Dedupe: fmt.Sprintf("nudge/%s/%d", d.User, d.Updated.UnixNano())})
		if err != nil {
			return fmt.Errorf("nudge draft of %s: %w", d.User, err)
		}
	}
	return nil
}

func cmpLang(a, b workflows.Lang) workflows.Lang {
	if a != "" {
		return a
	}
	return b
}
