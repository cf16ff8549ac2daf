package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chattest"
	"beredskab/bot"
	"beredskab/workflows"
)

// Ids of the unit tests' fake server: 26 characters, as Mattermost's.
const (
	botID     = "bbbbbbbbbbbbbbbbbbbbbbbbbb"
	midwifeID = "mmmmmmmmmmmmmmmmmmmmmmmmmm"
	otherID   = "oooooooooooooooooooooooooo"
	dmID      = "dddddddddddddddddddddddddd"
	teamID    = "tttttttttttttttttttttttttt"
	channelID = "cccccccccccccccccccccccccc"
)

// fakeAPI is the part of Mattermost's REST API the fast tests need: the
// bot's own user, posts to create and read, direct channels. Fail makes the
// next calls answer with the given statuses first.
type fakeAPI struct {
	mu    sync.Mutex
	posts map[string]*model.Post
	order []string
	fail  []int
	calls int
}

func newFakeAPI(t testing.TB) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{posts: map[string]*model.Post{}}
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/v4/users/me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, &model.User{Id: botID, Username: "beredskab", IsBot: true})
	})
	mux.HandleFunc("GET /api/v4/users/{id}/teams", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, []*model.Team{})
	})
	mux.HandleFunc("POST /api/v4/channels/direct", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, &model.Channel{Id: dmID, Type: model.ChannelTypeDirect})
	})
	mux.HandleFunc("POST /api/v4/posts", func(w http.ResponseWriter, r *http.Request) {
		var p model.Post
		_ = json.NewDecoder(r.Body).Decode(&p)
		f.mu.Lock()
		p.Id = strings.Repeat("p", 24) + string(rune('a'+len(f.order)/26)) + string(rune('a'+len(f.order)%26))
		p.UserId = botID
		f.posts[p.Id] = &p
		f.order = append(f.order, p.Id)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, &p)
	})
	mux.HandleFunc("GET /api/v4/posts/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		p, ok := f.posts[r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			writeJSON(w, model.NewAppError("GetPost", "not_found", nil, "", http.StatusNotFound))
			return
		}
		writeJSON(w, p)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls++
		var status int
		if len(f.fail) > 0 {
			status, f.fail = f.fail[0], f.fail[1:]
		}
		f.mu.Unlock()
		if status != 0 {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "3")
			}
			w.WriteHeader(status)
			writeJSON(w, model.NewAppError("fake", "fake.failure", nil, "", status))
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeAPI) lastPost() *model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.order) == 0 {
		return nil
	}
	return f.posts[f.order[len(f.order)-1]]
}

// recorder is the bot: it keeps what it was told.
type recorder struct {
	mu   sync.Mutex
	msgs []bot.Message
}

func (r *recorder) Handle(_ context.Context, m bot.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) got() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

// unit is the adapter against the fake API, its listener as an httptest
// server, signed in.
type unit struct {
	a     *Adapter
	api   *fakeAPI
	rec   *recorder
	in    *inbox
	web   *httptest.Server
	clock *chattest.Clock
}

func newUnit(t *testing.T) *unit { return newUnitB(t) }

