package slack

import (
	"testing"
)

// Socket Mode keeps working across Slack's "disconnect" (sent before it
// rotates a connection) and across a connection that simply dies: the
// client reconnects and the next envelope is handled.
func TestSocketModeReconnects(t *testing.T) {
	r := newRig(t, SocketMode)
	r.say(midwife, "/visit")
	r.expect(midwife, "Dato for opsøgende indsats")

	if err := r.fake.latest(t).send(map[string]any{"type": "disconnect", "reason": "refresh_requested"}); err != nil {
		t.Fatal(err)
	}
	r.fake.waitFor(t, "a second connection", func() bool { return r.fake.connects == 2 })
	r.say(midwife, "i går")
	r.expect(midwife, "Metode")

	r.fake.latest(t).conn.Close() // the connection dies
	r.fake.waitFor(t, "a third connection", func() bool { return r.fake.connects == 3 })
	r.choose(midwife, "Telefon")
	r.expect(midwife, "Lokation")
}

// A slash command and a button press arrive as Socket Mode envelopes too,
// and a retried envelope (retry_attempt 1, the same trigger) is
// acknowledged but not acted on twice.
func TestSocketModeRetriedSlashCommandIsDropped(t *testing.T) {
	r := newRig(t, SocketMode)
	cmd := slashForm(coordinator, teamChannel, "/hjaelp", "", "trig-retry")
	payload := map[string]string{}
	for k := range cmd {
		payload[k] = cmd.Get(k)
	}
	r.fake.envelope(t, "env-a", "slash_commands", payload, 0)
	r.in.Wait()
	r.fake.envelope(t, "env-b", "slash_commands", payload, 1)
	r.in.Wait()
	if n := len(r.fake.snapshot()); n != 1 {
		t.Errorf("help answered %d times, want once", n)
	}
}
