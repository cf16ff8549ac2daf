package mattermost

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chattest"
	"beredskab/adapters/mattermost/mmtest"
	"beredskab/bot"
	"beredskab/storage"
	"beredskab/workflows"
)

// live is the real bot, on in-memory storage, behind the adapter, signed in
// to a real Mattermost server; the staff act through the server's REST API
// as the web app would.
type live struct {
	t     *testing.T
	srv   *mmtest.Server
	team  *mmtest.Team
	a     *Adapter
	store *storage.Store
	logs  *chattest.Log
	// secret and port stay the same across bot restarts, as a deployment's
	// would; stop stops the running bot.
	secret []byte
	port   int
	stop   func() error
	// The staff's side: acting through the REST API, waiting for posts.
	*mmtest.Session
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func startLive(t *testing.T) *live {
	t.Helper()
	srv := mmtest.Start(t)
	team := srv.Setup(t)
	store, err := storage.Open(context.Background(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	l := &live{t: t, srv: srv, team: team, store: store, logs: &chattest.Log{},
		secret: secret, port: mmtest.FreePort(t), Session: mmtest.NewSession(t, team)}
	t.Cleanup(func() {
		l.stopBot()
		store.Close()
		if t.Failed() || testing.Verbose() {
			t.Logf("bot log:\n%s", tail(l.logs.String(), 8000))
		}
	})
	l.startBot()
	return l
}

// startBot starts the bot and its adapter on the store, as a process
// start would, and waits until its slash commands are registered.
func (l *live) startBot() {
	l.t.Helper()
	log := slog.New(slog.NewTextHandler(l.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := New(Options{URL: l.srv.URL, Token: l.team.BotToken, Listen: "127.0.0.1:" + strconv.Itoa(l.port),
		Secret: l.secret, Cursor: l.store, Logger: log, Backoff: 200 * time.Millisecond, MaxTries: 30})
	if err != nil {
		l.t.Fatal(err)
	}
	roster, err := bot.NewRoster([]bot.Staff{
		{User: l.team.Midwife.User.Id, Initials: "MK", Organisation: "CMM", Lang: workflows.Danish, Role: bot.Midwife},
		{User: l.team.Coordinator.User.Id, Initials: "KO", Organisation: "CMM", Lang: workflows.Danish, Role: bot.Coordinator},
	})
	if err != nil {
		l.t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	b, err := bot.New(bot.Options{Roster: roster, Store: l.store, Sender: a, Location: loc, Logger: log,
		Clock: fixedClock{time.Date(2026, 12, 4, 9, 30, 0, 0, loc)}, Organisation: "CMM", Lang: workflows.Danish,
		Crisis: bot.CrisisOptions{Hotline: "+45 70 20 02 33"}, Platform: "mattermost"})
	if err != nil {
		l.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, b) }()
	l.a, l.stop = a, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("the adapter did not stop")
		}
	}
	l.Eventually("the slash commands are registered", func() bool {
		_, ok := a.commandToken(l.team.Team.Id, "crisis")
		return ok
	})
}

// stopBot stops the bot as a process stop would (the store stays).
func (l *live) stopBot() {
	if l.stop == nil {
		return
	}
	if err := l.stop(); err != nil {
		l.t.Errorf("adapter run: %v", err)
	}
	l.stop = nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// do carries out one step as m in the DM.
func (l *live) do(m *mmtest.Member, dm string, s chattest.Step) {
	l.t.Helper()
	p := l.Expect(m, dm, s.Expect)
	switch s.Do {
	case chattest.Choose:
		l.Press(m, p, s.Args[0])
	case chattest.Tick:
		for _, label := range s.Args {
			l.Press(m, p, label)
			// The post shows the tick before the next press reads it.
			l.Eventually("the tick shows", func() bool { return mmtest.HasButton(l.Post(m, p.Id), "☑ "+label) })
			p = l.Post(m, p.Id)
		}
		l.Press(m, p, "Næste")
	case chattest.Type:
		l.Say(m, dm, s.Args[0])
	}
}

// A real Mattermost server, a midwife and a coordinator acting through its
// REST API as the web app would: a two-person visit registered in the DM by
// typed answers and by pressing buttons (real post actions from the server
// to the bot), with the server restarted in the middle; then /crisis start
// in the team channel and an item checked by its button on the checklist.
func TestRealMattermostServer(t *testing.T) {
	l := startLive(t)
	ctx := context.Background()
	mw, co := l.team.Midwife, l.team.Coordinator
	dm := l.DM(mw)

	// /besog typed in the team channel: only a pointer there, the
	// questions in the DM.
	l.Slash(mw, l.team.Channel.Id, "/besog")
	// The registration script the Slack tests use too, with interruptions:
	// the server restarts at Køn, the bot is stopped at Alder.
	script := chattest.Registration()
	first, gender, age, rest := script[:11], script[11], script[12], script[13:]
	if !strings.Contains(gender.Expect, "Køn") || !strings.Contains(age.Expect, "Alder") {
		t.Fatalf("the script changed: %v, %v", gender, age)
	}
	for _, s := range first {
		l.do(mw, dm, s)
	}
	// The answered question's post keeps its text and shows the answer, with
	// no buttons left to press twice.
	method := l.FindPost(mw, dm, "4/10 Metode")
	if mmtest.HasButton(method, "") || !strings.Contains(fmt.Sprint(method.GetProp("attachments")), "Fysisk besøg") {
		t.Errorf("the answered Metode post still has buttons or lacks the answer: %v", method.GetProp("attachments"))
	}
	// The server goes away in the middle of the registration and comes
	// back; the bot reconnects and catches up, and she goes on.
	genderPost := l.Expect(mw, dm, gender.Expect)
	l.srv.Restart(t)
	l.Press(mw, genderPost, gender.Args[0])
	// Then the bot is away (stopped, as for an upgrade) while she types;
	// started again, it catches up on what she typed and answers it: after a
	// restart the core first offers the unfinished registration, and it goes
	// on at the question she was at.
	l.Expect(mw, dm, age.Expect)
	l.stopBot()
	l.Say(mw, dm, age.Args[0])
	l.startBot()
	rest = append([]chattest.Step{chattest.ChooseStep("ikke er gjort færdig", "Fortsæt"), age}, rest...)
	for _, s := range rest {
		l.do(mw, dm, s)
	}
	l.Expect(mw, dm, "Besøget er gemt som 2026-0001")

	v, err := l.store.Visit(ctx, "2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Persons) != 2 || v.Persons[0]["nationality"].Text != "TH" || v.Persons[1]["nationality"].Text != "RO" {
		t.Errorf("stored persons: %+v", v.Persons)
	}
	if got := strings.Join(v.Fields["onsite"].List, ","); got != "food_packages,social_worker_referral" {
		t.Errorf("onsite = %q", got)
	}
	if v.Fields["address"].Text != "Vestergade 12, 8000 Aarhus C" || v.Date != "2026-12-03" {
		t.Errorf("stored visit: address %q, date %q", v.Fields["address"].Text, v.Date)
	}
	// Nothing of the registration reached the team channel.
	for _, p := range l.Posts(co, l.team.Channel.Id) {
		if strings.Contains(p.Message, "Vestergade") || strings.Contains(p.Message, "Nationalitet") {
			t.Errorf("person data in the team channel: %q", p.Message)
		}
	}

	// The coordinator starts a crisis in the team channel: the checklist is
	// one post there, kept up to date in place.
	ch := l.team.Channel.Id
	l.Slash(co, ch, "/crisis start COVID-19")
	list := l.Expect(co, ch, "Krise: COVID-19")
	l.Press(co, list, "✓ 1 udført")
	l.Eventually("the checklist post shows item 1 done", func() bool {
		return strings.Contains(l.Post(co, list.Id).Message, "1. ☑")
	})
	run, err := l.store.CurrentCrisis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run.Disease != "COVID-19" {
		t.Errorf("stored crisis %+v", run)
	}
	if n := strings.Count(strings.Join(messages(l.Posts(co, ch)), "\n"), "Krise: COVID-19 · fase"); n != 1 {
		t.Errorf("%d checklist posts in the channel, want one edited in place", n)
	}

	// A reminder carries its idempotency key, which the delivery check
	// finds on the server after a crash.
	if err := l.a.Send(ctx, bot.Reply{User: mw.User.Id, Text: "⏰ Opfølgning af 2026-0001", IdempotencyKey: "r1#1"}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{"r1#1": true, "r2#1": false} {
		if got, err := l.a.Delivered(ctx, "", mw.User.Id, key); err != nil || got != want {
			t.Errorf("Delivered(%s) = %v, %v; want %v", key, got, err, want)
		}
	}
	// The roster may name users by username, settings channels by
	// team/channel.
	if id, err := l.a.UserID(ctx, "@jordemoder"); err != nil || id != mw.User.Id {
		t.Errorf("UserID(@jordemoder) = %q, %v", id, err)
	}
	if id, err := l.a.ChannelID(ctx, "cmm/beredskab"); err != nil || id != ch {
		t.Errorf("ChannelID(cmm/beredskab) = %q, %v", id, err)
	}
}

func messages(ps []*model.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Message
	}
	return out
}
