package mattermost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chattest"
	"beredskab/bot"
	"beredskab/workflows"
)

// burst is how many staff press or type at the same moment.
const burst = 100

// BenchmarkSlashAck: 100 staff type a slash command at once; each op is one
// such burst. Reported: the 50th and 99th percentile of the time from the
// server's request to the bot's answer (token checked, work queued).
// Mattermost waits for it; the work answers later through the API.
func BenchmarkSlashAck(b *testing.B) {
	u := newUnitB(b)
	client := u.web.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = burst
	var lat []time.Duration
	n := 0
	for b.Loop() {
		n++
		reqs := make([]*http.Request, burst)
		for i := range burst {
			body := url.Values{"team_id": {teamID}, "command": {"/crisis"}, "text": {"status"}, "token": {"crisis-token"},
				"user_id": {fmt.Sprintf("user%022d", i)}, "channel_id": {channelID}, "trigger_id": {fmt.Sprintf("t-%d-%d", n, i)}}.Encode()
			reqs[i], _ = http.NewRequest(http.MethodPost, u.web.URL+PathCommand, strings.NewReader(body))
			reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		lat = append(lat, chattest.Burst(b, client, reqs)...)
	}
	b.StopTimer()
	u.in.Wait()
	chattest.ReportLatency(b, lat)
}

// BenchmarkButtonPress: 100 staff press an answer button at once, each on
// her own question post; the bot verifies the signature, queues the answer
// and answers with the post updated (reading it back from the server).
func BenchmarkButtonPress(b *testing.B) {
	u := newUnitB(b)
	ctx := b.Context()
	client := u.web.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = burst
	var lat []time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		reqs := make([]*http.Request, burst)
		for i := range burst {
			user := fmt.Sprintf("user%022d", i)
			u.a.dms.Know(user, "dm"+user[2:])
			if err := u.a.Send(ctx, bot.Reply{User: user, Text: "4/10 Metode", Options: []workflows.Option{{Value: "1", Label: "Fysisk besøg"}, {Value: "2", Label: "Telefon"}}}); err != nil {
				b.Fatal(err)
			}
			p := u.api.lastPost()
			body, _ := json.Marshal(model.PostActionIntegrationRequest{UserId: user, ChannelId: "dm" + user[2:], PostId: p.Id,
				TriggerId: fmt.Sprintf("t-%d-%d", n, i), Context: p.Attachments()[0].Actions[0].Integration.Context})
			reqs[i], _ = http.NewRequest(http.MethodPost, u.web.URL+PathAction, bytes.NewReader(body))
			reqs[i].Header.Set("Content-Type", "application/json")
		}
		n++
		b.StartTimer()
		lat = append(lat, chattest.Burst(b, client, reqs)...)
	}
	b.StopTimer()
	u.in.Wait()
	chattest.ReportLatency(b, lat)
}
