package slack

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"beredskab/adapters/internal/chattest"
	"beredskab/bot"
	"beredskab/workflows"
)

// The crisis checklist is one message in the channel where /krise start
// was typed; pressing an item's "done" button checks it and edits that
// message in place (chat.update), leaving the other buttons live.
func TestCrisisChecklistIsEditedInPlaceByItsButtons(t *testing.T) {
	r := newRig(t, HTTPMode)
	r.slash(coordinator, teamChannel, "/krise", "start COVID-19")
	list := r.fake.last(t, teamChannel)
	if !strings.Contains(list.Text, "COVID-19") || !strings.Contains(string(list.Blocks), "/crisis check 3") {
		t.Fatalf("checklist message %q lacks the disease or the done buttons: %s", list.Text, list.Blocks)
	}
	posts := r.fake.count("chat.postMessage")

	r.press(midwife, list, findElement(t, list, "✓ 3 udført"))
	after := r.fake.message(t, teamChannel, list.TS)
	if after.Updates != 1 {
		t.Fatalf("checklist updated %d times, want 1", after.Updates)
	}
	if strings.Contains(string(after.Blocks), "/crisis check 3") || !strings.Contains(string(after.Blocks), "/crisis check 4") {
		t.Errorf("after checking 3 its button should be gone and 4's left: %s", after.Blocks)
	}
	if n := r.fake.count("chat.postMessage"); n != posts {
		t.Errorf("%d new messages in the channel; the checklist must be edited, not reposted", n-posts)
	}

	// A second item from the same, still live, message.
	r.press(coordinator, after, findElement(t, after, "✓ 4 udført"))
	if got := r.fake.message(t, teamChannel, list.TS); got.Updates != 2 || strings.Contains(string(got.Blocks), "/crisis check 4") {
		t.Errorf("checking 4 did not edit the checklist: %d updates, %s", got.Updates, got.Blocks)
	}
	run, err := r.store.CurrentCrisis(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	items, _ := run.Checklist()
	if items[2].State != workflows.ItemDone || items[3].State != workflows.ItemDone || items[4].State != workflows.ItemOpen {
		t.Errorf("item states %v %v %v, want done done open", items[2].State, items[3].State, items[4].State)
	}
}

// Every HTTP request must carry Slack's signature over its body with a
// timestamp at most five minutes off; anything else gets 401 and touches
// nothing. A valid request replayed inside the window is acted on once.
func TestHTTPModeTrustsOnlySignedRequests(t *testing.T) {
	r := newRig(t, HTTPMode)
	body := []byte(slashForm(midwife, teamChannel, "/hjaelp", "", "trig-sig-1").Encode())
	const form = "application/x-www-form-urlencoded"

	for _, c := range []struct {
		name   string
		at     time.Time
		secret string
	}{
		{"wrong secret", time.Now(), "not-the-secret"},
		{"stale timestamp", time.Now().Add(-6 * time.Minute), testSecret},
		{"timestamp in the future", time.Now().Add(6 * time.Minute), testSecret},
	} {
		if code := r.signed(PathCommands, form, body, c.at, c.secret); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, code)
		}
	}
	// Unsigned, and a signature over a different body.
	res, err := r.web.Client().Post(r.web.URL+PathCommands, form, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: status %d, want 401", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, r.web.URL+PathEvents, strings.NewReader(`{"type":"event_callback","event_id":"EvX"}`))
	sign(req, testSecret, []byte(`{"type":"url_verification","challenge":"x"}`), time.Now())
	if res, err := r.web.Client().Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("signature of another body: %v %v, want 401", res.StatusCode, err)
	}
	r.in.Wait()
	if calls := r.fake.snapshot(); len(calls) != 0 {
		t.Fatalf("refused requests caused Slack calls: %+v", calls)
	}

	// Valid: answered. The same request replayed: acknowledged, not redone.
	for range 2 {
		if code := r.signed(PathCommands, form, body, time.Now(), testSecret); code != http.StatusOK {
			t.Fatalf("valid request: status %d", code)
		}
		r.in.Wait()
	}
	if n := len(r.fake.snapshot()); n != 1 {
		t.Errorf("help answered %d times, want once", n)
	}
	// A replay of that request captured six minutes ago is stale.
	if code := r.signed(PathCommands, form, body, time.Now().Add(-6*time.Minute), testSecret); code != http.StatusUnauthorized {
		t.Errorf("old replay: status %d, want 401", code)
	}

	// Slack's url_verification handshake, signed.
	js := []byte(`{"type":"url_verification","token":"t","challenge":"c4ll3ng3"}`)
	req, _ = http.NewRequest(http.MethodPost, r.web.URL+PathEvents, strings.NewReader(string(js)))
	sign(req, testSecret, js, time.Now())
	res, err = r.web.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ch struct{ Challenge string }
	_ = json.NewDecoder(res.Body).Decode(&ch)
	res.Body.Close()
	if ch.Challenge != "c4ll3ng3" {
		t.Errorf("challenge answered %q", ch.Challenge)
	}
}

