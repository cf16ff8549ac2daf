package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"beredskab/workflows"
)

// crisisAction is one subcommand of /crisis: its words, who may use it, its
// correct use (shown for a wrong or missing argument) and what it does.
type crisisAction struct {
	names       []string
	coordinator bool
	usage       text
	run         func(ctx context.Context, req Request, args string) error
}

func (b *Bot) crisisActions() []crisisAction {
	return []crisisAction{
		{names: []string{"start", "begynd"}, coordinator: true, run: b.crisisStart,
			usage: text{Da: "/krise start <sygdom> – fx /krise start COVID-19", En: "/crisis start <disease> – e.g. /crisis start COVID-19"}},
		{names: []string{"status"}, run: b.crisisStatus,
			usage: text{Da: "/krise status – tjeklisten, som den står nu", En: "/crisis status – the checklist as it stands"}},
		{names: []string{"check", "tjek", "afkryds", "done", "udført"}, run: b.crisisSetState(workflows.ItemDone),
			usage: text{Da: "/krise check <nr> – markér punktet som udført", En: "/crisis check <n> – mark the item done"}},
		{names: []string{"uncheck", "fjern", "åbn", "aabn"}, run: b.crisisSetState(workflows.ItemOpen),
			usage: text{Da: "/krise uncheck <nr> – markér punktet som åbent igen", En: "/crisis uncheck <n> – mark the item open again"}},
		{names: []string{"skip", "spring"}, run: b.crisisSetState(workflows.ItemSkipped),
			usage: text{Da: "/krise skip <nr> – markér punktet som sprunget over", En: "/crisis skip <n> – mark the item skipped"}},
		{names: []string{"assign", "tildel"}, run: b.crisisAssign,
			usage: text{Da: "/krise assign <nr> <initialer> – fx /krise assign 3 MK eller /krise assign 3 mig", En: "/crisis assign <n> <initials> – e.g. /crisis assign 3 MK or /crisis assign 3 me"}},
		{names: []string{"note"}, run: b.crisisNote,
			usage: text{Da: "/krise note <nr> <tekst> – en note til punktet (alle i kanalen ser den: ingen personoplysninger)", En: "/crisis note <n> <text> – a note on the item (everyone in the channel sees it: no person data)"}},
		{names: []string{"reopen", "genåbn", "genaabn", "genåbning"}, coordinator: true, run: b.crisisReopen,
			usage: text{Da: "/krise reopen – genåbningsfasen (punkt 8)", En: "/crisis reopen – the reopening phase (point 8)"}},
		{names: []string{"end", "afslut", "slut"}, coordinator: true, run: b.crisisEnd,
			usage: text{Da: "/krise end – afslut krisen og åbn evalueringen", En: "/crisis end – end the crisis and open the evaluation"}},
		{names: []string{"report", "rapport"}, run: b.crisisReport,
			usage: text{Da: "/krise report [id] – rapport over krisen (Markdown)", En: "/crisis report [id] – report of the crisis (Markdown)"}},
		{names: []string{"list", "liste"}, run: b.crisisList,
			usage: text{Da: "/krise list – alle kriser, også tidligere", En: "/crisis list – all crises, past ones too"}},
		{names: []string{"sms"}, run: b.crisisSMS,
			usage: text{Da: "/krise sms [sprog] – SMS-skabelonen (Bilag 1), klar til at kopiere", En: "/crisis sms [language] – the SMS template (Annex 1), ready to copy"}},
	}
}

