package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/storage"
	"beredskab/workflows"
)

// recorder is a Sender that keeps every reply.
type recorder struct {
	mu      sync.Mutex
	replies []bot.Reply
}

func (r *recorder) Send(_ context.Context, rep bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replies = append(r.replies, rep)
	return nil
}

// take returns the replies since the last take.
func (r *recorder) take() []bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replies
	r.replies = nil
	return out
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// flakyStore fails SaveDraft when told to, like a full disk.
type flakyStore struct {
	*storage.Store
	fail bool
}

func (f *flakyStore) SaveDraft(ctx context.Context, d workflows.Draft) error {
	if f.fail {
		return errors.New("disk full")
	}
	return f.Store.SaveDraft(ctx, d)
}

type harness struct {
	t     *testing.T
	store *flakyStore
	out   *recorder
	clock *clock
	log   *bytes.Buffer
	bot   *bot.Bot
}

var roster = []bot.Staff{
	{User: "mw", Initials: "MK", Organisation: "CMM", Lang: workflows.Danish, Role: bot.Midwife},
	{User: "en", Initials: "JS", Organisation: "AmiAmi", Lang: workflows.English, Role: bot.Midwife},
	{User: "co", Initials: "KO", Lang: workflows.Danish, Role: bot.Coordinator},
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	s, err := storage.Open(t.Context(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := &harness{t: t, store: &flakyStore{Store: s}, out: &recorder{}, log: &bytes.Buffer{},
		clock: &clock{t: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)}}
	h.restart()
	return h
}

// restart makes a new bot over the same store, as after a process restart.
func (h *harness) restart() {
	r, err := bot.NewRoster(roster)
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := bot.New(bot.Options{Roster: r, Store: h.store, Sender: h.out, Clock: h.clock, Organisation: "CMM",
		Logger: slog.New(slog.NewTextHandler(h.log, nil))})
	if err != nil {
		h.t.Fatal(err)
	}
	h.bot = b
}

// dm sends a direct message and returns the bot's replies, joined.
func (h *harness) dm(user, text string) string {
	h.t.Helper()
	return h.send(bot.Message{User: user, Channel: "D-" + user, Direct: true, Text: text})
}

func (h *harness) send(m bot.Message) string {
	h.t.Helper()
	if err := h.bot.Handle(h.t.Context(), m); err != nil && !strings.Contains(err.Error(), "disk full") {
		h.t.Fatalf("handle %q: %v", m.Text, err)
	}
	var parts []string
	for _, r := range h.out.take() {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n---\n")
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q; got:\n%s", w, got)
		}
	}
}

func TestUnknownUserIsRefusedPolitelyAndNothingElse(t *testing.T) {
	h := newHarness(t)
	got := h.dm("stranger", "/besøg")
	mustContain(t, got, "ikke på listen", "not on the staff list")
	if _, err := h.store.Draft(t.Context(), "stranger"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("a draft was made for an unknown user: %v", err)
	}
}

func TestVisitInAChannelPointsToTheDirectConversation(t *testing.T) {
	h := newHarness(t)
	if err := h.bot.Handle(t.Context(), bot.Message{User: "mw", Channel: "C-team", Text: "/visit"}); err != nil {
		t.Fatal(err)
	}
	replies := h.out.take()
	if len(replies) != 2 {
		t.Fatalf("want a pointer in the channel and the first question in the DM, got %d replies: %+v", len(replies), replies)
	}
	if replies[0].Channel != "C-team" || !replies[0].Ephemeral || !strings.Contains(replies[0].Text, "direkte samtale") {
		t.Errorf("channel reply: %+v", replies[0])
	}
	if replies[1].Channel != "" || replies[1].User != "mw" || !strings.Contains(replies[1].Text, "3/10 Dato") {
		t.Errorf("the registration must start in the DM (no channel, the user): %+v", replies[1])
	}
}

func TestPlainChatterInAChannelIsIgnored(t *testing.T) {
	h := newHarness(t)
	if got := h.send(bot.Message{User: "mw", Channel: "C-team", Text: "godmorgen alle"}); got != "" {
		t.Errorf("the bot answered channel chatter: %q", got)
	}
}

