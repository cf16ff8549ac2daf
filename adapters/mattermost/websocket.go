package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// catchUpMargin is how far before the catch-up point a reconnection
// looks: a post's create time is set before it is stored and events of
// different DMs may come out of order, so the point can pass a post whose
// event was lost with the connection. Within one process the posts already
// handled are dropped by id.
const catchUpMargin = 2 * time.Minute

// readEvents reads the server's websocket until ctx ends: a new direct
// message becomes a delivery. The client's event, response and ping-timeout
// channels are always drained, from the moment it connects (it deadlocks
// otherwise); a lost connection is opened again with backoff, and every
// (re)connection catches up on the direct messages posted while the bot
// was not listening, handled before the events that came meanwhile.
func (a *Adapter) readEvents(ctx context.Context, in *inbox) {
	wsURL := "ws" + strings.TrimPrefix(a.opt.URL, "http")
	backoff := a.opt.Backoff
	margin := time.Duration(0) // the first catch-up of a process starts at the stored point exactly
	for ctx.Err() == nil {
		ws, err := model.NewWebSocketClient4(strings.TrimRight(wsURL, "/"), a.opt.Token)
		if err != nil {
			a.log.Warn("mattermost websocket: cannot connect; trying again", "wait", backoff, "err", err)
			if a.wait(ctx, backoff) != nil {
				return
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		ws.Listen()
		a.log.Info("mattermost websocket connected")
		connected := time.Now()
		caught := make(chan error, 1)
		go func(margin time.Duration) { caught <- a.catchUp(ctx, in, margin) }(margin)
		margin = catchUpMargin
		reason := a.drain(ctx, ws, in, caught)
		ws.Close()
		drainClosed(ws)
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("mattermost websocket lost; reconnecting", "reason", reason, "wait", backoff)
		// A connection that lived a while resets the backoff; one that
		// ends at once (a proxy, a revoked token) does not loop fast.
		if time.Since(connected) > time.Minute {
			backoff = a.opt.Backoff
		}
		if a.wait(ctx, backoff) != nil {
			return
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// drain reads the client's channels until the connection ends, and says
// why it ended. Until the catch-up reports done, events are held back and
// then handled in order after it.
func (a *Adapter) drain(ctx context.Context, ws *model.WebSocketClient, in *inbox, caught <-chan error) string {
	var held []*model.WebSocketEvent
	catching := true
	for {
		select {
		case <-ctx.Done():
			return "stopped"
		case err := <-caught:
			if err != nil {
				return "catching up failed: " + err.Error()
			}
			catching = false
			for _, ev := range held {
				a.event(ev, in)
			}
			held = nil
		case ev, ok := <-ws.EventChannel:
			if !ok {
				if ws.ListenError != nil {
					return ws.ListenError.Error()
				}
				return "closed"
			}
			if catching {
				held = append(held, ev)
				continue
			}
			a.event(ev, in)
		case _, ok := <-ws.ResponseChannel:
			if !ok {
				return "closed"
			}
		case <-ws.PingTimeoutChannel:
			return "no ping from the server"
		}
	}
}

// drainClosed empties a closed client's channels in the background, so
// none of its goroutines stays blocked on a send.
func drainClosed(ws *model.WebSocketClient) {
	go func() {
		for range ws.EventChannel {
		}
		for range ws.ResponseChannel {
		}
		select {
		case <-ws.PingTimeoutChannel:
		default:
		}
	}()
}

// event takes one websocket event: a post in a direct channel.
func (a *Adapter) event(ev *model.WebSocketEvent, in *inbox) {
	if ev.EventType() != model.WebsocketEventPosted {
		return
	}
	data := ev.GetData()
	if t, _ := data["channel_type"].(string); t != string(model.ChannelTypeDirect) {
		return
	}
	raw, _ := data["post"].(string)
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		a.log.Warn("mattermost: unreadable posted event", "err", err)
		return
	}
	in.post(&p)
}

// catchUp delivers the direct messages posted after the cursor (less the
// margin), oldest first; the ones already delivered are dropped by their
// post id.
func (a *Adapter) catchUp(ctx context.Context, in *inbox, margin time.Duration) error {
	since := a.since() - margin.Milliseconds()
	me := a.Me()
	var channels []*model.Channel
	err := a.call(ctx, "catch-up", "list channels", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		channels, resp, err = a.api.GetChannelsForUserWithLastDeleteAt(ctx, me.Id, 0)
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("list the bot's channels: %w", err)
	}
	var missed []*model.Post
	for _, ch := range channels {
		if ch.Type != model.ChannelTypeDirect || ch.LastPostAt <= since {
			continue
		}
		var list *model.PostList
		err := a.call(ctx, "catch-up", "read posts", func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			list, resp, err = a.api.GetPostsSince(ctx, ch.Id, since, false)
			return resp, err
		})
		if err != nil {
			return fmt.Errorf("read the posts of %s since %d: %w", ch.Id, since, err)
		}
		for _, p := range list.Posts {
			if p.CreateAt > since && p.UserId != me.Id {
				missed = append(missed, p)
			}
		}
	}
	slices.SortFunc(missed, func(x, y *model.Post) int { return int(x.CreateAt - y.CreateAt) })
	if len(missed) > 0 {
		a.log.Info("mattermost: catching up on direct messages posted while away", "posts", len(missed))
	}
	for _, p := range missed {
		in.post(p)
	}
	return nil
}

// wait sleeps d on the adapter's clock, or until ctx ends.
func (a *Adapter) wait(ctx context.Context, d time.Duration) error {
	select {
	case <-a.opt.Clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
