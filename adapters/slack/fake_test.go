package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// deadline is how long a test waits for something that should happen at
// once; it only turns a hang into a failure.
const deadline = 10 * time.Second

// fakeSlack is slacktest's server with the endpoints it lacks or gets too
// coarse (its ts has one-second resolution) registered through its
// customize hook: chat.postMessage, chat.update, chat.postEphemeral,
// conversations.open, conversations.history, and Socket Mode's
// apps.connections.open with a websocket that sends hello and envelopes.
type fakeSlack struct {
	srv *slacktest.Server

	mu      sync.Mutex
	seq     int
	calls   []call
	msgs    map[string][]*posted // channel → messages in order
	opens   int                  // conversations.open calls
	limited int                  // postMessage calls still to answer 429
	limits  int                  // 429s answered
	// changed is closed and replaced on every change, waking waiters.
	changed chan struct{}

	// Socket Mode: the connections made, and the envelopes acknowledged.
	conns    []*fakeSocket
	connects int
	acked    map[string]time.Time
}

// call is one write call the fake saw.
type call struct {
	Method, Channel, User, TS, Text, Metadata string
}

// posted is a message as it stands after its updates.
type posted struct {
	Channel, TS, Text, Metadata string
	Blocks                      json.RawMessage
	Updates                     int
}

// newFakeSlack starts the fake; overrides replace endpoints (slacktest
// keeps the first handler registered for a path).
func newFakeSlack(t testing.TB, overrides ...func(*fakeSlack, slacktest.Customize)) *fakeSlack {
	f := &fakeSlack{msgs: map[string][]*posted{}, changed: make(chan struct{}), acked: map[string]time.Time{}}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		for _, o := range overrides {
			o(f, c)
		}
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/chat.update", f.update)
		c.Handle("/chat.postEphemeral", f.postEphemeral)
		c.Handle("/conversations.open", f.open)
		c.Handle("/conversations.history", f.history)
		c.Handle("/apps.connections.open", f.connectionsOpen)
		c.Handle("/socket", f.socket)
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) apiURL() string { return f.srv.GetAPIURL() }

// notify wakes waiters; f.mu is held.
func (f *fakeSlack) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// waitFor waits until cond (called with f.mu held) holds, or fails.
func (f *fakeSlack) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		f.mu.Lock()
		ok, ch := cond(), f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("fake slack: waited in vain for %s", what)
		}
	}
}