var (
	txtCrisisUsage     = text{Da: "Brug:", En: "Use:"}
	txtCrisisNone      = text{Da: "Der er ingen krise. En koordinator starter en med «/krise start <sygdom>».", En: "There is no crisis. A coordinator starts one with «/crisis start <disease>»."}
	txtCrisisInForce   = text{Da: "Krisen %s (%s) er allerede i gang (fase: %s). Afslut den først med «/krise end».", En: "The crisis %s (%s) is already in force (phase: %s). End it first with «/crisis end»."}
	txtCrisisCoordOnly = text{Da: "Kun koordinatorer kan starte, genåbne og afslutte en krise.", En: "Only coordinators can start, reopen and end a crisis."}
	txtCrisisNoItem    = text{Da: "Der er intet punkt %s – vælg 1–%d.", En: "There is no item %s – choose 1–%d."}
	txtCrisisNobody    = text{Da: "Ingen på medarbejderlisten hedder %s.", En: "Nobody on the staff list is called %s."}
	txtCrisisPhase     = text{Da: "Det kan ikke gøres i krisens nuværende fase (%s).", En: "That cannot be done in the crisis's current phase (%s)."}
	txtCrisisDone      = text{Da: "✓ Opdateret.", En: "✓ Updated."}
	txtCrisisStarted   = text{Da: "Krisen %s er startet som %s. Nye registreringer spørger nu om %s.", En: "The crisis %s has started as %s. New registrations now ask about %s."}
	txtCrisisEnded     = text{Da: "Krisen %s er afsluttet. Evalueringen er åbnet: koordinatorerne mindes om den, til den er gennemført.", En: "The crisis %s has ended. The evaluation is open: the coordinators are reminded until it is done."}
	txtCrisisNoLang    = text{Da: "Der er ingen SMS-skabelon på %s. Sprog: %s.", En: "There is no SMS template in %s. Languages: %s."}
	txtCrisisNoRun     = text{Da: "Der er ingen krise med id %s. Se «/krise list».", En: "There is no crisis with id %s. See «/crisis list»."}
	txtCrisisEvalOpen  = text{Da: "Evalueringen af krisen %s (%s) er ikke afsluttet. Afkryds eller spring evalueringspunkterne over («/krise check 1», «/krise skip 2» …), så kan en ny krise startes.", En: "The evaluation of the crisis %s (%s) is not finished. Check or skip its items («/crisis check 1», «/crisis skip 2» …), then a new crisis can be started."}
	txtCrisisListHead  = text{Da: "Kriser:", En: "Crises:"}
)

// crisis is /crisis (/krise): it hands the subcommand to its action.
func (b *Bot) crisis(ctx context.Context, req Request) error {
	lang := req.Lang()
	word, args, _ := strings.Cut(strings.TrimSpace(req.Args), " ")
	for _, a := range b.crisisActions() {
		if !slices.Contains(a.names, strings.ToLower(word)) {
			continue
		}
		if a.coordinator && req.Staff.Role == Midwife {
			return b.reply(ctx, req.Message, Reply{Text: txtCrisisCoordOnly.In(lang), Ephemeral: true})
		}
		return a.run(ctx, req, strings.TrimSpace(args))
	}
	lines := []string{txtCrisisUsage.In(lang)}
	for _, a := range b.crisisActions() {
		if !a.coordinator || req.Staff.Role != Midwife {
			lines = append(lines, "• "+a.usage.In(lang))
		}
	}
	return b.reply(ctx, req.Message, Reply{Text: strings.Join(lines, "\n"), Ephemeral: true})
}

// usage answers a wrong or missing argument with the command's correct use.
func (b *Bot) usage(ctx context.Context, req Request, name, lead string) error {
	lang := req.Lang()
	for _, a := range b.crisisActions() {
		if a.names[0] == name {
			return b.reply(ctx, req.Message, Reply{Text: joinLines(lead, txtCrisisUsage.In(lang)+" "+a.usage.In(lang)), Ephemeral: true})
		}
	}
	return nil
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

func (b *Bot) crisisStart(ctx context.Context, req Request, args string) error {
	lang := req.Lang()
	if args == "" {
		return b.usage(ctx, req, "start", "")
	}
	if cur, err := b.opt.Store.CurrentCrisis(ctx); err == nil && cur.Phase == workflows.PhaseEnded && !cur.EvaluationDone() {
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtCrisisEvalOpen, lang, cur.Disease, cur.ID), Ephemeral: true})
	}
	now := b.now()
	run, err := b.opt.Store.StartCrisis(ctx, now.Year(), func(id string) (workflows.CrisisRun, error) {
		r, err := workflows.NewCrisisRun(id, args, req.User, now)
		if err != nil {
			return r, err
		}
		r.Posts = append(r.Posts, workflows.Post{Channel: req.Channel})
		for _, c := range b.opt.Crisis.Broadcast {
			if c != req.Channel {
				r.Posts = append(r.Posts, workflows.Post{Channel: c, ReadOnly: true})
			}
		}
		return r, nil
	})
	if errors.Is(err, ErrCrisisInForce) {
		return b.reply(ctx, req.Message, Reply{Text: fmtText(txtCrisisInForce, lang, run.Disease, run.ID, phaseName(run.Phase, lang)), Ephemeral: true})
	}
	if err != nil {
		return b.failed(ctx, req.Message, lang, err)
	}
	b.log.Info("crisis started", "crisis", run.ID, "by", req.User)
	b.audit(ctx, req, "crisis.start", run.ID, "disease "+truncate(run.Disease, 40))
	if err := b.reply(ctx, req.Message, Reply{Text: fmtText(txtCrisisStarted, lang, run.Disease, run.ID, run.Disease), Ephemeral: true}); err != nil {
		return err
	}
	return b.showChecklist(ctx, run, true)
}