func newUnitB(t testing.TB) *unit {
	t.Helper()
	api, srv := newFakeAPI(t)
	clock := chattest.NewClock(time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC))
	a, err := New(Options{URL: srv.URL, Token: "token", Secret: []byte(strings.Repeat("k", 32)), Clock: clock,
		PublicURL: "http://bot.example", Logger: slog.New(slog.DiscardHandler), Backoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.signIn(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.tokens = map[string]string{teamID + "/crisis": "crisis-token"}
	a.dms.Know(midwifeID, dmID)
	u := &unit{a: a, api: api, rec: &recorder{}, clock: clock}
	u.in = a.newInbox(t.Context(), u.rec)
	u.web = httptest.NewServer(a.httpHandler(u.in))
	t.Cleanup(u.web.Close)
	return u
}

func (u *unit) command(t *testing.T, form url.Values, header string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u.web.URL+PathCommand, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u.in.Wait()
	return resp.StatusCode
}

func (u *unit) action(t *testing.T, req model.PostActionIntegrationRequest) (int, model.PostActionIntegrationResponse) {
	t.Helper()
	body, _ := json.Marshal(req)
	resp, err := http.Post(u.web.URL+PathAction, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out model.PostActionIntegrationResponse
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	u.in.Wait()
	return resp.StatusCode, out
}

func TestSlashCommandsNeedTheirToken(t *testing.T) {
	form := func(team, command, token string) url.Values {
		return url.Values{"team_id": {team}, "command": {command}, "text": {"status"}, "token": {token},
			"user_id": {midwifeID}, "channel_id": {channelID}, "trigger_id": {"trigger-" + token + team + command}}
	}
	for _, c := range []struct {
		name      string
		form      url.Values
		header    string
		status    int
		delivered bool
	}{
		{"its token", form(teamID, "/crisis", "crisis-token"), "", 200, true},
		{"its token in the header", form(teamID, "/crisis", ""), "Token crisis-token", 200, true},
		{"wrong token", form(teamID, "/crisis", "guess"), "", 401, false},
		{"no token", form(teamID, "/crisis", ""), "", 401, false},
		{"another command's token", form(teamID, "/visit", "crisis-token"), "", 401, false},
		{"another team", form(otherID, "/crisis", "crisis-token"), "", 401, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newUnit(t)
			if got := u.command(t, c.form, c.header); got != c.status {
				t.Errorf("status %d, want %d", got, c.status)
			}
			msgs := u.rec.got()
			if c.delivered != (len(msgs) == 1) {
				t.Fatalf("delivered %v, want delivered %v", msgs, c.delivered)
			}
			if c.delivered && (msgs[0].Text != "/crisis status" || msgs[0].User != midwifeID || msgs[0].Direct) {
				t.Errorf("delivered %+v", msgs[0])
			}
		})
	}
}

func TestARepeatedSlashCommandIsActedOnOnce(t *testing.T) {
	u := newUnit(t)
	f := url.Values{"team_id": {teamID}, "command": {"/crisis"}, "token": {"crisis-token"}, "user_id": {midwifeID},
		"channel_id": {channelID}, "trigger_id": {"same"}}
	u.command(t, f, "")
	u.command(t, f, "")
	if n := len(u.rec.got()); n != 1 {
		t.Errorf("delivered %d times, want once", n)
	}
}

// A button's context is signed: a press whose context was forged, altered,
// pressed by someone else, in another channel or too late is refused with
// 401 and reaches nothing.
func TestButtonPressesAreVerified(t *testing.T) {
	u := newUnit(t)
	valid := u.a.sign.context(press{Kind: kindOption, Value: "2", Label: "Nej", User: midwifeID, Channel: dmID})
	altered := map[string]any{ctxPayload: valid[ctxPayload].(string) + "x", ctxSignature: valid[ctxSignature]}
	other := signer{key: []byte(strings.Repeat("z", 32)), clock: u.clock, maxAge: time.Hour}.context(
		press{Kind: kindOption, Value: "2", User: midwifeID, Channel: dmID})
	for _, c := range []struct {
		name    string
		ctx     map[string]any
		user    string
		channel string
		status  int
	}{
		{"no context", nil, midwifeID, dmID, 401},
		{"another key", other, midwifeID, dmID, 401},
		{"altered payload", altered, midwifeID, dmID, 401},
		{"someone else", valid, otherID, dmID, 401},
		{"another channel", valid, midwifeID, channelID, 401},
		{"as posted", valid, midwifeID, dmID, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(u.rec.got())
			status, _ := u.action(t, model.PostActionIntegrationRequest{UserId: c.user, ChannelId: c.channel, PostId: "post1", TriggerId: c.name, Context: c.ctx})
			if status != c.status {
				t.Errorf("status %d, want %d", status, c.status)
			}
			if delivered := len(u.rec.got()) - before; (c.status == 200) != (delivered == 1) {
				t.Errorf("delivered %d messages", delivered)
			}
		})
	}
	// Too late: the buttons live ActionMaxAge.
	stale := u.a.sign.context(press{Kind: kindOption, Value: "1", User: midwifeID, Channel: dmID})
	u.clock.After(31 * 24 * time.Hour)
	if status, _ := u.action(t, model.PostActionIntegrationRequest{UserId: midwifeID, ChannelId: dmID, PostId: "post2", Context: stale}); status != 401 {
		t.Errorf("a press after 31 days: status %d, want 401", status)
	}
}

// A question's post answers once: the press becomes the typed value, the
// post shows the answer without buttons, and a second press of it (two
// quick taps, a replay) is dropped.
func TestAnAnswerButtonAnswersOnce(t *testing.T) {
	u := newUnit(t)
	ctx := t.Context()
	if err := u.a.Send(ctx, bot.Reply{User: midwifeID, Text: "4/10 Metode", Options: []workflows.Option{{Value: "1", Label: "Fysisk besøg"}, {Value: "2", Label: "Telefon"}}}); err != nil {
		t.Fatal(err)
	}
	post := u.api.lastPost()
	acts := post.Attachments()[0].Actions
	if len(acts) != 2 || acts[1].Name != "Telefon" || acts[1].Integration.URL != "http://bot.example"+PathAction {
		t.Fatalf("buttons %+v", acts)
	}
	req := model.PostActionIntegrationRequest{UserId: midwifeID, ChannelId: dmID, PostId: post.Id, TriggerId: "t1", Context: acts[1].Integration.Context}
	status, resp := u.action(t, req)
	if status != 200 || resp.Update == nil || resp.Update.Message != "4/10 Metode" {
		t.Fatalf("status %d, update %+v", status, resp.Update)
	}
	if att := resp.Update.Attachments(); len(att) != 1 || len(att[0].Actions) != 0 || !strings.Contains(att[0].Text, "Telefon") {
		t.Errorf("the answered post: %+v", att)
	}
	req.TriggerId = "t2"
	u.action(t, req)
	req.Context = acts[0].Integration.Context
	u.action(t, req)
	msgs := u.rec.got()
	if len(msgs) != 1 || msgs[0].Text != "2" || !msgs[0].Direct {
		t.Errorf("delivered %+v, want one \"2\" in the DM", msgs)
	}
}

// A multiple choice is toggles and "next": a toggle re-draws the post with
// the tick, next sends the ticked values as she would type them.
func TestMultipleChoiceTogglesThenNext(t *testing.T) {
	u := newUnit(t)
	opts := []workflows.Option{{Value: "1", Label: "Mad"}, {Value: "2", Label: "Kondomer"}, {Value: "3", Label: "Henvisning"}}
	if err := u.a.Send(t.Context(), bot.Reply{User: midwifeID, Text: "Indsats på stedet", Options: opts, Multi: true}); err != nil {
		t.Fatal(err)
	}
	post := u.api.lastPost()
	press := func(name string, trigger string) model.PostActionIntegrationResponse {
		t.Helper()
		for _, act := range post.Attachments()[0].Actions {
			if strings.Contains(act.Name, name) {
				_, resp := u.action(t, model.PostActionIntegrationRequest{UserId: midwifeID, ChannelId: dmID, PostId: post.Id, TriggerId: trigger, Context: act.Integration.Context})
				return resp
			}
		}
		t.Fatalf("no button %q", name)
		return model.PostActionIntegrationResponse{}
	}
	for i, name := range []string{"Henvisning", "Mad"} {
		resp := press("☐ "+name, "tick"+name)
		if resp.Update == nil {
			t.Fatalf("toggle %d: no update", i)
		}
		post.SetProps(resp.Update.GetProps()) // the server applies the update
	}
	if len(u.rec.got()) != 0 {
		t.Fatalf("a toggle reached the bot: %+v", u.rec.got())
	}
	press("Næste", "next")
	if msgs := u.rec.got(); len(msgs) != 1 || msgs[0].Text != "1, 3" {
		t.Errorf("next delivered %+v, want \"1, 3\" (in the options' order)", msgs)
	}
}

// The checklist's buttons are the team's: anyone in the channel may press
// them, each press once.
func TestChecklistButtonsAreTheChannels(t *testing.T) {
	u := newUnit(t)
	id, err := u.a.Post(t.Context(), bot.Reply{Channel: channelID, User: otherID, Text: "🚨 Krise", Actions: []workflows.Option{{Value: "/crisis check 1", Label: "✓ 1 udført"}}})
	if err != nil {
		t.Fatal(err)
	}
	act := u.api.posts[id].Attachments()[0].Actions[0]
	req := model.PostActionIntegrationRequest{UserId: midwifeID, ChannelId: channelID, PostId: id, TriggerId: "p1", Context: act.Integration.Context}
	if status, resp := u.action(t, req); status != 200 || resp.Update != nil {
		t.Errorf("status %d, update %+v: the bot edits the checklist itself", status, resp.Update)
	}
	u.action(t, req) // the same press again
	if msgs := u.rec.got(); len(msgs) != 1 || msgs[0].Text != "/crisis check 1" || msgs[0].User != midwifeID {
		t.Errorf("delivered %+v", msgs)
	}
}

// Calls to the server wait out a 429 as long as it asks and a restart with
// backoff; a refusal is final.
func TestCallsWaitOutTheServer(t *testing.T) {
	for _, c := range []struct {
		name    string
		fail    []int
		wantErr bool
		waits   []time.Duration
	}{
		{"429 waits Retry-After", []int{429}, false, []time.Duration{3 * time.Second}},
		{"a restart: 502, 503, 503 back off, doubling", []int{502, 503, 503}, false, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"403 is final", []int{403}, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newUnit(t)
			u.api.fail = c.fail
			err := u.a.Send(t.Context(), bot.Reply{Channel: channelID, Text: "hej"})
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v", err)
			}
			var se *statusError
			if c.wantErr && (!errors.As(err, &se) || se.status != 403) {
				t.Errorf("err %v, want the 403", err)
			}
			if got := u.clock.Waits(); !slices.Equal(got, c.waits) {
				t.Errorf("waited %v, want %v", got, c.waits)
			}
		})
	}
}