func form(r *http.Request) url.Values {
	b, _ := io.ReadAll(r.Body)
	v, _ := url.ParseQuery(string(b))
	return v
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) nextTS() string {
	f.seq++
	return fmt.Sprintf("1765000000.%06d", f.seq)
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	v := form(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limited > 0 {
		f.limited--
		f.limits++
		f.calls = append(f.calls, call{Method: "429", Channel: v.Get("channel")})
		f.notify()
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	p := &posted{Channel: v.Get("channel"), TS: f.nextTS(), Text: v.Get("text"), Blocks: json.RawMessage(v.Get("blocks")), Metadata: v.Get("metadata")}
	f.msgs[p.Channel] = append(f.msgs[p.Channel], p)
	f.calls = append(f.calls, call{Method: "chat.postMessage", Channel: p.Channel, TS: p.TS, Text: p.Text, Metadata: p.Metadata})
	f.notify()
	reply(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS})
}

func (f *fakeSlack) update(w http.ResponseWriter, r *http.Request) {
	v := form(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ts := v.Get("channel"), v.Get("ts")
	for _, p := range f.msgs[ch] {
		if p.TS == ts {
			p.Text, p.Blocks = v.Get("text"), json.RawMessage(v.Get("blocks"))
			p.Updates++
			f.calls = append(f.calls, call{Method: "chat.update", Channel: ch, TS: ts, Text: p.Text})
			f.notify()
			reply(w, map[string]any{"ok": true, "channel": ch, "ts": ts, "text": p.Text})
			return
		}
	}
	reply(w, map[string]any{"ok": false, "error": "message_not_found"})
}

func (f *fakeSlack) postEphemeral(w http.ResponseWriter, r *http.Request) {
	v := form(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.nextTS()
	f.calls = append(f.calls, call{Method: "chat.postEphemeral", Channel: v.Get("channel"), User: v.Get("user"), TS: ts, Text: v.Get("text")})
	f.notify()
	reply(w, map[string]any{"ok": true, "message_ts": ts})
}

// dmOf is the fake's direct conversation with a user.
func dmOf(user string) string { return "D" + user }

func (f *fakeSlack) open(w http.ResponseWriter, r *http.Request) {
	v := form(r)
	f.mu.Lock()
	f.opens++
	f.notify()
	f.mu.Unlock()
	reply(w, map[string]any{"ok": true, "channel": map[string]any{"id": dmOf(v.Get("users")), "is_im": true}})
}

func (f *fakeSlack) history(w http.ResponseWriter, r *http.Request) {
	v := form(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	var msgs []map[string]any
	for _, p := range slices.Backward(f.msgs[v.Get("channel")]) {
		m := map[string]any{"type": "message", "ts": p.TS, "text": p.Text}
		if p.Metadata != "" && v.Get("include_all_metadata") == "1" {
			m["metadata"] = json.RawMessage(p.Metadata)
		}
		msgs = append(msgs, m)
	}
	reply(w, map[string]any{"ok": true, "messages": msgs})
}

// snapshot returns the calls so far.
func (f *fakeSlack) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// last is the latest message in channel as it stands now.
func (f *fakeSlack) last(t testing.TB, channel string) posted {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	ms := f.msgs[channel]
	if len(ms) == 0 {
		t.Fatalf("no message in %s", channel)
	}
	return *ms[len(ms)-1]
}

// message is the message with ts as it stands now.
func (f *fakeSlack) message(t testing.TB, channel, ts string) posted {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.msgs[channel] {
		if p.TS == ts {
			return *p
		}
	}
	t.Fatalf("no message %s in %s", ts, channel)
	return posted{}
}

// count counts the calls of a method.
func (f *fakeSlack) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// --- Socket Mode ---

// fakeSocket is one Socket Mode connection, seen from Slack's side.
type fakeSocket struct {
	mu   sync.Mutex
	conn *websocket.Conn
}

func (s *fakeSocket) send(v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn.WriteJSON(v)
}

func (f *fakeSlack) connectionsOpen(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer xapp-") {
		reply(w, map[string]any{"ok": false, "error": "not_allowed_token_type"})
		return
	}
	reply(w, map[string]any{"ok": true, "url": "ws://" + r.Host + "/socket"})
}

func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	s := &fakeSocket{conn: conn}
	if err := s.send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}}); err != nil {
		return
	}
	f.mu.Lock()
	f.conns = append(f.conns, s)
	f.connects++
	f.notify()
	f.mu.Unlock()
	for {
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		f.mu.Lock()
		f.acked[ack.EnvelopeID] = time.Now()
		f.notify()
		f.mu.Unlock()
	}
}

// latest is the newest Socket Mode connection.
func (f *fakeSlack) latest(t testing.TB) *fakeSocket {
	t.Helper()
	f.waitFor(t, "a socket mode connection", func() bool { return len(f.conns) > 0 })
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns[len(f.conns)-1]
}

// envelope sends a Socket Mode envelope on the latest connection and
// returns when the adapter has acknowledged it.
func (f *fakeSlack) envelope(t testing.TB, id, typ string, payload any, retry int) {
	t.Helper()
	f.waitFor(t, "a socket mode connection", func() bool { return len(f.conns) > 0 })
	f.mu.Lock()
	s := f.conns[len(f.conns)-1]
	f.mu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": false, "retry_attempt": retry}
	if err := s.send(env); err != nil {
		t.Fatalf("send envelope %s: %v", id, err)
	}
	f.waitFor(t, "the ack of envelope "+id, func() bool { _, ok := f.acked[id]; return ok })
}

