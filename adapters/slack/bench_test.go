package slack

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"beredskab/adapters/internal/chattest"
	"beredskab/bot"
	"beredskab/workflows"
)

// burst is how many staff send a slash command at the same moment.
const burst = 100

func burstStaff() []bot.Staff {
	staff := make([]bot.Staff, burst)
	for i := range staff {
		staff[i] = bot.Staff{User: fmt.Sprintf("UB%05d", i), Initials: fmt.Sprintf("B%02d", i%100) + string(rune('A'+i/100)),
			Lang: workflows.Danish, Role: bot.Midwife}
	}
	return staff
}

// BenchmarkSlashAckHTTP: 100 staff type a slash command at once (HTTP
// mode, signed requests); each op is one such burst. Reported: the 50th and
// 99th percentile of the time from sending a command to Slack's having the
// acknowledgement (the HTTP 200), over all commands. Slack allows 3000 ms;
// the target is 50 ms. The work behind each command (the bot's answer
// through the fake Web API) runs meanwhile, as it would.
func BenchmarkSlashAckHTTP(b *testing.B) {
	staff := burstStaff()
	r := newRigWith(b, HTTPMode, staff)
	client := r.web.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = burst
	var lat []time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		reqs := make([]*http.Request, len(staff))
		for i, s := range staff {
			body := []byte(slashForm(s.User, dmOf(s.User), "/hjaelp", "", fmt.Sprintf("trig-%d-%d", n, i)).Encode())
			reqs[i], _ = http.NewRequest(http.MethodPost, r.web.URL+PathCommands, bytes.NewReader(body))
			reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
			sign(reqs[i], testSecret, body, time.Now())
		}
		lat = append(lat, chattest.Burst(b, client, reqs)...)
	}
	b.StopTimer()
	r.in.Wait()
	chattest.ReportLatency(b, lat)
}

// BenchmarkSlashAckSocket is the same burst over Socket Mode: the time
// from Slack's writing the envelope to its reading the ack.
func BenchmarkSlashAckSocket(b *testing.B) {
	staff := burstStaff()
	r := newRigWith(b, SocketMode, staff)
	sock := r.fake.latest(b)
	var lat []time.Duration
	n := 0
	for b.Loop() {
		n++
		sent := make(map[string]time.Time, burst)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, s := range staff {
			id := fmt.Sprintf("env-%d-%d", n, i)
			cmd := slashForm(s.User, dmOf(s.User), "/hjaelp", "", "trig-"+id)
			payload := map[string]string{}
			for k := range cmd {
				payload[k] = cmd.Get(k)
			}
			wg.Go(func() {
				mu.Lock()
				sent[id] = time.Now()
				mu.Unlock()
				if err := sock.send(map[string]any{"envelope_id": id, "type": "slash_commands", "payload": payload}); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		r.fake.waitFor(b, "all acks", func() bool {
			for id := range sent {
				if _, ok := r.fake.acked[id]; !ok {
					return false
				}
			}
			return true
		})
		r.fake.mu.Lock()
		for id, t0 := range sent {
			lat = append(lat, r.fake.acked[id].Sub(t0))
		}
		r.fake.mu.Unlock()
	}
	b.StopTimer()
	r.in.Wait()
	chattest.ReportLatency(b, lat)
}
