package mattermost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

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
	var mu sync.Mutex
	n := 0
	for b.Loop() {
		n++
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range burst {
			body := url.Values{"team_id": {teamID}, "command": {"/crisis"}, "text": {"status"}, "token": {"crisis-token"},
				"user_id": {fmt.Sprintf("user%022d", i)}, "channel_id": {channelID}, "trigger_id": {fmt.Sprintf("t-%d-%d", n, i)}}.Encode()
			wg.Go(func() {
				<-start
				t0 := time.Now()
				res, err := client.Post(u.web.URL+PathCommand, "application/x-www-form-urlencoded", strings.NewReader(body))
				d := time.Since(t0)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Errorf("ack: %v %v", res, err)
					return
				}
				res.Body.Close()
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
	}
	b.StopTimer()
	u.in.Wait()
	report(b, lat)
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
	var mu sync.Mutex
	n := 0
	for b.Loop() {
		b.StopTimer()
		reqs := make([][]byte, burst)
		for i := range burst {
			user := fmt.Sprintf("user%022d", i)
			u.a.dms.Know(user, "dm"+user[2:])
			if err := u.a.Send(ctx, bot.Reply{User: user, Text: "4/10 Metode", Options: []workflows.Option{{Value: "1", Label: "Fysisk besøg"}, {Value: "2", Label: "Telefon"}}}); err != nil {
				b.Fatal(err)
			}
			p := u.api.lastPost()
			reqs[i], _ = json.Marshal(model.PostActionIntegrationRequest{UserId: user, ChannelId: "dm" + user[2:], PostId: p.Id,
				TriggerId: fmt.Sprintf("t-%d-%d", n, i), Context: p.Attachments()[0].Actions[0].Integration.Context})
		}
		n++
		b.StartTimer()
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, body := range reqs {
			wg.Go(func() {
				<-start
				t0 := time.Now()
				res, err := client.Post(u.web.URL+PathAction, "application/json", bytes.NewReader(body))
				d := time.Since(t0)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Errorf("press: %v %v", res, err)
					return
				}
				res.Body.Close()
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
	}
	b.StopTimer()
	u.in.Wait()
	report(b, lat)
}

func report(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
