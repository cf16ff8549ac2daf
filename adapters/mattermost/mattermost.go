// Package mattermost is the Mattermost adapter: the whole bot on a
// self-hosted Mattermost server. It signs in as a bot account with its
// access token, reads direct messages from the server's websocket (drained
// and reconnected with backoff, and caught up on what was posted while it
// was away), registers the bot's slash commands in its teams pointing at
// its own HTTP listener, and shows choices as interactive message buttons
// whose press the server posts back to that listener. Every request there
// is authenticated: a slash command by its command's token, a button press
// by the HMAC its context carries. Every call to the server goes through a
// per-channel queue that waits out 429s and server restarts.
package mattermost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chat"
	"beredskab/bot"
)

// DeliveryProp is the post property that carries a reminder's idempotency
// key, so that a delivery can be looked up after a crash.
const DeliveryProp = "beredskab_delivery"

// Paths of the bot's listener, which the server calls.
const (
	PathCommand = "/mattermost/command"
	PathAction  = "/mattermost/action"
)

// Cursor remembers the time of the last direct message the bot handled, so
// that after a restart it catches up on what was posted while it was down
// (bot.SettingStore: the storage keeps it).
type Cursor interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// cursorKey is the setting the cursor is kept under.
const cursorKey = "mattermost.dm-cursor"

// Options configure the adapter; New fills in the defaults.
type Options struct {
	// URL is the server's address (https://chat.example.org); Token the
	// bot account's access token.
	URL   string
	Token string
	// Listen is the address of the bot's own listener for slash commands
	// and button presses (default ":3001"); PublicURL is how the server
	// reaches it (default http://127.0.0.1:<port of Listen>).
	Listen    string
	PublicURL string
	// Secret signs the context of every button (at least 32 bytes); it must
	// stay the same across restarts, or buttons posted before one stop
	// working. main keeps it in the encrypted store.
	Secret []byte
	// Teams are the team names to register the slash commands in (default:
	// every team the bot is a member of).
	Teams []string
	// Cursor keeps the catch-up point across restarts (optional: without
	// it a restart catches up on nothing posted while the bot was down).
	Cursor Cursor
	// HTTPClient makes the API calls (default: one with a 30 s timeout).
	HTTPClient *http.Client
	// Clock paces and times the retries (default: the real clock).
	Clock  chat.Clock
	Logger *slog.Logger
	// MaxTries bounds the tries of one API call (default 10) and Backoff is
	// the first wait after a failure (default 1 s, doubling up to 30 s):
	// about three minutes of a server away are ridden out.
	MaxTries int
	Backoff  time.Duration
	// Remember is how many delivery ids are kept to drop repeats (default
	// 10000); Workers how many users' deliveries are worked on at once
	// (default 8); WorkTimeout bounds the work on one (default 5 minutes).
	Remember    int
	Workers     int
	WorkTimeout time.Duration
	// ActionMaxAge is how long a posted button may be pressed (default 30
	// days; the crisis checklist is signed again on every edit).
	ActionMaxAge time.Duration
}

// Adapter is the Mattermost adapter. It implements bot.Adapter, bot.Poster,
// bot.Editor and bot.FileSender, and Delivered for the reminder dispatcher.
type Adapter struct {
	opt  Options
	api  *model.Client4
	log  *slog.Logger
	out  *chat.Outbox
	seen *chat.Seen
	sign signer

	// dms are the bot's direct channels, created once per user.
	dms *chat.Directs

	mu sync.Mutex
	me *model.User
	// tokens are the slash commands' tokens, by trigger, as the server gave
	// them when they were registered.
	tokens map[string]string
	// questions is the last question post put to each user.
	questions map[string]string
	// inFlight are the create times of direct messages being worked on;
	// the cursor never passes the oldest of them.
	inFlight map[string]int64
	cursor   int64

	// saving orders the cursor's writes; saved is the last one written.
	saving sync.Mutex
	saved  int64
}

var (
	_ bot.Adapter    = (*Adapter)(nil)
	_ bot.Poster     = (*Adapter)(nil)
	_ bot.Editor     = (*Adapter)(nil)
	_ bot.FileSender = (*Adapter)(nil)
)