// current loads the current run, telling the user when there is none.
func (b *Bot) current(ctx context.Context, req Request) (workflows.CrisisRun, bool, error) {
	run, err := b.opt.Store.CurrentCrisis(ctx)
	if errors.Is(err, ErrNotFound) {
		return run, false, b.reply(ctx, req.Message, Reply{Text: txtCrisisNone.In(req.Lang()), Ephemeral: true})
	}
	if err != nil {
		return run, false, b.failed(ctx, req.Message, req.Lang(), err)
	}
	return run, true, nil
}

func (b *Bot) crisisStatus(ctx context.Context, req Request, _ string) error {
	run, ok, err := b.current(ctx, req)
	if !ok {
		return err
	}
	return b.reply(ctx, req.Message, Reply{Text: workflows.RenderChecklist(run, b.view(run, req.Lang(), false))})
}

// change applies a change to the current run, audits it (detail: what the
// audit log says beyond the action, never a note's text) and shows the new
// state in every message that shows the checklist.
func (b *Bot) change(ctx context.Context, req Request, name, detail string, fn func(*workflows.CrisisRun) error) error {
	_, err := b.changed(ctx, req, name, detail, fn)
	return err
}

// changed is change that also reports whether the change was made.
func (b *Bot) changed(ctx context.Context, req Request, name, detail string, fn func(*workflows.CrisisRun) error) (bool, error) {
	// One change at a time is shown: the messages get each state in order,
	// never an older one last.
	b.crisisMu.Lock()
	defer b.crisisMu.Unlock()
	lang := req.Lang()
	cur, ok, err := b.current(ctx, req)
	if !ok {
		return false, err
	}
	run, err := b.opt.Store.UpdateCrisis(ctx, cur.ID, fn)
	var phase error
	switch {
	case errors.Is(err, workflows.ErrNoSuchItem):
		items, _ := cur.Checklist()
		return false, b.usage(ctx, req, name, fmtText(txtCrisisNoItem, lang, "«"+truncate(strings.Fields(req.Args + " ?")[1], 10)+"»", len(items)))
	case errors.Is(err, workflows.ErrEmptyNote):
		return false, b.usage(ctx, req, name, "")
	case errors.Is(err, workflows.ErrWrongPhase):
		phase = err
	case err != nil:
		return false, b.failed(ctx, req.Message, lang, err)
	}
	if phase != nil {
		return false, b.reply(ctx, req.Message, Reply{Text: fmtText(txtCrisisPhase, lang, phaseName(cur.Phase, lang)), Ephemeral: true})
	}
	b.log.Info("crisis changed", "crisis", run.ID, "action", name, "by", req.User)
	b.audit(ctx, req, "crisis."+name, run.ID, detail)
	if _, canEdit := b.opt.Sender.(Editor); canEdit {
		if err := b.reply(ctx, req.Message, Reply{Text: txtCrisisDone.In(lang), Ephemeral: true}); err != nil {
			return true, err
		}
	}
	return true, b.showChecklist(ctx, run, false)
}

// itemNumber reads the item number that starts args.
func itemNumber(args string) (int, string, bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	n, err := strconv.Atoi(strings.TrimSuffix(first, "."))
	return n, strings.TrimSpace(rest), err == nil
}

func (b *Bot) crisisSetState(s workflows.ItemState) func(context.Context, Request, string) error {
	name := map[workflows.ItemState]string{workflows.ItemDone: "check", workflows.ItemOpen: "uncheck", workflows.ItemSkipped: "skip"}[s]
	return func(ctx context.Context, req Request, args string) error {
		n, rest, ok := itemNumber(args)
		if !ok || rest != "" {
			return b.usage(ctx, req, name, "")
		}
		now := b.now()
		return b.change(ctx, req, name, fmt.Sprintf("item %d", n), func(r *workflows.CrisisRun) error { return r.SetState(n, s, req.User, now) })
	}
}

func (b *Bot) crisisAssign(ctx context.Context, req Request, args string) error {
	n, who, ok := itemNumber(args)
	if !ok || who == "" {
		return b.usage(ctx, req, "assign", "")
	}
	if slices.Contains([]string{"mig", "me", "selv", "myself"}, strings.ToLower(who)) {
		who = req.User
	}
	staff, found := b.opt.Roster.Find(who)
	if !found {
		return b.usage(ctx, req, "assign", fmtText(txtCrisisNobody, req.Lang(), "«"+truncate(who, 20)+"»"))
	}
	now := b.now()
	return b.change(ctx, req, "assign", fmt.Sprintf("item %d to %s", n, staff.User), func(r *workflows.CrisisRun) error { return r.Assign(n, staff.User, req.User, now) })
}

