// Package slack is the Slack adapter: the whole bot in a Slack workspace.
// Slash commands, direct messages and button presses become bot.Messages;
// replies become Block Kit messages (choices as buttons, a select or
// checkboxes), the crisis checklist one message edited in place. Slack
// reaches the bot over Socket Mode (the default: no public URL) or over
// HTTP (Events API, slash commands and interactivity on the bot's own
// listener, every request checked against the signing secret). Everything
// is acknowledged first and worked on after; every outgoing call goes
// through a per-channel queue that keeps Slack's rate limits and retries.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	slackapi "github.com/slack-go/slack"

	"beredskab/adapters/internal/chat"
	"beredskab/bot"
)

// Mode is how Slack reaches the bot.
type Mode string

// The two connection modes. Socket Mode needs the app-level token and no
// public URL; HTTP mode needs the signing secret and a listener Slack can
// reach.
const (
	SocketMode Mode = "socket"
	HTTPMode   Mode = "http"
)

// MetadataType is the event type of the message metadata that carries a
// reminder's idempotency key, so that a delivery can be looked up later.
const MetadataType = "beredskab_delivery"

// Options configure the adapter; New fills in the defaults.
type Options struct {
	// BotToken (xoxb-…) calls the Web API; always required.
	BotToken string
	// AppToken (xapp-…, scope connections:write) opens Socket Mode.
	AppToken string
	// SigningSecret verifies the requests of HTTP mode.
	SigningSecret string
	// Mode is SocketMode (default) or HTTPMode; Listen is HTTP mode's
	// address (default ":3000").
	Mode   Mode
	Listen string
	// APIURL replaces Slack's Web API address (tests point it at a fake).
	APIURL string
	// HTTPClient makes the Web API calls (default http.DefaultClient).
	HTTPClient *http.Client
	// Clock paces and times the retries (default: the real clock).
	Clock  Clock
	Logger *slog.Logger
	// ChannelPace is the sustained pace of messages in one channel
	// (default one a second, Slack's limit) and Burst how many may go at
	// once (default 3; Slack allows short bursts).
	ChannelPace time.Duration
	Burst       int
	// MaxTries bounds the tries of one Web API call (default 8) and
	// Backoff is the first wait after a network failure (default 1 s,
	// doubling up to a minute): about two minutes of outage are ridden out.
	MaxTries int
	Backoff  time.Duration
	// Remember is how many delivery ids are kept to drop Slack's retries
	// (default 10000).
	Remember int
	// WorkTimeout bounds the work on one delivery (default 5 minutes).
	WorkTimeout time.Duration
	// Workers is how many users' deliveries are worked on at once (default
	// 8); one user's are always worked on in order.
	Workers int
}

// Adapter is the Slack adapter. It implements bot.Adapter, bot.Poster and
// bot.Editor, and Delivered for the reminder dispatcher.
type Adapter struct {
	opt  Options
	api  *slackapi.Client
	log  *slog.Logger
	out  *chat.Outbox
	seen *chat.Seen
	// dms are the bot's direct conversations (conversations.open is asked
	// once per user).
	dms *chat.Directs
}

var (
	_ bot.Adapter = (*Adapter)(nil)
	_ bot.Poster  = (*Adapter)(nil)
	_ bot.Editor  = (*Adapter)(nil)
)

// New makes the adapter; it checks that the tokens its mode needs are there.
func New(opt Options) (*Adapter, error) {
	if opt.Mode == "" {
		opt.Mode = SocketMode
	}
	switch {
	case !strings.HasPrefix(opt.BotToken, "xoxb-"):
		return nil, errors.New("slack: a bot token (xoxb-…) is required: set SLACK_BOT_TOKEN")
	case opt.Mode == SocketMode && !strings.HasPrefix(opt.AppToken, "xapp-"):
		return nil, errors.New("slack: Socket Mode needs an app-level token (xapp-…): set SLACK_APP_TOKEN")
	case opt.Mode == HTTPMode && opt.SigningSecret == "":
		return nil, errors.New("slack: HTTP mode needs the signing secret: set SLACK_SIGNING_SECRET")
	case opt.Mode != SocketMode && opt.Mode != HTTPMode:
		return nil, fmt.Errorf("slack: unknown mode %q (want socket or http)", opt.Mode)
	}
	if opt.Listen == "" {
		opt.Listen = ":3000"
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ChannelPace == 0 {
		opt.ChannelPace = time.Second
	}
	if opt.Burst < 1 {
		opt.Burst = 3
	}
	if opt.MaxTries < 1 {
		opt.MaxTries = 8
	}
	if opt.Backoff <= 0 {
		opt.Backoff = time.Second
	}
	if opt.Remember < 1 {
		opt.Remember = 10000
	}
	if opt.Workers < 1 {
		opt.Workers = 8
	}
	if opt.WorkTimeout <= 0 {
		opt.WorkTimeout = 5 * time.Minute
	}
	apiOpts := []slackapi.Option{slackapi.OptionAppLevelToken(opt.AppToken)}
	if opt.APIURL != "" {
		apiOpts = append(apiOpts, slackapi.OptionAPIURL(opt.APIURL))
	}
	if opt.HTTPClient != nil {
		apiOpts = append(apiOpts, slackapi.OptionHTTPClient(opt.HTTPClient))
	}
	a := &Adapter{
		opt: opt,
		api: slackapi.New(opt.BotToken, apiOpts...),
		log: opt.Logger,
		out: &chat.Outbox{Clock: opt.Clock, Every: opt.ChannelPace, Burst: opt.Burst, MaxTries: opt.MaxTries,
			FirstBackoff: opt.Backoff, MaxBackoff: time.Minute, Retry: retry, Log: opt.Logger},
		seen: chat.NewSeen(opt.Remember),
	}
	a.dms = &chat.Directs{Open: a.openDM}
	return a, nil
}

// Run delivers everything Slack sends to h until ctx ends, then waits for
// the work in progress (every accepted answer is stored before its reply).
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	in := a.newInbox(ctx, h)
	defer in.Wait()
	if a.opt.Mode == HTTPMode {
		return a.serveHTTP(ctx, in)
	}
	return a.runSocket(ctx, in)
}

