package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"beredskab/bot"
	"beredskab/reminders"
	"beredskab/storage"
	"beredskab/workflows"
)

// reminderHarness is the bot with a real dispatcher over an in-memory store
// and a fake clock: Friday 4 December 2026, 10:30 in Copenhagen.
type reminderHarness struct {
	*harness
	fake       *clockwork.FakeClock
	dispatcher *reminders.Dispatcher
}

func newReminderHarness(t *testing.T) *reminderHarness {
	t.Helper()
	s, err := storage.Open(t.Context(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	fake := clockwork.NewFakeClockAt(time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC))
	h := &reminderHarness{harness: &harness{t: t, store: &flakyStore{Store: s}, out: &recorder{}, log: &bytes.Buffer{}}, fake: fake}
	d, err := reminders.New(reminders.Options{Store: s, Clock: fake, Location: loc,
		Deliver: func(ctx context.Context, r reminders.Reminder, key string, late bool) (bool, error) {
			return h.bot.DeliverReminder(ctx, r, key, late)
		}})
	if err != nil {
		t.Fatal(err)
	}
	h.dispatcher = d
	r, _ := bot.NewRoster(roster)
	h.bot, err = bot.New(bot.Options{Roster: r, Store: h.store, Sender: h.out, Clock: fake, Location: loc, Organisation: "CMM",
		Logger: slog.New(slog.NewTextHandler(h.log, nil)), Reminders: d,
		Reminder: bot.ReminderOptions{TeamChannel: "C-team", Drill: reminders.DrillDate{Month: time.September, Day: 25}, NudgeAfter: 4 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	// The scheduler is not started: the tests fire reminders themselves,
	// so nothing is delivered behind their back. The dispatcher's own tests
	// cover the scheduler.
	return h
}

// register saves a one-person visit whose person is 16 (so a follow-up is
// suggested) and returns the bot's last reply.
func (h *reminderHarness) register() string {
	var last string
	for _, a := range []string{"/besøg", "i går", "1", "1", "Vestergade 12, Aarhus", "1", "1", "spring over", "spring over", "spring over",
		"TH", "1", "16", "ja", "nej", "nej", "nej", "nej", "nej", "nej", "nej", "nej", "gem"} {
		last = h.dm("mw", a)
	}
	return last
}

func (h *reminderHarness) pending(kind reminders.Kind) []reminders.Reminder {
	h.t.Helper()
	all, err := h.dispatcher.Pending(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	var out []reminders.Reminder
	for _, r := range all {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

func TestFollowUpIsOfferedAfterSavingAndRecommendedByTheRules(t *testing.T) {
	h := newReminderHarness(t)
	got := h.register()
	mustContain(t, got, "gemt som 2026-0001", "en person under 18", "opfølgning på besøget?")
	mustContain(t, h.dm("mw", "hmm"), "Svar med et af valgene")
	mustContain(t, h.dm("mw", "1"), "fredag 11. december 2026 kl. 09:00")
	fu := h.pending(reminders.FollowUp)
	if len(fu) != 1 || fu[0].VisitID != "2026-0001" || fu[0].Place != "Vestergade 12, Aarhus" || fu[0].User != "mw" {
		t.Fatalf("follow-up: %+v", fu)
	}
	mustContain(t, h.dm("mw", "/påmindelser"), "1. fredag 11. december 2026 kl. 09:00 – opfølgning på besøg 2026-0001")

	// When due, the midwife gets the visit's id, date and place, never the person.
	h.fake.Advance(7 * 24 * time.Hour)
	if err := h.dispatcher.Fire(t.Context(), fu[0].ID); err != nil {
		t.Fatal(err)
	}
	replies := h.out.take()
	if len(replies) != 1 {
		t.Fatalf("want one reminder, got %+v", replies)
	}
	r := replies[0]
	mustContain(t, r.Text, "Opfølgning", "2026-0001", "torsdag 3. december 2026", "Vestergade 12, Aarhus")
	for _, secret := range []string{"16", "Thailand", "TH"} {
		if strings.Contains(r.Text, secret) {
			t.Errorf("the reminder names the person (%q): %s", secret, r.Text)
		}
	}
	if r.User != "mw" || r.Channel != "" || r.IdempotencyKey != fu[0].ID+"#1" || len(r.Actions) != 4 {
		t.Errorf("reminder reply: %+v", r)
	}

	// Snooze a day, then register the follow-up visit with place and reason filled in.
	mustContain(t, h.dm("mw", "/påmind udsæt "+fu[0].ID+" 1d"), "Udsat til")
	mustContain(t, h.dm("mw", "/besøg opfølgning 2026-0001"), "3/11 Dato")
	var last string
	for _, a := range []string{"i dag", "1", "2", "spring over", "spring over"} {
		last = h.dm("mw", a)
	}
	mustContain(t, last, "Klinikkens adresse (gade, nr., by): Vestergade 12, Aarhus", "Årsag til besøget: Opfølgning")
}

func TestFollowUpOfferAnswers(t *testing.T) {
	for _, tc := range []struct{ answer, want string }{
		{"nej", "ingen opfølgning"},
		{"4", "ingen opfølgning"}, // "Nej" is last when a follow-up is recommended
		{"2 uger", "fredag 18. december 2026"},
		{"15.1.", "fredag 15. januar 2027 kl. 09:00"},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			h := newReminderHarness(t)
			h.register()
			mustContain(t, h.dm("mw", tc.answer), tc.want)
		})
	}
	h := newReminderHarness(t)
	h.register()
	mustContain(t, h.dm("mw", "dato"), "Hvilken dato?")
	mustContain(t, h.dm("mw", "1.1.2020"), "allerede gået")
	mustContain(t, h.dm("mw", "/besøg"), "Ny registrering") // a command closes the offer
	if len(h.pending(reminders.FollowUp)) != 0 {
		t.Error("a closed offer became a reminder")
	}
}

func TestOwnReminders(t *testing.T) {
	h := newReminderHarness(t)
	for _, tc := range []struct{ cmd, want string }{
		{"/påmind", "Skriv fx «/påmind i morgen kl 9"},
		{"/påmind blabla", "kan ikke læse tidspunktet"},
		{"/påmind i dag kl 8 gammelt", "allerede gået"},
		{"/påmind i morgen kl 9", "Hvad skal jeg minde dig om"},
		{"/påmind i morgen kl 9 ring til klinikken", "lørdag 5. december 2026 kl. 09:00"},
		{"/reminder in 3 days check results", "mandag 7. december 2026 kl. 10:30"},
		{"påmind om 2 uger tjek prøvesvar", "fredag 18. december 2026"},
	} {
		mustContain(t, h.dm("mw", tc.cmd), tc.want)
	}
	mustContain(t, h.dm("mw", "/påmindelser"), "1. lørdag 5. december 2026 kl. 09:00 – ring til klinikken", "3. fredag 18. december")
	mustContain(t, h.dm("mw", "/påmindelser slet 9"), "ingen påmindelse nr. «9»")
	mustContain(t, h.dm("mw", "/påmindelser slet 1"), "slettet")
	if got := h.dm("mw", "/påmindelser"); strings.Contains(got, "ring til klinikken") {
		t.Errorf("a cancelled reminder is listed:\n%s", got)
	}
	mustContain(t, h.dm("co", "/påmindelser"), "ingen påmindelser") // one's own only

	own := h.pending(reminders.Own)
	h.fake.Advance(3 * 24 * time.Hour)
	if err := h.dispatcher.Fire(t.Context(), own[0].ID); err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(texts(h.out.take()), "\n"), "⏰ Påmindelse: check results")
}

func texts(rs []bot.Reply) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Text)
	}
	return out
}

func TestDrillIsArmedAndRecorded(t *testing.T) {
	h := newReminderHarness(t)
	if err := h.bot.StartReminders(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.StartReminders(t.Context()); err != nil { // a second start-up adds nothing
		t.Fatal(err)
	}
	drills, heads := h.pending(reminders.Drill), h.pending(reminders.DrillHeadsUp)
	if len(drills) != 1 || len(heads) != 1 || drills[0].Channel != "C-team" || drills[0].Year != 2027 {
		t.Fatalf("drill %+v heads-up %+v", drills, heads)
	}
	mustContain(t, h.send(channelMsg("mw", "/øvelse status")), "Sidste øvelse: ikke registreret. Næste: lørdag 25. september 2027.")
	mustContain(t, h.send(channelMsg("mw", "/øvelse udført")), "ikke adgang")
	mustContain(t, h.send(channelMsg("co", "/drill done")), "registreret som holdt fredag 4. december 2026")
	mustContain(t, h.send(channelMsg("mw", "/øvelse")), "Sidste øvelse: fredag 4. december 2026")

	h.fake.Advance(drills[0].Due.Sub(h.fake.Now()))
	if err := h.dispatcher.Fire(t.Context(), drills[0].ID); err != nil {
		t.Fatal(err)
	}
	sent := h.out.take()
	if len(sent) != 1 || sent[0].Channel != "C-team" {
		t.Fatalf("drill message: %+v", sent)
	}
	mustContain(t, sent[0].Text, "Årlig øvelse", "Invitér politi og NGO'er")
	if next := h.pending(reminders.Drill); len(next) != 1 || next[0].Year != 2028 {
		t.Errorf("next year's drill: %+v", next)
	}
}

func TestEvaluationRemindersUntilDone(t *testing.T) {
	h := newReminderHarness(t)
	h.send(channelMsg("co", "/krise start COVID-19"))
	h.send(channelMsg("co", "/krise end"))
	evals := h.pending(reminders.Evaluation)
	if len(evals) != 1 || evals[0].User != "co" { // the only coordinator or admin on the roster
		t.Fatalf("evaluation reminders: %+v", evals)
	}
	h.out.take()
	h.fake.Advance(7 * 24 * time.Hour)
	if err := h.dispatcher.Fire(t.Context(), evals[0].ID); err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(texts(h.out.take()), "\n"), "Evalueringen efter krisen COVID-19", "gentages ugentligt")
	next := h.pending(reminders.Evaluation)
	if len(next) != 1 || next[0].Round != 2 {
		t.Fatalf("next week's reminder: %+v", next)
	}
	for _, n := range []string{"1", "2", "3"} {
		h.send(channelMsg("co", "/krise check "+n))
	}
	h.out.take()
	h.fake.Advance(7 * 24 * time.Hour)
	if err := h.dispatcher.Fire(t.Context(), next[0].ID); err != nil {
		t.Fatal(err)
	}
	if sent := h.out.take(); len(sent) != 0 {
		t.Errorf("reminded of a finished evaluation: %+v", sent)
	}
	if len(h.pending(reminders.Evaluation)) != 0 {
		t.Error("the evaluation series goes on after it was done")
	}
}

func TestUntouchedDraftGetsOneNudgeAndOldOnesAreDropped(t *testing.T) {
	h := newReminderHarness(t)
	h.dm("mw", "/besøg")
	h.dm("mw", "i dag")
	h.fake.Advance(5 * time.Hour)
	for range 2 {
		if err := h.bot.SweepDrafts(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	nudges := h.pending(reminders.DraftNudge)
	if len(nudges) != 1 {
		t.Fatalf("want one nudge, got %+v", nudges)
	}
	if err := h.dispatcher.Fire(t.Context(), nudges[0].ID); err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(texts(h.out.take()), "\n"), "ufærdig registrering", "fortsætte den eller kassere")
	mustContain(t, h.dm("mw", "fortsæt"), "4/10 Metode")

	h.fake.Advance(15 * 24 * time.Hour)
	if err := h.bot.SweepDrafts(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(texts(h.out.take()), "\n"), "er slettet", "14 dage")
	if _, err := h.store.Draft(t.Context(), "mw"); err == nil {
		t.Error("an expired draft is still stored")
	}
	_ = workflows.Danish
}
