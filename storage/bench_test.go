package storage

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
	"beredskab/workflows"
)

// These benchmarks measure a chat turn against its floor. A turn is one
// message through the real bot: load the draft, step the engine, store the
// draft with one synced transaction, send the reply. The floor is one bare
// synced Badger write of the same size as that draft. Run:
//
//	go test -run '^$' -bench . -benchmem ./storage/

func benchStore(b *testing.B) *Store {
	b.Helper()
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	s, err := Open(b.Context(), Options{Dir: b.TempDir(), Key: key})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// firstPerson answers Skema 1 and the first person's block, leaving the
// registration at "did you meet another person?".
var firstPerson = []string{"/besøg", "3.12.2026", "1", "1", "Vestergade 12, 8000 Aarhus C", "1", "1", "1, 2, 4", "3", "1",
	"2, 3", "Drøftet mistanke om pres", "spring over", "Klinikken var travl",
	"thai", "kvinde", "ca. 34", "nej", "ja, virker bange og træt", "ja", "tandpine", "nej", "nej", "nej"}

// secondPerson completes the registration from there.
var secondPerson = []string{"ja", "Nigeria", "mand", "16", "ja", "nej", "ved ikke", "nej", "nej", "nej", "ved ikke", "nej", "nej", "gem"}

type discard struct{}

func (discard) Send(context.Context, bot.Reply) error { return nil }

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC) }

func benchBot(b *testing.B, s *Store) *bot.Bot {
	b.Helper()
	roster, err := bot.NewRoster([]bot.Staff{{User: "u1", Initials: "AB", Organisation: "CMM", Lang: workflows.Danish, Role: bot.Midwife}})
	if err != nil {
		b.Fatal(err)
	}
	bt, err := bot.New(bot.Options{Roster: roster, Store: s, Sender: discard{}, Clock: fixedClock{}})
	if err != nil {
		b.Fatal(err)
	}
	return bt
}

func say(b *testing.B, bt *bot.Bot, lines ...string) {
	for _, l := range lines {
		if err := bt.Handle(b.Context(), bot.Message{User: "u1", Channel: "dm", Direct: true, Text: l}); err != nil {
			b.Fatal(err)
		}
	}
}

// midDraft is the draft of a registration halfway through person 1's block.
func midDraft(b *testing.B, s *Store) workflows.Draft {
	bt := benchBot(b, s)
	say(b, bt, firstPerson[:18]...)
	d, err := s.Draft(b.Context(), "u1")
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkBareSyncedWrite is the floor: one synced transaction writing as
// many bytes as a mid-registration draft.
func BenchmarkBareSyncedWrite(b *testing.B) {
	s := benchStore(b)
	val, err := json.Marshal(midDraft(b, s))
	if err != nil {
		b.Fatal(err)
	}
	key := []byte("bench/bare")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, val) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(val)), "bytes/write")
}

// BenchmarkSaveDraft is the store's part of a turn: encode and one synced write.
func BenchmarkSaveDraft(b *testing.B) {
	s := benchStore(b)
	d := midDraft(b, s)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.SaveDraft(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTurnWithSave is one chat turn through the real bot with its
// durable save. The midwife answers a yes/no question, then steps back to
// it, alternately, so every turn is a real step that stores the draft.
func BenchmarkTurnWithSave(b *testing.B) {
	s := benchStore(b)
	bt := benchBot(b, s)
	say(b, bt, firstPerson[:18]...)
	turn := []string{"nej", "tilbage"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		say(b, bt, turn[i%2])
		i++
	}
}

// BenchmarkRegistration is a whole two-person registration, from /besøg to
// the saved visit, through the real bot and store.
func BenchmarkRegistration(b *testing.B) {
	s := benchStore(b)
	bt := benchBot(b, s)
	b.ReportAllocs()
	for b.Loop() {
		say(b, bt, firstPerson...)
		say(b, bt, secondPerson...)
	}
	b.ReportMetric(float64(len(firstPerson)+len(secondPerson)), "turns/op")
}