// New makes the adapter; it checks the settings but calls nothing yet.
func New(opt Options) (*Adapter, error) {
	u, err := url.Parse(opt.URL)
	switch {
	case opt.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, fmt.Errorf("mattermost: the server's address (https://…) is required: set MATTERMOST_URL (got %q)", opt.URL)
	case opt.Token == "":
		return nil, errors.New("mattermost: the bot account's access token is required: set MATTERMOST_TOKEN")
	case len(opt.Secret) < 32:
		return nil, errors.New("mattermost: the button signing secret must be at least 32 bytes")
	}
	if opt.Listen == "" {
		opt.Listen = ":3001"
	}
	if opt.PublicURL == "" {
		_, port, _ := strings.Cut(opt.Listen, ":")
		opt.PublicURL = "http://127.0.0.1:" + port
	}
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.MaxTries < 1 {
		opt.MaxTries = 10
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
	if opt.ActionMaxAge <= 0 {
		opt.ActionMaxAge = 30 * 24 * time.Hour
	}
	api := model.NewAPIv4Client(opt.URL)
	api.HTTPClient = opt.HTTPClient
	api.SetToken(opt.Token)
	a := &Adapter{
		opt: opt, api: api, log: opt.Logger,
		out: &chat.Outbox{Clock: opt.Clock, MaxTries: opt.MaxTries, FirstBackoff: opt.Backoff, MaxBackoff: 30 * time.Second,
			Retry: retry, Log: opt.Logger},
		seen:      chat.NewSeen(opt.Remember),
		sign:      signer{key: opt.Secret, clock: opt.Clock, maxAge: opt.ActionMaxAge},
		tokens:    map[string]string{},
		questions: map[string]string{},
		inFlight:  map[string]int64{},
	}
	a.dms = &chat.Directs{Open: a.openDM}
	return a, nil
}

// statusError is a failed API call with the HTTP status the server
// answered, and the wait a 429 asked for.
type statusError struct {
	status int
	wait   time.Duration
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// retry says which failed API calls are tried again: a 429 after the time
// the server names, a network failure (the server restarting) or a 5xx
// after the next backoff step. Anything else is an answer.
func retry(err error) (time.Duration, bool) {
	var se *statusError
	if errors.As(err, &se) {
		switch {
		case se.status == http.StatusTooManyRequests:
			return se.wait, true
		case se.status >= 500:
			return 0, true
		}
		return 0, false
	}
	return 0, chat.NetworkFailure(err)
}

// call runs one API call in channel's lane, with the answer's status kept
// for retry.
func (a *Adapter) call(ctx context.Context, channel, what string, f func(context.Context) (*model.Response, error)) error {
	return a.out.Do(ctx, channel, what, func(ctx context.Context) error {
		resp, err := f(ctx)
		if err == nil || resp == nil || resp.StatusCode < 300 {
			return err
		}
		se := &statusError{status: resp.StatusCode, err: err}
		if se.status == http.StatusTooManyRequests {
			se.wait = time.Second
			if s, perr := strconv.Atoi(firstNonEmpty(resp.Header.Get("Retry-After"), resp.Header.Get("X-Ratelimit-Reset"))); perr == nil && s > 0 {
				se.wait = time.Duration(s) * time.Second
			}
		}
		return se
	})
}

// Me is the bot account, once Run has signed in.
func (a *Adapter) Me() *model.User {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.me
}

// Connect signs in (once): main calls it before the reminder dispatcher
// starts, so an overdue reminder never finds the adapter signed out; Run
// calls it too.
func (a *Adapter) Connect(ctx context.Context) error {
	if a.Me() != nil {
		return nil
	}
	return a.signIn(ctx)
}

// signIn asks the server who the bot is, waiting the server out.
func (a *Adapter) signIn(ctx context.Context) error {
	var me *model.User
	err := a.call(ctx, "me", "get me", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		me, resp, err = a.api.GetMe(ctx, "")
		return resp, err
	})
	if err != nil {
		return fmt.Errorf("sign in to %s with the bot token: %w", a.opt.URL, err)
	}
	if !me.IsBot {
		a.log.Warn("the mattermost token is not a bot account's; replies will show as that user's", "user", me.Username)
	}
	a.mu.Lock()
	a.me = me
	a.mu.Unlock()
	return nil
}

// Run signs in, registers the slash commands, listens for the server's
// requests and reads the websocket until ctx ends, then waits for the work
// in progress (every accepted answer is stored before its reply).
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if err := a.Connect(ctx); err != nil {
		return err
	}
	if err := a.loadCursor(ctx); err != nil {
		return err
	}
	if err := a.registerCommands(ctx); err != nil {
		return err
	}
	in := a.newInbox(ctx, h)
	defer in.Wait()
	// A listener that cannot start (its port taken) stops the websocket
	// too: a bot that cannot hear its slash commands and buttons must not
	// look alive.
	events, stop := context.WithCancel(ctx)
	defer stop()
	listening := make(chan error, 1)
	go func() {
		err := a.serveHTTP(ctx, in)
		stop()
		listening <- err
	}()
	a.readEvents(events, in)
	return <-listening
}

