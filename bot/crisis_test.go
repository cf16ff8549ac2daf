package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"beredskab/bot"
	"beredskab/workflows"
)

// editingChat is a Sender that can post and edit messages, like Slack and
// Mattermost: it keeps every channel's messages by id.
type editingChat struct {
	recorder
	mu       sync.Mutex
	next     int
	messages map[string]bot.Reply // id -> current content
	edits    int
}

func (e *editingChat) Post(_ context.Context, r bot.Reply) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.next++
	id := fmt.Sprintf("m%d", e.next)
	if e.messages == nil {
		e.messages = map[string]bot.Reply{}
	}
	e.messages[id] = r
	return id, nil
}

func (e *editingChat) Edit(_ context.Context, channel, id string, r bot.Reply) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.messages[id]; !ok || old.Channel != channel {
		return fmt.Errorf("no message %s in %s", id, channel)
	}
	e.messages[id] = r
	e.edits++
	return nil
}

func channelMsg(user, text string) bot.Message {
	return bot.Message{User: user, Channel: "C-team", Text: text}
}

func TestMidwivesCannotStartReopenOrEndACrisis(t *testing.T) {
	h := newHarness(t)
	for _, cmd := range []string{"/krise start COVID-19", "/crisis reopen", "/crisis end"} {
		mustContain(t, h.send(channelMsg("mw", cmd)), "Kun koordinatorer")
	}
	mustContain(t, h.send(channelMsg("co", "/krise start COVID-19")), "startet som 2026-K01")
	mustContain(t, h.send(channelMsg("mw", "/krise check 2")), "☑ Øget opmærksomhed")
	mustContain(t, h.send(channelMsg("mw", "/krise end")), "Kun koordinatorer")
	mustContain(t, h.dm("mw", "/hjælp"), "/krise")
	if got := h.dm("mw", "/hjælp"); strings.Contains(got, "start, reopen, end") {
		t.Errorf("a midwife's help offers coordinator actions:\n%s", got)
	}
	mustContain(t, h.dm("co", "/hjælp"), "start, reopen, end")
}

func TestEveryCrisisCommandAnswersAWrongArgumentWithItsUse(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.send(channelMsg("co", "/krise check 1")), "ingen krise")
	mustContain(t, h.send(channelMsg("co", "/krise end")), "ingen krise")
	mustContain(t, h.send(channelMsg("co", "/krise start")), "Brug: /krise start <sygdom>")
	h.send(channelMsg("co", "/krise start COVID-19"))
	for _, c := range []struct{ cmd, want string }{
		{"/krise check 9", "intet punkt «9» – vælg 1–8"},
		{"/krise check x", "Brug: /krise check <nr>"},
		{"/krise check", "Brug: /krise check <nr>"},
		{"/krise uncheck 0", "intet punkt"},
		{"/krise assign 3 nobody", "Ingen på medarbejderlisten hedder «nobody»"},
		{"/krise assign 3", "Brug: /krise assign"},
		{"/krise note 2", "Brug: /krise note"},
		{"/krise sms xx", "ingen SMS-skabelon på «xx»"},
		{"/krise report 1999-K09", "ingen krise med id"},
		{"/krise frobnicate", "• /krise start"},
		{"/krise start Mpox", "allerede i gang"},
		{"/crisis check 2 and 3", "Brug: /krise check"},
		{"/krise reopen", "genåbning"},
		{"/krise reopen again", "nuværende fase (genåbning)"},
		{"/krise assign 4 mk", "ansvarlig: MK"},
		{"/krise note 4 28 pakker", "💬 28 pakker"},
	} {
		mustContain(t, h.send(channelMsg("co", c.cmd)), c.want)
	}
}

