package slack

import (
	"strings"
	"testing"

	"beredskab/adapters/internal/chattest"
)

// A whole registration, two persons met, driven through Slack as a midwife
// would: /besog typed in the team channel, then buttons, a select,
// checkboxes and typed answers in the direct conversation. Run in both
// connection modes.
func TestTwoPersonRegistrationThroughSlack(t *testing.T) {
	for _, mode := range []Mode{HTTPMode, SocketMode} {
		t.Run(string(mode), func(t *testing.T) {
			r := newRig(t, mode)
			r.slash(midwife, teamChannel, "/besog", "")

			// In the channel: only an ephemeral pointer to the DM.
			calls := r.fake.snapshot()
			for _, c := range calls {
				if c.Channel == teamChannel && c.Method != "chat.postEphemeral" {
					t.Fatalf("the team channel got a %s: %q", c.Method, c.Text)
				}
			}
			if calls[0].Method != "chat.postEphemeral" || calls[0].User != midwife {
				t.Fatalf("first call %+v, want the ephemeral pointer to the DM", calls[0])
			}

			steps := chattest.Registration()
			for i, s := range steps {
				r.expect(midwife, s.Expect)
				switch s.Do {
				case chattest.Choose:
					r.choose(midwife, s.Args[0])
				case chattest.Tick:
					r.tick(midwife, s.Args...)
				case chattest.Type:
					r.say(midwife, s.Args[0])
				}
				if t.Failed() {
					t.Fatalf("step %d (%s)", i+1, s.Expect)
				}
			}
			r.expect(midwife, "Besøget er gemt som 2026-0001")

			v, err := r.store.Visit(t.Context(), "2026-0001")
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Persons) != 2 {
				t.Fatalf("visit has %d persons, want 2", len(v.Persons))
			}
			for field, want := range map[string]string{"method": "physical_visit", "reason": "self_referral", "address": "Vestergade 12, 8000 Aarhus C"} {
				if got := v.Fields[field].Text; got != want {
					t.Errorf("visit %s = %q, want %q", field, got, want)
				}
			}
			if v.Date != "2026-12-03" {
				t.Errorf("visit date %q", v.Date)
			}
			if got := strings.Join(v.Fields["onsite"].List, ","); got != "food_packages,social_worker_referral" {
				t.Errorf("onsite = %q", got)
			}
			if v.Persons[0]["nationality"].Text != "TH" || v.Persons[1]["nationality"].Text != "RO" {
				t.Errorf("nationalities %q, %q", v.Persons[0]["nationality"].Text, v.Persons[1]["nationality"].Text)
			}

			// Every pressed question shows its answer with no controls left.
			if n := r.fake.count("chat.update"); n < 20 {
				t.Errorf("%d messages updated after presses, want one per press", n)
			}
			method := r.fake.message(t, dmOf(midwife), findTS(t, r, "4/10 Metode"))
			if strings.Contains(string(method.Blocks), `"actions"`) || !strings.Contains(string(method.Blocks), "Fysisk besøg") {
				t.Errorf("the answered Metode message still has controls or lacks the answer: %s", method.Blocks)
			}
			// Nothing of the registration went anywhere but the DM.
			for _, c := range r.fake.snapshot() {
				if c.Channel != dmOf(midwife) && c.Method != "chat.postEphemeral" {
					t.Errorf("%s to %s: %q", c.Method, c.Channel, c.Text)
				}
			}
			if r.fake.opens != 1 {
				t.Errorf("conversations.open called %d times, want once (cached)", r.fake.opens)
			}
		})
	}
}

// findTS is the ts of the first DM message whose text contains want.
func findTS(t *testing.T, r *rig, want string) string {
	t.Helper()
	r.fake.mu.Lock()
	defer r.fake.mu.Unlock()
	for _, p := range r.fake.msgs[dmOf(midwife)] {
		if strings.Contains(p.Text, want) {
			return p.TS
		}
	}
	t.Fatalf("no message %q", want)
	return ""
}