func (b *Bot) crisisNote(ctx context.Context, req Request, args string) error {
	n, note, ok := itemNumber(args)
	if !ok || note == "" {
		return b.usage(ctx, req, "note", "")
	}
	now := b.now()
	return b.change(ctx, req, "note", fmt.Sprintf("item %d", n), func(r *workflows.CrisisRun) error { return r.AddNote(n, note, req.User, now) })
}

func (b *Bot) crisisReopen(ctx context.Context, req Request, _ string) error {
	now := b.now()
	return b.change(ctx, req, "reopen", "", func(r *workflows.CrisisRun) error { return r.Reopen(req.User, now) })
}

func (b *Bot) crisisEnd(ctx context.Context, req Request, _ string) error {
	now := b.now()
	var disease string
	ended, err := b.changed(ctx, req, "end", "", func(r *workflows.CrisisRun) error {
		disease = r.Disease
		return r.End(req.User, now)
	})
	if !ended || err != nil {
		return err
	}
	if run, err := b.opt.Store.CurrentCrisis(ctx); err == nil {
		if err := b.ensureEvaluation(ctx, run); err != nil {
			b.log.Error("arm evaluation reminders", "crisis", run.ID, "err", err) // StartReminders arms them at the next start
		}
	}
	return b.reply(ctx, req.Message, Reply{Text: fmtText(txtCrisisEnded, req.Lang(), disease)})
}

// showChecklist posts the checklist (first) or brings every message that
// shows it up to date: edited in place where the adapter can, posted anew
// where it cannot.
func (b *Bot) showChecklist(ctx context.Context, run workflows.CrisisRun, first bool) error {
	poster, canPost := b.opt.Sender.(Poster)
	editor, canEdit := b.opt.Sender.(Editor)
	var newIDs map[int]string
	for i, p := range run.Posts {
		r := Reply{Channel: p.Channel, Text: workflows.RenderChecklist(run, b.view(run, b.opt.Lang, p.ReadOnly))}
		if !p.ReadOnly {
			r.Actions = checklistActions(run, b.opt.Lang)
		}
		switch {
		case canEdit && p.ID != "":
			if err := editor.Edit(ctx, p.Channel, p.ID, r); err != nil {
				return fmt.Errorf("edit checklist of %s in %s: %w", run.ID, p.Channel, err)
			}
		case canPost && (first || canEdit):
			id, err := poster.Post(ctx, r)
			if err != nil {
				return fmt.Errorf("post checklist of %s in %s: %w", run.ID, p.Channel, err)
			}
			if newIDs == nil {
				newIDs = map[int]string{}
			}
			newIDs[i] = id
		default:
			if err := b.opt.Sender.Send(ctx, r); err != nil {
				return fmt.Errorf("post checklist of %s in %s: %w", run.ID, p.Channel, err)
			}
		}
	}
	if len(newIDs) == 0 {
		return nil
	}
	_, err := b.opt.Store.UpdateCrisis(ctx, run.ID, func(r *workflows.CrisisRun) error {
		for i, id := range newIDs {
			if i < len(r.Posts) {
				r.Posts[i].ID = id
			}
		}
		return nil
	})
	return err
}

// runFor finds the run a report names, or the current one.
func (b *Bot) runFor(ctx context.Context, req Request, id string) (workflows.CrisisRun, bool, error) {
	if id == "" {
		return b.current(ctx, req)
	}
	run, err := b.opt.Store.Crisis(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return run, false, b.reply(ctx, req.Message, Reply{Text: fmtText(txtCrisisNoRun, req.Lang(), "«"+truncate(id, 20)+"»"), Ephemeral: true})
	}
	if err != nil {
		return run, false, b.failed(ctx, req.Message, req.Lang(), err)
	}
	return run, true, nil
}

func (b *Bot) crisisReport(ctx context.Context, req Request, args string) error {
	run, ok, err := b.runFor(ctx, req, args)
	if !ok {
		return err
	}
	report, err := CrisisReport(ctx, b.opt.Store, run, req.Lang(), b.opt.Roster.Name, b.opt.Location)
	if err != nil {
		return b.failed(ctx, req.Message, req.Lang(), err)
	}
	b.log.Info("crisis report", "crisis", run.ID, "by", req.User)
	b.audit(ctx, req, "crisis.report", run.ID, "")
	return b.reply(ctx, req.Message, Reply{User: req.User, Text: report}) // to her direct conversation: it holds the notes
}