// TestChecklistIsOneMessageEditedInPlace: with an adapter that can edit,
// start posts the checklist once in the channel and once read-only in the
// broadcast channel, and every change edits both.
func TestChecklistIsOneMessageEditedInPlace(t *testing.T) {
	h := newHarness(t)
	chat := &editingChat{}
	r, _ := bot.NewRoster(roster)
	b, err := bot.New(bot.Options{Roster: r, Store: h.store, Sender: chat, Clock: h.clock,
		Crisis: bot.CrisisOptions{Broadcast: []string{"C-ngo"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"/krise start COVID-19", "/krise check 1", "/krise assign 2 MK", "/krise check 3"} {
		if err := b.Handle(t.Context(), channelMsg("co", cmd)); err != nil {
			t.Fatal(err)
		}
	}
	if len(chat.messages) != 2 || chat.edits != 6 {
		t.Fatalf("want 2 messages edited 3 times each, got %d messages, %d edits", len(chat.messages), chat.edits)
	}
	team, ngo := chat.messages["m1"], chat.messages["m2"]
	if team.Channel != "C-team" || ngo.Channel != "C-ngo" {
		t.Fatalf("channels: %q %q", team.Channel, ngo.Channel)
	}
	for _, m := range []bot.Reply{team, ngo} {
		mustContain(t, m.Text, "☑ Udsend information", "ansvarlig: MK", "☑ Samarbejde med politi")
	}
	mustContain(t, ngo.Text, "Kopi til orientering")
	if len(ngo.Actions) != 0 || len(team.Actions) != 11 || team.Actions[0].Value != "/crisis check 2" || team.Actions[2].Value != "/crisis assign 4 me" {
		t.Errorf("buttons: team %+v, read-only copy %+v", team.Actions, ngo.Actions)
	}
	if strings.Contains(ngo.Text, "/krise check") {
		t.Error("the read-only copy invites commands")
	}
}

// TestConcurrentChecksAllWin: everyone on the roster checks items and adds
// notes at the same moment; every change lands.
func TestConcurrentChecksAllWin(t *testing.T) {
	h := newHarness(t)
	h.send(channelMsg("co", "/krise start COVID-19"))
	users := []string{"mw", "en", "co"}
	var wg sync.WaitGroup
	for i := range 48 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := users[i%len(users)]
			cmd := fmt.Sprintf("/krise note %d note %d", i%8+1, i)
			if i < 8 {
				cmd = fmt.Sprintf("/krise check %d", i+1)
			}
			if err := h.bot.Handle(context.Background(), channelMsg(u, cmd)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	run, err := h.store.CurrentCrisis(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for i, it := range run.Items {
		if it.State != workflows.ItemDone {
			t.Errorf("item %d lost its check: %s", i+1, it.State)
		}
		notes += len(it.Notes)
	}
	if notes != 40 || len(run.Timeline) != 49 {
		t.Errorf("want 40 notes and 49 timeline entries, got %d and %d", notes, len(run.Timeline))
	}
}

func TestRegistrationDuringACrisisAsksItsQuestions(t *testing.T) {
	h := newHarness(t)
	h.dm("mw", "/besøg") // a draft from before the crisis keeps its questions
	h.send(channelMsg("co", "/krise start Mpox"))
	answers := []string{"i går", "1", "1", "Vej 1", "1", "1", "spring over", "spring over", "spring over",
		"TH", "1", "30", "nej", "nej", "nej", "nej", "nej"}
	var last string
	for _, a := range answers {
		last = h.dm("mw", a)
	}
	mustContain(t, last, "9/10 Prostituerer") // no crisis questions: started before it

	h.dm("mw", "afbryd")
	h.dm("mw", "ja")
	h.dm("mw", "/besøg")
	for _, a := range answers {
		last = h.dm("mw", a)
	}
	mustContain(t, last, "Symptomer på Mpox?")
	h.dm("mw", "ja")
	mustContain(t, h.dm("mw", "ja"), "Prostituerer")
	h.dm("mw", "nej")
	h.dm("mw", "nej")
	h.dm("mw", "nej")
	mustContain(t, h.dm("mw", "gem"), "gemt som 2026-0001")
	v, err := h.store.Visit(t.Context(), "2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if v.Crisis == nil || v.Crisis.ID != "2026-K01" || v.Crisis.Disease != "Mpox" || v.Persons[0]["crisis_symptoms"].Text != "yes" {
		t.Errorf("visit does not record the crisis: %+v %+v", v.Crisis, v.Persons)
	}
}