// --- Slack's side of HTTP mode ---

// sign signs a request body as Slack does: v0 HMAC-SHA256 of
// "v0:timestamp:body" with the signing secret.
func sign(req *http.Request, secret string, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// --- payloads as Slack sends them ---

func slashForm(user, channel, command, text, trigger string) url.Values {
	return url.Values{"command": {command}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {"T1"}, "trigger_id": {trigger}, "response_url": {"https://example.invalid/r"}}
}

func messageEvent(eventID, user, text string) map[string]any {
	return map[string]any{"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": eventID, "event_time": 1765000000,
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": dmOf(user), "user": user, "text": text, "ts": "1765000000.5"}}
}

// element finds the control labelled label in a message's blocks: a
// button, or an option of a select or a checkbox group.
type element struct {
	blockID, actionID, typ, value, label string
}

func findElement(t testing.TB, p posted, label string) element {
	t.Helper()
	var blocks slackapi.Blocks
	if err := json.Unmarshal(p.Blocks, &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", p.TS, err)
	}
	var seen []string
	for _, b := range blocks.BlockSet {
		ab, ok := b.(*slackapi.ActionBlock)
		if !ok {
			continue
		}
		for _, e := range ab.Elements.ElementSet {
			switch e := e.(type) {
			case *slackapi.ButtonBlockElement:
				if e.Text.Text == label {
					return element{ab.BlockID, e.ActionID, "button", e.Value, label}
				}
				seen = append(seen, e.Text.Text)
			case *slackapi.SelectBlockElement:
				for _, o := range e.Options {
					if o.Text.Text == label {
						return element{ab.BlockID, e.ActionID, "static_select", o.Value, label}
					}
					seen = append(seen, o.Text.Text)
				}
			case *slackapi.CheckboxGroupsBlockElement:
				for _, o := range e.Options {
					if o.Text.Text == label {
						return element{ab.BlockID, e.ActionID, "checkboxes", o.Value, label}
					}
					seen = append(seen, o.Text.Text)
				}
			}
		}
	}
	t.Fatalf("no control %q in message %q (controls: %q)", label, p.Text, seen)
	return element{}
}

// pressPayload is the block_actions payload of pressing e on message p;
// for "next", ticked are the checkboxes ticked.
func pressPayload(user string, p posted, e element, trigger string, ticked ...element) map[string]any {
	act := map[string]any{"action_id": e.actionID, "block_id": e.blockID, "type": e.typ, "action_ts": trigger,
		"text": map[string]any{"type": "plain_text", "text": e.label}}
	if e.typ == "static_select" {
		act["selected_option"] = map[string]any{"value": e.value, "text": map[string]any{"type": "plain_text", "text": e.label}}
	} else {
		act["value"] = e.value
	}
	values := map[string]any{}
	for _, c := range ticked {
		blk, _ := values[c.blockID].(map[string]any)
		if blk == nil {
			blk = map[string]any{c.actionID: map[string]any{"type": "checkboxes", "selected_options": []any{}}}
			values[c.blockID] = blk
		}
		st := blk[c.actionID].(map[string]any)
		st["selected_options"] = append(st["selected_options"].([]any), map[string]any{"value": c.value, "text": map[string]any{"type": "plain_text", "text": c.label}})
	}
	return map[string]any{
		"type": "block_actions", "trigger_id": trigger, "api_app_id": "A1",
		"user":      map[string]any{"id": user},
		"channel":   map[string]any{"id": p.Channel},
		"container": map[string]any{"type": "message", "message_ts": p.TS, "channel_id": p.Channel},
		"message":   map[string]any{"type": "message", "ts": p.TS, "text": p.Text, "blocks": p.Blocks},
		"actions":   []any{act},
		"state":     map[string]any{"values": values},
	}
}