// CrisisReport writes the Markdown report of a run with the figures of the
// visits registered during it; the command line uses it too.
func CrisisReport(ctx context.Context, visits VisitStore, run workflows.CrisisRun, lang workflows.Lang, names workflows.Names, loc *time.Location) (string, error) {
	var during []workflows.Visit
	// All visits: one registered during the crisis may be dated before it.
	for v, err := range visits.Visits(ctx, "", "") {
		if err != nil {
			return "", fmt.Errorf("report crisis %s: %w", run.ID, err)
		}
		if v.Crisis != nil && v.Crisis.ID == run.ID {
			during = append(during, v)
		}
	}
	return workflows.CrisisReport(run, during, lang, names, loc), nil
}

func (b *Bot) crisisList(ctx context.Context, req Request, _ string) error {
	lang := req.Lang()
	lines := []string{txtCrisisListHead.In(lang)}
	for run, err := range b.opt.Store.Crises(ctx) {
		if err != nil {
			return b.failed(ctx, req.Message, lang, err)
		}
		lines = append(lines, fmt.Sprintf("• %s %s – %s (%s)", run.ID, run.Disease, phaseName(run.Phase, lang),
			workflows.LongDate(run.Started.In(b.opt.Location), lang)))
	}
	if len(lines) == 1 {
		return b.reply(ctx, req.Message, Reply{Text: txtCrisisNone.In(lang), Ephemeral: true})
	}
	return b.reply(ctx, req.Message, Reply{Text: strings.Join(lines, "\n"), Ephemeral: true})
}

func (b *Bot) crisisSMS(ctx context.Context, req Request, args string) error {
	lang := req.Lang()
	want := strings.ToLower(strings.TrimSpace(args))
	if want == "" {
		want = string(lang)
	}
	templates := map[string]string{}
	for l, t := range workflows.SMSTemplates {
		templates[l] = t
	}
	for l, t := range b.opt.Crisis.SMS {
		templates[strings.ToLower(l)] = t
	}
	tmpl, ok := templates[want]
	if !ok {
		langs := make([]string, 0, len(templates))
		for l := range templates {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		return b.usage(ctx, req, "sms", fmtText(txtCrisisNoLang, lang, "«"+truncate(want, 10)+"»", strings.Join(langs, ", ")))
	}
	disease := text{Da: "<sygdom>", En: "<disease>"}.In(lang)
	var crisisID string
	if run, err := b.opt.Store.CurrentCrisis(ctx); err == nil && run.InForce() {
		disease, crisisID = run.Disease, run.ID
	}
	sms := workflows.FillSMS(tmpl, disease, b.opt.Crisis.Hotline)
	b.audit(ctx, req, "crisis.sms", crisisID, "language "+want)
	length := workflows.MeasureSMS(sms)
	return b.reply(ctx, req.Message, Reply{Text: fmt.Sprintf("%s\n\n(%s)", sms, length.Describe(lang)), Ephemeral: true})
}

func phaseName(p workflows.Phase, lang workflows.Lang) string {
	return map[workflows.Phase]text{
		workflows.PhaseActive:    {Da: "aktiv", En: "active"},
		workflows.PhaseReopening: {Da: "genåbning", En: "reopening"},
		workflows.PhaseEnded:     {Da: "afsluttet", En: "ended"},
	}[p].In(lang)
}

// checklistActions are the "done" and "mine" buttons of the open items.
func checklistActions(run workflows.CrisisRun, lang workflows.Lang) []workflows.Option {
	items, _ := run.Checklist()
	var out []workflows.Option
	for i, it := range items {
		if it.State == workflows.ItemOpen {
			out = append(out, workflows.Option{Value: fmt.Sprintf("/crisis check %d", i+1),
				Label: fmt.Sprintf(text{Da: "✓ %d udført", En: "✓ %d done"}.In(lang), i+1)})
			if it.Assignee == "" {
				out = append(out, workflows.Option{Value: fmt.Sprintf("/crisis assign %d me", i+1),
					Label: fmt.Sprintf(text{Da: "👤 %d tager jeg", En: "👤 %d is mine"}.In(lang), i+1)})
			}
		}
	}
	return out
}

// view is how the bot renders a run's checklist.
func (b *Bot) view(run workflows.CrisisRun, lang workflows.Lang, readOnly bool) workflows.ChecklistView {
	tmpl := workflows.SMSTemplates[string(lang)]
	return workflows.ChecklistView{Lang: lang, Names: b.opt.Roster.Name, Location: b.opt.Location, ReadOnly: readOnly,
		SMS: workflows.FillSMS(tmpl, run.Disease, b.opt.Crisis.Hotline)}
}