func TestCommandsWorkAsSlashAndPlainInBothLanguages(t *testing.T) {
	for _, text := range []string{"/besøg", "/besog", "/visit", "besøg", "Besøg", "visit"} {
		t.Run(text, func(t *testing.T) {
			h := newHarness(t)
			mustContain(t, h.dm("mw", text), "Ny registrering", "3/10 Dato")
		})
	}
}

func TestHelpListsWhatTheRoleMayDo(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.dm("mw", "hjælp"), "/besøg", "midwife")
	mustContain(t, h.dm("en", "/help"), "/visit – register a visit", "What you can do")
}

func TestUnknownCommandSuggestsTheClosest(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.dm("mw", "/besg"), "kender ikke kommandoen", "«/besøg»", "hjælp")
	mustContain(t, h.dm("mw", "hvad så"), "forstod ikke", "hjælp")
	mustContain(t, h.dm("en", "/vist"), "do not know the command", "help")
}

func TestEnglishUserGetsEnglish(t *testing.T) {
	h := newHarness(t)
	got := h.dm("en", "/visit")
	mustContain(t, got, "New registration", "3/10 Date of the outreach")
	mustContain(t, h.dm("en", "yesterday"), "Thursday 3 December 2026", "4/10 Method")
}

func TestRestartOffersToResumeTheDraft(t *testing.T) {
	h := newHarness(t)
	h.dm("mw", "/besøg")
	h.dm("mw", "i går")
	h.dm("mw", "2")
	h.restart()
	got := h.dm("mw", "3")
	mustContain(t, got, "ikke er gjort færdig", "torsdag 3. december 2026", "fortsætte")
	mustContain(t, h.dm("mw", "hmm"), "«fortsæt» eller «kassér»")
	mustContain(t, h.dm("mw", "fortsæt"), "5/10 Lokation")
	mustContain(t, h.dm("mw", "1"), "6/11 Klinikkens adresse")

	h.restart()
	h.dm("mw", "/besøg")
	mustContain(t, h.dm("mw", "kassér"), "kasseret")
	if _, err := h.store.Draft(t.Context(), "mw"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("discarded draft still stored: %v", err)
	}
	mustContain(t, h.dm("mw", "besøg"), "Ny registrering")
}

func TestOldDraftsAreDroppedWithANote(t *testing.T) {
	h := newHarness(t)
	h.dm("mw", "/besøg")
	h.dm("mw", "i dag")
	h.clock.t = h.clock.t.Add(15 * 24 * time.Hour)
	mustContain(t, h.dm("mw", "1"), "fredag 4. december 2026", "er slettet", "14 dage")
	if _, err := h.store.Draft(t.Context(), "mw"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("old draft still stored: %v", err)
	}
}

func TestAFailedSaveIsToldAndLosesNothing(t *testing.T) {
	h := newHarness(t)
	h.dm("mw", "/besøg")
	h.dm("mw", "i dag")
	h.store.fail = true
	mustContain(t, h.dm("mw", "telefon"), "kunne ikke gemme", "Intet er tabt")
	h.store.fail = false
	d, err := h.store.Draft(t.Context(), "mw")
	if err != nil || d.Visit["date"].Text != "2026-12-04" {
		t.Fatalf("the acknowledged answer is gone: %v %+v", err, d.Visit)
	}
	mustContain(t, h.dm("mw", "telefon"), "5/10 Lokation")
}

func TestCancelOutsideARegistration(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.dm("mw", "afbryd"), "ingen registrering i gang")
}

// TestPersonDataStaysOutOfTheLog runs a whole registration and checks that
// the application log names ids only.
func TestPersonDataStaysOutOfTheLog(t *testing.T) {
	h := newHarness(t)
	for _, line := range []string{"/besøg", "i går", "1", "1", "Hemmeligvej 7", "1", "1", "spring over", "spring over",
		"Særlig bemærkning", "Moldova", "1", "ca. 19", "ja", "ja, kæreste tager pas", "nej", "nej", "nej", "nej", "nej"} {
		h.dm("mw", line)
	}
	mustContain(t, h.dm("mw", "gem"), "gemt som 2026-0001", "mistanke om menneskehandel")
	log := h.log.String()
	mustContain(t, log, "visit saved", "2026-0001")
	for _, secret := range []string{"Hemmeligvej", "Særlig", "Moldova", "kæreste"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %q:\n%s", secret, log)
		}
	}
}
