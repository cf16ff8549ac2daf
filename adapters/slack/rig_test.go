package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"beredskab/adapters/internal/chattest"
	"beredskab/bot"
	"beredskab/storage"
	"beredskab/workflows"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// Slack user ids of the test team, on the roster.
const (
	midwife     = "UMIDWIFE1"
	coordinator = "UCOORD001"
	teamChannel = "CTEAM0001"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// rig is the real bot, on in-memory storage, behind the adapter, with a
// fake Slack on both sides: the Web API the adapter calls, and Slack's
// deliveries (signed HTTP requests, or Socket Mode envelopes).
type rig struct {
	t     testing.TB
	mode  Mode
	fake  *fakeSlack
	a     *Adapter
	in    *inbox
	web   *httptest.Server
	store *storage.Store
	bot   *bot.Bot
	clock *chattest.Clock
	logs  *chattest.Log
	n     int
}

func newRig(t testing.TB, mode Mode, tweak ...func(*Options)) *rig {
	t.Helper()
	return newRigWith(t, mode, nil, tweak...)
}

// newRigWith is newRig with more staff on the roster.
func newRigWith(t testing.TB, mode Mode, staff []bot.Staff, tweak ...func(*Options)) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	fake := newFakeSlack(t)
	store, err := storage.Open(ctx, storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	logs := &chattest.Log{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	r := &rig{t: t, mode: mode, fake: fake, store: store, logs: logs,
		clock: chattest.NewClock(time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC))}
	opt := Options{Mode: mode, BotToken: "xoxb-test", AppToken: "xapp-test", SigningSecret: testSecret,
		APIURL: fake.apiURL(), Clock: r.clock, Logger: log}
	for _, f := range tweak {
		f(&opt)
	}
	r.a, err = New(opt)
	if err != nil {
		t.Fatal(err)
	}
	roster, err := bot.NewRoster(append([]bot.Staff{
		{User: midwife, Initials: "MK", Organisation: "CMM", Lang: workflows.Danish, Role: bot.Midwife},
		{User: coordinator, Initials: "KO", Organisation: "CMM", Lang: workflows.Danish, Role: bot.Coordinator},
	}, staff...))
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	r.bot, err = bot.New(bot.Options{Roster: roster, Store: store, Sender: r.a, Location: loc, Logger: log,
		Clock: fixedClock{time.Date(2026, 12, 4, 9, 30, 0, 0, loc)}, Organisation: "CMM", Lang: workflows.Danish,
		Crisis: bot.CrisisOptions{Hotline: "+45 70 20 02 33"}})
	if err != nil {
		t.Fatal(err)
	}
	r.in = r.a.newInbox(ctx, r.bot)
	stopped := make(chan struct{})
	switch mode {
	case HTTPMode:
		r.web = httptest.NewServer(r.a.httpHandler(r.in))
		close(stopped)
	case SocketMode:
		go func() {
			defer close(stopped)
			if err := r.a.runSocket(ctx, r.in); err != nil {
				t.Errorf("run socket mode: %v", err)
			}
		}()
	}
	t.Cleanup(func() {
		if r.web != nil {
			r.web.Close()
		}
		cancel()
		<-stopped
		r.in.Wait()
		_ = store.Close()
	})
	return r
}

func (r *rig) id(prefix string) string {
	r.n++
	return fmt.Sprintf("%s%04d", prefix, r.n)
}

// signed sends a signed request to HTTP mode and returns its status.
func (r *rig) signed(path, contentType string, body []byte, at time.Time, secret string) int {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.web.URL+path, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	sign(req, secret, body, at)
	res, err := r.web.Client().Do(req)
	if err != nil {
		r.t.Fatalf("post %s: %v", path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// deliver hands Slack's delivery to the adapter the way the mode does,
// checks it was acknowledged, and waits for the work it started.
func (r *rig) deliver(kind string, payload any) {
	r.t.Helper()
	switch r.mode {
	case HTTPMode:
		var path, ct string
		var body []byte
		switch kind {
		case "slash_commands":
			path, ct, body = PathCommands, "application/x-www-form-urlencoded", []byte(payload.(url.Values).Encode())
		case "events_api":
			path, ct = PathEvents, "application/json"
			body, _ = json.Marshal(payload)
		case "interactive":
			js, _ := json.Marshal(payload)
			path, ct, body = PathInteraction, "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(js)}}.Encode())
		}
		if code := r.signed(path, ct, body, time.Now(), testSecret); code != http.StatusOK {
			r.t.Fatalf("%s answered %d", path, code)
		}
	case SocketMode:
		if v, ok := payload.(url.Values); ok { // a slash command travels as JSON in Socket Mode
			m := map[string]string{}
			for k := range v {
				m[k] = v.Get(k)
			}
			payload = m
		}
		r.fake.envelope(r.t, r.id("env-"), kind, payload, 0)
	}
	r.in.Wait()
}

func (r *rig) slash(user, channel, command, text string) {
	r.t.Helper()
	r.deliver("slash_commands", slashForm(user, channel, command, text, r.id("trig-")))
}

func (r *rig) say(user, text string) {
	r.t.Helper()
	r.deliver("events_api", messageEvent(r.id("Ev"), user, text))
}

// choose presses the button or picks the select option labelled label on
// the latest message of the user's direct conversation.
func (r *rig) choose(user, label string) {
	r.t.Helper()
	p := r.fake.last(r.t, dmOf(user))
	r.press(user, p, findElement(r.t, p, label))
}

func (r *rig) press(user string, p posted, e element, ticked ...element) {
	r.t.Helper()
	r.deliver("interactive", pressPayload(user, p, e, r.id("act-"), ticked...))
}

// tick ticks the checkboxes labelled labels and presses "next".
func (r *rig) tick(user string, labels ...string) {
	r.t.Helper()
	p := r.fake.last(r.t, dmOf(user))
	var ticked []element
	for _, l := range labels {
		ticked = append(ticked, findElement(r.t, p, l))
	}
	r.press(user, p, findElement(r.t, p, "Næste / Next ›"), ticked...)
}

// expect checks the latest message of the user's direct conversation.
func (r *rig) expect(user, want string) {
	r.t.Helper()
	if got := r.fake.last(r.t, dmOf(user)).Text; !strings.Contains(got, want) {
		r.t.Fatalf("latest message to %s:\n%s\nwant it to contain %q", user, got, want)
	}
}
