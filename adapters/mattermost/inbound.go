package mattermost

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chat"
	"beredskab/bot"
)

// inbox runs the work of acknowledged deliveries in each user's order
// (chat.Inbox) and turns the server's deliveries into the bot's messages.
type inbox struct {
	*chat.Inbox
	a *Adapter
	h bot.Handler
}

func (a *Adapter) newInbox(ctx context.Context, h bot.Handler) *inbox {
	return &inbox{Inbox: chat.NewInbox(ctx, a.opt.Workers, a.opt.WorkTimeout), a: a, h: h}
}

// handle gives one message to the bot and logs a failure (ids only).
func (in *inbox) handle(ctx context.Context, m bot.Message) {
	if err := in.h.Handle(ctx, m); err != nil {
		in.a.log.Error("handle mattermost message", "user", m.User, "channel", m.Channel, "err", err)
	}
}

// slash takes a slash command, in a channel or in the bot's direct channel.
// The trigger id drops a repeat.
func (in *inbox) slash(user, channel, trigger, responseURL, text string) {
	if trigger != "" && !in.a.seen.First("cmd:"+trigger) {
		in.a.log.Info("mattermost command repeated; dropped", "user", user)
		return
	}
	in.Push(user, func(ctx context.Context) {
		ctx = context.WithValue(ctx, slashKey{}, slashContext{channel: channel, responseURL: responseURL})
		direct := in.a.isBotDM(ctx, channel, user)
		in.handle(ctx, bot.Message{User: user, Channel: channel, Direct: direct, Text: text})
	})
}

// deliver queues text from user in channel as if typed there.
func (in *inbox) deliver(user, channel, text string) {
	in.Push(user, func(ctx context.Context) {
		direct := in.a.isBotDM(ctx, channel, user)
		in.handle(ctx, bot.Message{User: user, Channel: channel, Direct: direct, Text: text})
	})
}

// post takes a post in one of the bot's direct channels, from the
// websocket or from catching up: not the bot's own, not a system message,
// and each post once.
func (in *inbox) post(p *model.Post) {
	me := in.a.Me()
	if p == nil || p.UserId == "" || (me != nil && p.UserId == me.Id) || p.Type != "" || p.DeleteAt != 0 {
		return
	}
	if !in.a.seen.First("post:" + p.Id) {
		return
	}
	in.a.dms.Know(p.UserId, p.ChannelId)
	in.a.begin(p)
	in.Push(p.UserId, func(ctx context.Context) {
		in.handle(ctx, bot.Message{User: p.UserId, Channel: p.ChannelId, Direct: true, Text: p.Message})
		in.a.finish(ctx, p)
	})
}

// loadCursor reads where catching up starts. The first start ever begins
// now: nothing older is replayed.
func (a *Adapter) loadCursor(ctx context.Context) error {
	now := model.GetMillisForTime(a.opt.Clock.Now())
	if a.opt.Cursor == nil {
		a.setCursor(now)
		return nil
	}
	v, err := a.opt.Cursor.Setting(ctx, cursorKey)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("read the mattermost catch-up point: %w", err)
	}
	at, perr := strconv.ParseInt(v, 10, 64)
	if v == "" || perr != nil {
		at = now
		if err := a.opt.Cursor.SetSetting(ctx, cursorKey, strconv.FormatInt(at, 10)); err != nil {
			return err
		}
	}
	a.setCursor(at)
	return nil
}

func (a *Adapter) setCursor(at int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cursor = at
}

// since is the cursor: every direct message created at or before it has
// been handled.
func (a *Adapter) since() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cursor
}

// begin marks p as being worked on.
func (a *Adapter) begin(p *model.Post) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inFlight[p.Id] = p.CreateAt
}

// finish marks p as handled and moves the cursor on to it, but never past
// a post still being worked on, and keeps the cursor when it moved.
func (a *Adapter) finish(ctx context.Context, p *model.Post) {
	a.mu.Lock()
	delete(a.inFlight, p.Id)
	at := p.CreateAt
	for _, t := range a.inFlight {
		if t <= at {
			at = t - 1
		}
	}
	moved := at > a.cursor
	if moved {
		a.cursor = at
	}
	a.mu.Unlock()
	if !moved || a.opt.Cursor == nil {
		return
	}
	// Writes go one at a time, each the newest cursor, so an older one
	// never lands after a newer one.
	a.saving.Lock()
	defer a.saving.Unlock()
	if cur := a.since(); cur > a.saved {
		if err := a.opt.Cursor.SetSetting(ctx, cursorKey, strconv.FormatInt(cur, 10)); err != nil {
			a.log.Error("keep the mattermost catch-up point", "err", err)
			return
		}
		a.saved = cur
	}
}