// toSummary registers a visit with no contact (no persons) up to its
// summary, typing every answer.
func (r *rig) toSummary(user string) {
	r.t.Helper()
	r.slash(user, dmOf(user), "/visit", "")
	for _, a := range []string{"i går", "1", "1", "Vestergade 12, 8000 Aarhus C", "1", "2", "spring over", "spring over"} {
		r.say(user, a)
	}
	r.expect(user, "Opsummering")
}

// Slack retries an event it thinks was missed, with the same event_id:
// the retry is acknowledged and dropped, so "gem" saves one visit and is
// answered once, in both modes.
func TestRetriedEventDoesNotDoubleAVisit(t *testing.T) {
	for _, mode := range []Mode{HTTPMode, SocketMode} {
		t.Run(string(mode), func(t *testing.T) {
			r := newRig(t, mode)
			r.toSummary(midwife)
			gem := messageEvent("EvGEM", midwife, "gem")
			r.deliver("events_api", gem)
			r.expect(midwife, "Besøget er gemt som 2026-0001")
			posts := r.fake.count("chat.postMessage")

			switch mode {
			case HTTPMode:
				js, _ := json.Marshal(gem)
				req, _ := http.NewRequest(http.MethodPost, r.web.URL+PathEvents, strings.NewReader(string(js)))
				req.Header.Set("X-Slack-Retry-Num", "1")
				req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
				sign(req, testSecret, js, time.Now())
				res, err := r.web.Client().Do(req)
				if err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("retry not acknowledged: %v %v", res, err)
				}
				res.Body.Close()
				r.in.Wait()
			case SocketMode:
				r.fake.envelope(t, "env-retry", "events_api", gem, 1)
				r.in.Wait()
			}
			if n := r.fake.count("chat.postMessage"); n != posts {
				t.Errorf("the retried event was answered (%d new messages)", n-posts)
			}
			if _, err := r.store.Visit(t.Context(), "2026-0002"); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("a second visit exists: %v", err)
			}
		})
	}
}

// A question's buttons answer once: a second press of the same message
// (a double tap that beat the update) is dropped.
func TestAPressedQuestionCannotBeAnsweredTwice(t *testing.T) {
	r := newRig(t, HTTPMode)
	r.slash(midwife, dmOf(midwife), "/visit", "")
	q := r.fake.last(t, dmOf(midwife))
	r.press(midwife, q, findElement(t, q, "I går"))
	posts := r.fake.count("chat.postMessage")
	r.press(midwife, q, findElement(t, q, "I dag")) // the stale copy of the message
	if n := r.fake.count("chat.postMessage"); n != posts {
		t.Errorf("a second press of an answered question was delivered (%d new messages)", n-posts)
	}
	r.expect(midwife, "4/10 Metode")
}

// A 429 on chat.postMessage is waited out for its Retry-After (on the
// adapter's clock) and the message sent; Send returns only then.
func TestRateLimitedPostIsWaitedOutAndRetried(t *testing.T) {
	r := newRig(t, HTTPMode)
	r.fake.mu.Lock()
	r.fake.limited = 2
	r.fake.mu.Unlock()
	if err := r.a.Send(t.Context(), bot.Reply{Channel: teamChannel, Text: "Øvelse i dag"}); err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, c := range r.fake.snapshot() {
		methods = append(methods, c.Method)
	}
	if want := []string{"429", "429", "chat.postMessage"}; !slices.Equal(methods, want) {
		t.Fatalf("calls %q, want %q", methods, want)
	}
	if waits := r.clock.Waits(); !slices.Equal(waits, []time.Duration{7 * time.Second, 7 * time.Second}) {
		t.Errorf("waited %v, want Retry-After (7s) twice", waits)
	}
}