// Send posts a reply and returns when the server has taken it (or refused
// it for good). A reply to a user with no channel goes to her direct
// channel; an ephemeral reply in a channel is shown to its user alone.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	channel, err := a.target(ctx, r)
	if err != nil {
		return err
	}
	if r.Ephemeral && r.User != "" && !a.isBotDM(ctx, channel, r.User) {
		return a.sendEphemeral(ctx, channel, r)
	}
	posts := a.render(r, channel, false)
	for i, p := range posts {
		if i == len(posts)-1 && r.IdempotencyKey != "" {
			p.AddProp(DeliveryProp, r.IdempotencyKey)
		}
		id, err := a.create(ctx, p)
		if err != nil {
			return err
		}
		if i == len(posts)-1 && r.User != "" && len(r.Options) > 0 {
			a.asking(r.User, id)
		}
	}
	return nil
}

// asking records the post of the question now put to user: the buttons of
// her earlier questions no longer answer (a press there would answer the
// question asked now with another question's value).
func (a *Adapter) asking(user, post string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.questions[user] = post
}

// stillAsked reports whether post is the question put to user last, as far
// as this process knows (after a restart every question post counts; the
// bot then first offers the unfinished registration).
func (a *Adapter) stillAsked(user, post string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	current, ok := a.questions[user]
	return !ok || current == post
}