// The catch-up point never passes a message still being worked on.
func TestCursorWaitsForWorkInProgress(t *testing.T) {
	u := newUnit(t)
	u.a.setCursor(100)
	p1, p2, p3 := &model.Post{Id: "p1", CreateAt: 200}, &model.Post{Id: "p2", CreateAt: 300}, &model.Post{Id: "p3", CreateAt: 400}
	for _, p := range []*model.Post{p1, p2, p3} {
		u.a.begin(p)
	}
	ctx := t.Context()
	u.a.finish(ctx, p2)
	if got := u.a.since(); got != 199 {
		t.Errorf("after p2 (p1 still in progress): %d, want 199", got)
	}
	u.a.finish(ctx, p1)
	if got := u.a.since(); got != 200 {
		t.Errorf("after p1 (p3 in progress): %d, want 200", got)
	}
	u.a.finish(ctx, p3)
	if got := u.a.since(); got != 400 {
		t.Errorf("after all: %d, want 400", got)
	}
}

func TestRender(t *testing.T) {
	u := newUnit(t)
	many := make([]workflows.Option, 12)
	for i := range many {
		many[i] = workflows.Option{Value: string(rune('a' + i)), Label: "Land " + string(rune('A'+i))}
	}
	long := strings.Repeat("linje\n", maxMessage/6+10)
	for _, c := range []struct {
		name  string
		r     bot.Reply
		posts int
		kinds []string
	}{
		{"text", bot.Reply{Text: "hej"}, 1, nil},
		{"few choices: buttons", bot.Reply{Text: "?", Options: many[:3]}, 1, []string{"button", "button", "button"}},
		{"many choices: a select", bot.Reply{Text: "?", Options: many}, 1, []string{"select"}},
		{"many keywords: buttons", bot.Reply{Text: "?", Options: many, Keywords: true}, 1, []string{"button", "button", "button", "button", "button", "button", "button", "button", "button", "button", "button", "button"}},
		{"multiple choice: toggles and next", bot.Reply{Text: "?", Options: many[:2], Multi: true}, 1, []string{"button", "button", "button"}},
		{"long text: two posts", bot.Reply{Text: long, Options: many[:1]}, 2, []string{"button"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			posts := u.a.render(c.r, dmID, false)
			if len(posts) != c.posts {
				t.Fatalf("%d posts, want %d", len(posts), c.posts)
			}
			var kinds []string
			for _, att := range posts[len(posts)-1].Attachments() {
				for _, a := range att.Actions {
					kinds = append(kinds, a.Type)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(c.kinds, ",") {
				t.Errorf("controls %v, want %v", kinds, c.kinds)
			}
			for _, p := range posts {
				if n := len([]rune(p.Message)); n > maxMessage {
					t.Errorf("a post of %d characters", n)
				}
			}
		})
	}
}

// A bot whose listener cannot start (its port is taken) stops with the
// reason instead of reading the websocket deaf to commands and buttons.
func TestRunStopsWhenTheListenerCannotStart(t *testing.T) {
	_, srv := newFakeAPI(t)
	taken := httptest.NewServer(http.NotFoundHandler())
	defer taken.Close()
	a, err := New(Options{URL: srv.URL, Token: "token", Secret: []byte(strings.Repeat("k", 32)),
		Listen: strings.TrimPrefix(taken.URL, "http://"), Teams: []string{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(t.Context(), &recorder{}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "listener") {
			t.Errorf("Run = %v, want the listener's failure", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run went on without its listener")
	}
}

// An earlier question's button does not answer the question asked now: the
// press is refused with a note, and its post loses its buttons.
func TestAnEarlierQuestionsButtonDoesNotAnswer(t *testing.T) {
	u := newUnit(t)
	ctx := t.Context()
	ask := func(text string) *model.Post {
		t.Helper()
		if err := u.a.Send(ctx, bot.Reply{User: midwifeID, Text: text, Options: []workflows.Option{{Value: "1", Label: "Ja"}, {Value: "2", Label: "Nej"}}}); err != nil {
			t.Fatal(err)
		}
		return u.api.lastPost()
	}
	first := ask("Er alderen skønnet?")
	ask("Har du mistanke om menneskehandel?")
	act := first.Attachments()[0].Actions[1]
	status, resp := u.action(t, model.PostActionIntegrationRequest{UserId: midwifeID, ChannelId: dmID, PostId: first.Id, TriggerId: "old", Context: act.Integration.Context})
	if status != 200 || resp.EphemeralText == "" || resp.Update == nil || len(resp.Update.Attachments()[0].Actions) != 0 {
		t.Errorf("status %d, response %+v: want a note and the old post without buttons", status, resp)
	}
	if msgs := u.rec.got(); len(msgs) != 0 {
		t.Errorf("the old question's press reached the bot: %+v", msgs)
	}
}

// A select's value is the server's, outside the signed context: a value
// that was not offered is refused.
func TestASelectTakesOnlyItsOptions(t *testing.T) {
	u := newUnit(t)
	opts := make([]workflows.Option, 12)
	for i := range opts {
		opts[i] = workflows.Option{Value: strconv.Itoa(i + 1), Label: "Land " + strconv.Itoa(i+1)}
	}
	if err := u.a.Send(t.Context(), bot.Reply{User: midwifeID, Text: "Nationalitet", Options: opts}); err != nil {
		t.Fatal(err)
	}
	post := u.api.lastPost()
	sel := post.Attachments()[0].Actions[0]
	for _, c := range []struct {
		value string
		want  int
	}{{"[klik](http://evil.example)", 0}, {"7", 1}} {
		ctxt := maps.Clone(sel.Integration.Context)
		ctxt[ctxSelected] = c.value
		u.action(t, model.PostActionIntegrationRequest{UserId: midwifeID, ChannelId: dmID, PostId: post.Id, TriggerId: c.value, Context: ctxt})
		if got := len(u.rec.got()); got != c.want {
			t.Errorf("after choosing %q: %d delivered, want %d", c.value, got, c.want)
		}
	}
}

// A reply posted before Run has signed in (an overdue reminder at start)
// does not crash.
func TestSendBeforeSignIn(t *testing.T) {
	_, srv := newFakeAPI(t)
	a, err := New(Options{URL: srv.URL, Token: "token", Secret: []byte(strings.Repeat("k", 32)), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Send(t.Context(), bot.Reply{Channel: channelID, Text: "Årlig gennemgang af beredskabsplanen"}); err != nil {
		t.Errorf("send to a channel before sign-in: %v", err)
	}
	if err := a.Connect(t.Context()); err != nil || a.Me() == nil {
		t.Errorf("Connect: %v", err)
	}
}
