package bot_test

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"log/slog"
	"strings"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/storage"
	"beredskab/workflows"
)

// newAuditedBot is a bot over an in-memory store that is also its audit
// log, as main wires it.
func newAuditedBot(t *testing.T, audit bot.AuditLog, log *bytes.Buffer) (*bot.Bot, *storage.Store, *recorder) {
	t.Helper()
	s, err := storage.Open(t.Context(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if audit == nil {
		audit = s
	}
	r, err := bot.NewRoster(roster)
	if err != nil {
		t.Fatal(err)
	}
	out := &recorder{}
	b, err := bot.New(bot.Options{Roster: r, Store: s, Sender: out, Clock: &clock{t: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)},
		Logger: slog.New(slog.NewTextHandler(log, nil)), Audit: audit, Platform: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return b, s, out
}

func TestEveryCrisisCommandIsAudited(t *testing.T) {
	var log bytes.Buffer
	b, s, out := newAuditedBot(t, nil, &log)
	steps := []struct {
		user, text string
		want       *bot.AuditEntry // nil: nothing audited
	}{
		{"co", "/krise start COVID-19", &bot.AuditEntry{Who: "co", Action: "crisis.start", Object: "2026-K01", Detail: "disease COVID-19"}},
		{"mw", "/krise status", nil},
		{"mw", "/krise check 2", &bot.AuditEntry{Who: "mw", Action: "crisis.check", Object: "2026-K01", Detail: "item 2"}},
		{"mw", "/krise uncheck 2", &bot.AuditEntry{Who: "mw", Action: "crisis.uncheck", Object: "2026-K01", Detail: "item 2"}},
		{"mw", "/krise skip 4", &bot.AuditEntry{Who: "mw", Action: "crisis.skip", Object: "2026-K01", Detail: "item 4"}},
		{"co", "/krise assign 3 MK", &bot.AuditEntry{Who: "co", Action: "crisis.assign", Object: "2026-K01", Detail: "item 3 to mw"}},
		{"mw", "/krise note 3 ringede til Ahmed om hans hoste", &bot.AuditEntry{Who: "mw", Action: "crisis.note", Object: "2026-K01", Detail: "item 3"}},
		{"mw", "/krise check 99", nil}, // refused: no such item
		{"mw", "/krise sms en", &bot.AuditEntry{Who: "mw", Action: "crisis.sms", Object: "2026-K01", Detail: "language en"}},
		{"co", "/krise reopen", &bot.AuditEntry{Who: "co", Action: "crisis.reopen", Object: "2026-K01"}},
		{"mw", "/krise end", nil}, // refused: coordinators only
		{"co", "/krise end", &bot.AuditEntry{Who: "co", Action: "crisis.end", Object: "2026-K01"}},
		{"co", "/krise report", &bot.AuditEntry{Who: "co", Action: "crisis.report", Object: "2026-K01"}},
	}
	seen := 0
	for _, st := range steps {
		if err := b.Handle(t.Context(), channelMsg(st.user, st.text)); err != nil {
			t.Fatalf("%s: %v", st.text, err)
		}
		out.take()
		var got []bot.AuditEntry
		for e, err := range s.Entries(t.Context(), time.Time{}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
		got = got[seen:]
		switch {
		case st.want == nil && len(got) != 0:
			t.Errorf("%s: audited %+v, want nothing", st.text, got)
		case st.want != nil && len(got) != 1:
			t.Errorf("%s: %d entries, want 1: %+v", st.text, len(got), got)
		case st.want != nil:
			e := got[0]
			if e.Who != st.want.Who || e.Action != st.want.Action || e.Object != st.want.Object || e.Detail != st.want.Detail || e.Platform != "test" || e.At.IsZero() {
				t.Errorf("%s: got %+v, want %+v", st.text, e, *st.want)
			}
		}
		seen += len(got)
	}
	for e := range s.Entries(t.Context(), time.Time{}) {
		if strings.Contains(e.Detail, "Ahmed") {
			t.Errorf("a note's text reached the audit log: %+v", e)
		}
	}
}

// brokenAudit fails every append.
type brokenAudit struct{}

func (brokenAudit) Append(context.Context, bot.AuditEntry) error { return errors.New("disk full") }
func (brokenAudit) Entries(context.Context, time.Time) iter.Seq2[bot.AuditEntry, error] {
	return func(func(bot.AuditEntry, error) bool) {}
}

func TestAFailedAuditAppendIsLoggedNotDropped(t *testing.T) {
	var log bytes.Buffer
	b, _, out := newAuditedBot(t, brokenAudit{}, &log)
	if err := b.Handle(t.Context(), channelMsg("co", "/krise start COVID-19")); err != nil {
		t.Fatal(err)
	}
	if got := out.take(); len(got) == 0 || !strings.Contains(got[0].Text, "2026-K01") {
		t.Errorf("the crisis did not start: %+v", got)
	}
	if !strings.Contains(log.String(), "audit entry not written") || !strings.Contains(log.String(), "crisis.start") {
		t.Errorf("the failed append was not logged:\n%s", log.String())
	}
}

func TestADeletionsReasonStaysOutOfTheAuditLog(t *testing.T) {
	var log bytes.Buffer
	b, s, out := newAuditedBot(t, nil, &log)
	if _, err := s.FinishVisit(t.Context(), "mw", workflows.Visit{Date: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Handle(t.Context(), bot.Message{User: "co", Channel: "D-co", Direct: true, Text: "/besøgsliste slet 2026-0001 Ahmed bad om det"}); err != nil {
		t.Fatal(err)
	}
	if got := out.take(); len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "slettet") {
		t.Fatalf("not deleted: %+v", got)
	}
	n := 0
	for e, err := range s.Entries(t.Context(), time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Action == "visit.delete" {
			n++
			if e.Object != "2026-0001" || strings.Contains(e.Detail, "Ahmed") {
				t.Errorf("audit entry: %+v", e)
			}
		}
	}
	if n != 1 || strings.Contains(log.String(), "Ahmed") {
		t.Errorf("%d deletions audited; log:\n%s", n, log.String())
	}
}