// sendEphemeral shows a reply in a channel to its user alone: through the
// response URL of the slash command being answered (any bot may), else as
// an ephemeral post (which needs the create_post_ephemeral permission),
// else in her direct channel, which is hers alone too.
func (a *Adapter) sendEphemeral(ctx context.Context, channel string, r bot.Reply) error {
	if cmd, ok := ctx.Value(slashKey{}).(slashContext); ok && cmd.channel == channel && cmd.responseURL != "" {
		err := a.respond(ctx, channel, cmd.responseURL, r.Text)
		if err == nil {
			return nil
		}
		a.log.Warn("answer through the command's response URL failed; trying an ephemeral post", "err", err)
	}
	posts := a.render(bot.Reply{Text: r.Text}, channel, false)
	for _, p := range posts {
		err := a.call(ctx, channel, "create ephemeral post", func(ctx context.Context) (*model.Response, error) {
			_, resp, err := a.api.CreatePostEphemeral(ctx, &model.PostEphemeral{UserID: r.User, Post: p})
			return resp, err
		})
		var se *statusError
		if errors.As(err, &se) && se.status == http.StatusForbidden {
			direct := r
			direct.Channel, direct.Ephemeral = "", false
			return a.Send(ctx, direct)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Post posts a reply as one post the bot will edit, and returns its id.
func (a *Adapter) Post(ctx context.Context, r bot.Reply) (string, error) {
	channel, err := a.target(ctx, r)
	if err != nil {
		return "", err
	}
	return a.create(ctx, a.renderOne(r, channel, true))
}

// Edit replaces a post made with Post, with its buttons signed again.
func (a *Adapter) Edit(ctx context.Context, channel, id string, r bot.Reply) error {
	p := a.renderOne(r, channel, true)
	p.Id = id
	return a.call(ctx, channel, "update post", func(ctx context.Context) (*model.Response, error) {
		_, resp, err := a.api.UpdatePost(ctx, id, p)
		return resp, err
	})
}

// SendFile uploads a file (a report's chart, an Excel export) into the
// reply's conversation with r.Text as its message.
func (a *Adapter) SendFile(ctx context.Context, r bot.Reply, name string, data []byte) error {
	channel, err := a.target(ctx, r)
	if err != nil {
		return err
	}
	var ids []string
	err = a.call(ctx, channel, "upload file", func(ctx context.Context) (*model.Response, error) {
		up, resp, err := a.api.UploadFile(ctx, data, channel, name)
		if err == nil {
			ids = nil
			for _, f := range up.FileInfos {
				ids = append(ids, f.Id)
			}
		}
		return resp, err
	})
	if err != nil {
		return err
	}
	p := &model.Post{ChannelId: channel, Message: chat.Cut(r.Text, maxMessage), FileIds: ids}
	_, err = a.create(ctx, p)
	return err
}

// Delivered reports whether a post carrying the idempotency key is among the
// latest hundred of the conversation (the user's direct channel when
// channel is empty): a reminder interrupted by a crash after the server took
// it is then recorded instead of sent twice.
func (a *Adapter) Delivered(ctx context.Context, channel, user, key string) (bool, error) {
	channel, err := a.target(ctx, bot.Reply{Channel: channel, User: user})
	if err != nil {
		return false, err
	}
	var list *model.PostList
	err = a.call(ctx, channel, "read posts", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		list, resp, err = a.api.GetPostsForChannel(ctx, channel, 0, 100, "", false, false)
		return resp, err
	})
	if err != nil {
		return false, fmt.Errorf("read posts of %s for delivery %s: %w", channel, key, err)
	}
	for _, p := range list.Posts {
		if v, ok := p.GetProp(DeliveryProp).(string); ok && v == key {
			return true, nil
		}
	}
	return false, nil
}

// create posts p. A pending post id lets the server drop the repeat when a
// retry follows a post it took but could not confirm.
func (a *Adapter) create(ctx context.Context, p *model.Post) (string, error) {
	who := "beredskab"
	if me := a.Me(); me != nil {
		who = me.Id
	}
	p.PendingPostId = who + ":" + strconv.FormatInt(time.Now().UnixNano(), 10)
	var id string
	err := a.call(ctx, p.ChannelId, "create post", func(ctx context.Context) (*model.Response, error) {
		created, resp, err := a.api.CreatePost(ctx, p)
		if err == nil {
			id = created.Id
		}
		return resp, err
	})
	return id, err
}

// target is the channel a reply goes to: its own, or the user's direct
// channel.
func (a *Adapter) target(ctx context.Context, r bot.Reply) (string, error) {
	return a.dms.Target(ctx, r.Channel, r.User)
}

// openDM opens (or finds) the bot's direct channel with user.
func (a *Adapter) openDM(ctx context.Context, user string) (string, error) {
	me := a.Me()
	if me == nil {
		return "", errors.New("mattermost: not signed in yet")
	}
	var ch string
	err := a.call(ctx, "dm:"+user, "create direct channel", func(ctx context.Context) (*model.Response, error) {
		c, resp, err := a.api.CreateDirectChannel(ctx, me.Id, user)
		if err == nil {
			ch = c.Id
		}
		return resp, err
	})
	return ch, err
}

// isBotDM reports whether channel is the bot's direct channel with user:
// the only place where she may type person data.
func (a *Adapter) isBotDM(ctx context.Context, channel, user string) bool {
	ok, err := a.dms.IsWith(ctx, channel, user)
	if err != nil {
		a.log.Warn("could not tell whether a channel is the bot's direct channel", "user", user, "channel", channel, "err", err)
	}
	return ok
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// UserID is the user id a roster entry names: a user id as it is, a
// username (with or without "@") looked up on the server.
func (a *Adapter) UserID(ctx context.Context, name string) (string, error) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "@")
	if model.IsValidId(name) {
		return name, nil
	}
	var u *model.User
	err := a.call(ctx, "users", "get user by username", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		u, resp, err = a.api.GetUserByUsername(ctx, name, "")
		return resp, err
	})
	if err != nil {
		return "", fmt.Errorf("find mattermost user %q: %w", name, err)
	}
	return u.Id, nil
}

// ChannelID is the channel id a setting names: a channel id as it is, or
// "team/channel" (the channel's name, as in its URL) looked up.
func (a *Adapter) ChannelID(ctx context.Context, name string) (string, error) {
	team, channel, ok := strings.Cut(strings.TrimSpace(name), "/")
	if !ok {
		if !model.IsValidId(name) {
			return "", fmt.Errorf("mattermost channel %q: want a channel id or team/channel", name)
		}
		return name, nil
	}
	var c *model.Channel
	err := a.call(ctx, "channels", "get channel by name", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		c, resp, err = a.api.GetChannelByNameForTeamName(ctx, channel, team, "")
		return resp, err
	})
	if err != nil {
		return "", fmt.Errorf("find mattermost channel %q: %w", name, err)
	}
	return c.Id, nil
}