// One channel gets at most a burst of three and then one message a second;
// other channels are not held up by it.
func TestOutgoingMessagesKeepThePacePerChannel(t *testing.T) {
	r := newRig(t, HTTPMode)
	for i := range 5 {
		if err := r.a.Send(t.Context(), bot.Reply{Channel: teamChannel, Text: "besked " + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.a.Send(t.Context(), bot.Reply{Channel: "COTHER001", Text: "andet sted"}); err != nil {
		t.Fatal(err)
	}
	if waits := r.clock.Waits(); !slices.Equal(waits, []time.Duration{time.Second, time.Second}) {
		t.Errorf("waits %v, want none for the first three and the other channel, a second before the 4th and 5th", waits)
	}
	if n := r.fake.count("chat.postMessage"); n != 6 {
		t.Errorf("%d posts, want 6", n)
	}
}

// A server error is retried with backoff; a refusal (a Slack error such as
// channel_not_found) is not, and Send says so.
func TestServerErrorsAreRetriedAndRefusalsReturned(t *testing.T) {
	clock := chattest.NewClock(time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC))
	fails := 2
	flaky := newFakeSlack(t, func(f *fakeSlack, c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, req *http.Request) {
			f.mu.Lock()
			fails--
			failing := fails >= 0
			f.mu.Unlock()
			if failing {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			f.postMessage(w, req)
		})
	})
	a, err := New(Options{Mode: HTTPMode, BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: flaky.apiURL(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Send(t.Context(), bot.Reply{Channel: teamChannel, Text: "x"}); err != nil {
		t.Fatalf("send after two 503s: %v", err)
	}
	if n := flaky.count("chat.postMessage"); n != 1 {
		t.Errorf("%d messages posted, want 1", n)
	}
	if waits := clock.Waits(); !slices.Equal(waits, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("backoff waits %v, want 1s then 2s", waits)
	}

	refusing := newFakeSlack(t, func(f *fakeSlack, c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, _ *http.Request) {
			reply(w, map[string]any{"ok": false, "error": "channel_not_found"})
		})
	})
	a, _ = New(Options{Mode: HTTPMode, BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: refusing.apiURL(), Clock: clock})
	before := len(clock.Waits())
	if err := a.Send(t.Context(), bot.Reply{Channel: "CGONE0001", Text: "x"}); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("send to a missing channel: %v", err)
	}
	if len(clock.Waits()) != before {
		t.Errorf("a refusal was retried")
	}
}

// A reminder's idempotency key travels as message metadata, and Delivered
// finds it in the direct conversation's history afterwards.
func TestIdempotencyKeyIsKeptAndFound(t *testing.T) {
	r := newRig(t, HTTPMode)
	if err := r.a.Send(t.Context(), bot.Reply{User: midwife, Text: "Påmindelse", IdempotencyKey: "rem-7#1"}); err != nil {
		t.Fatal(err)
	}
	p := r.fake.last(t, dmOf(midwife))
	if !strings.Contains(p.Metadata, MetadataType) || !strings.Contains(p.Metadata, "rem-7#1") {
		t.Fatalf("metadata %q", p.Metadata)
	}
	for key, want := range map[string]bool{"rem-7#1": true, "rem-7#2": false} {
		got, err := r.a.Delivered(t.Context(), "", midwife, key)
		if err != nil || got != want {
			t.Errorf("Delivered(%s) = %v, %v; want %v", key, got, err, want)
		}
	}
}

// Only new messages typed in the bot's direct conversation reach the bot:
// not its own, not edits, not thread replies; a command typed in another
// direct conversation is not treated as the bot's.
func TestOnlyNewDirectMessagesReachTheBot(t *testing.T) {
	r := newRig(t, HTTPMode)
	edit := messageEvent("EvE1", midwife, "/visit")
	edit["event"].(map[string]any)["subtype"] = "message_changed"
	own := messageEvent("EvE2", midwife, "/visit")
	own["event"].(map[string]any)["bot_id"] = "B1"
	channel := messageEvent("EvE3", midwife, "/visit")
	channel["event"].(map[string]any)["channel_type"] = "channel"
	for _, e := range []map[string]any{edit, own, channel} {
		r.deliver("events_api", e)
	}
	if calls := r.fake.snapshot(); len(calls) != 0 {
		t.Fatalf("ignored events caused calls: %+v", calls)
	}
	// /besog typed in a DM between two people: a pointer, not a registration there.
	r.slash(midwife, "DOTHERPAIR", "/besog", "")
	calls := r.fake.snapshot()
	if calls[0].Method != "chat.postEphemeral" || calls[0].Channel != "DOTHERPAIR" {
		t.Errorf("first call %+v, want an ephemeral pointer in that DM", calls[0])
	}
	for _, c := range calls[1:] {
		if c.Channel != dmOf(midwife) {
			t.Errorf("registration went to %s", c.Channel)
		}
	}
}