// Send posts a reply and returns when Slack has taken it (or refused it for
// good). A reply to a user with no channel goes to her direct conversation;
// an ephemeral reply in a channel is shown to its user alone.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	channel, err := a.target(ctx, r)
	if err != nil {
		return err
	}
	msgs := render(r, false)
	if r.Ephemeral && r.User != "" && !a.isBotDM(ctx, channel, r.User) {
		for _, m := range msgs {
			err := a.out.Do(ctx, channel, "chat.postEphemeral", func(ctx context.Context) error {
				_, err := a.api.PostEphemeralContext(ctx, channel, r.User, msgOptions(m)...)
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	for i, m := range msgs {
		opts := msgOptions(m)
		if i == len(msgs)-1 && r.IdempotencyKey != "" {
			opts = append(opts, slackapi.MsgOptionMetadata(slackapi.SlackMetadata{
				EventType: MetadataType, EventPayload: map[string]any{"key": r.IdempotencyKey}}))
		}
		if _, err := a.post(ctx, channel, opts); err != nil {
			return err
		}
	}
	return nil
}

// Post posts a reply as one message the bot will edit, and returns its id
// (Slack's ts).
func (a *Adapter) Post(ctx context.Context, r bot.Reply) (string, error) {
	channel, err := a.target(ctx, r)
	if err != nil {
		return "", err
	}
	return a.post(ctx, channel, msgOptions(renderOne(r, true)))
}

// Edit replaces a message posted with Post (chat.update).
func (a *Adapter) Edit(ctx context.Context, channel, id string, r bot.Reply) error {
	return a.update(ctx, channel, id, msgOptions(renderOne(r, true)))
}

// Delivered reports whether a message carrying the idempotency key is among
// the latest hundred of the conversation (the user's direct conversation
// when channel is empty): a reminder interrupted by a crash after Slack took
// it is then recorded instead of sent twice. It needs the history scopes.
func (a *Adapter) Delivered(ctx context.Context, channel, user, key string) (bool, error) {
	channel, err := a.target(ctx, bot.Reply{Channel: channel, User: user})
	if err != nil {
		return false, err
	}
	h, err := a.api.GetConversationHistoryContext(ctx, &slackapi.GetConversationHistoryParameters{
		ChannelID: channel, Limit: 100, IncludeAllMetadata: true})
	if err != nil {
		return false, fmt.Errorf("read history of %s for delivery %s: %w", channel, key, err)
	}
	for _, m := range h.Messages {
		if m.Metadata.EventType == MetadataType && m.Metadata.EventPayload["key"] == key {
			return true, nil
		}
	}
	return false, nil
}

func msgOptions(m message) []slackapi.MsgOption {
	return []slackapi.MsgOption{slackapi.MsgOptionText(m.text, false), slackapi.MsgOptionBlocks(m.blocks...)}
}

func (a *Adapter) post(ctx context.Context, channel string, opts []slackapi.MsgOption) (string, error) {
	var ts string
	err := a.out.Do(ctx, channel, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

func (a *Adapter) update(ctx context.Context, channel, ts string, opts []slackapi.MsgOption) error {
	return a.out.Do(ctx, channel, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
}

// target is the channel a reply goes to: its own, or the user's direct
// conversation.
func (a *Adapter) target(ctx context.Context, r bot.Reply) (string, error) {
	return a.dms.Target(ctx, r.Channel, r.User)
}

// openDM opens the bot's direct conversation with user (conversations.open).
func (a *Adapter) openDM(ctx context.Context, user string) (string, error) {
	var ch string
	err := a.out.Do(ctx, "open:"+user, "conversations.open", func(ctx context.Context) error {
		c, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
		if err == nil {
			ch = c.ID
		}
		return err
	})
	return ch, err
}

// isDM reports whether channel is a direct conversation (Slack's ids of
// direct conversations start with D); ephemeral messages are not needed
// there.
func (a *Adapter) isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

// isBotDM reports whether channel is the bot's direct conversation with
// user: the only place where she may type person data.
func (a *Adapter) isBotDM(ctx context.Context, channel, user string) bool {
	if !a.isDM(channel) {
		return false
	}
	ok, err := a.dms.IsWith(ctx, channel, user)
	if err != nil {
		a.log.Warn("could not tell whether a conversation is the bot's own", "user", user, "channel", channel, "err", err)
	}
	return ok
}
