package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"beredskab/workflows"
)

// Clock tells the time; tests pass a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Store is everything the core keeps: drafts, visits and crisis runs.
type Store interface {
	DraftStore
	VisitStore
	CrisisStore
	SettingStore
}

// Options are what New needs; main fills them from the config.
type Options struct {
	Roster       Roster
	Store        Store
	Sender       Sender
	Registration *workflows.Registration
	Clock        Clock
	// Location is the team's time zone: dates like "i dag" mean its today.
	Location *time.Location
	// Organisation fills Skema 1's organisation when staff have none.
	Organisation string
	// DraftMaxAge drops unfinished registrations older than this.
	DraftMaxAge time.Duration
	Logger      *slog.Logger
	// Crisis configures the crisis commands.
	Crisis CrisisOptions
	// Reminders is the reminder service; nil turns reminders off.
	Reminders Reminders
	Reminder  ReminderOptions
	// Lang is the team's language, for messages in shared channels.
	Lang workflows.Lang
	// Audit records exports, reports, edits and crisis commands; nil turns
	// the audit log off.
	Audit AuditLog
	// Platform names the adapter ("console", "slack") in audit entries.
	Platform string
}

// CrisisOptions configure /crisis: the hotline number in the SMS template
// (Bilag 1), further SMS languages, and channels that get a read-only copy
// of the checklist (for example one shared with the partner NGOs).
type CrisisOptions struct {
	Hotline   string
	SMS       map[string]string
	Broadcast []string
}

// Bot is the core: it takes messages from an adapter, runs commands and
// conversations, and sends replies through the Sender.
type Bot struct {
	opt Options
	log *slog.Logger

	// crisisMu orders the edits of the checklist messages.
	crisisMu sync.Mutex

	mu sync.Mutex
	// live holds the drafts worked on since this process started, as last
	// stored (this process is the only writer, so the copy is the truth and
	// a turn need not read it back). A draft found on disk for anyone else
	// is offered for resuming.
	live map[string]workflows.Draft
	// offered holds the users who were just asked to resume or discard.
	offered map[string]bool
	// users serialises the messages of one user, so two quick messages
	// cannot both step the same draft.
	users map[string]*sync.Mutex
}

// New makes the bot. Clock, Location, Registration and Logger default to
// the real clock, Europe/Copenhagen, Skema 1 and 2, and a discarding logger.
func New(opt Options) (*Bot, error) {
	if opt.Store == nil || opt.Sender == nil {
		return nil, fmt.Errorf("new bot: a store and a sender are required")
	}
	if opt.Clock == nil {
		opt.Clock = SystemClock{}
	}
	if opt.Location == nil {
		loc, err := time.LoadLocation("Europe/Copenhagen")
		if err != nil {
			return nil, fmt.Errorf("new bot: load time zone: %w", err)
		}
		opt.Location = loc
	}
	if opt.Registration == nil {
		opt.Registration = workflows.NewRegistration()
	}
	if opt.DraftMaxAge == 0 {
		opt.DraftMaxAge = 14 * 24 * time.Hour
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Bot{opt: opt, log: opt.Logger, live: map[string]workflows.Draft{}, offered: map[string]bool{}, users: map[string]*sync.Mutex{}}, nil
}

// Handle answers one message. Unknown users get a refusal and nothing else.
// A user's answer is stored before any reply is sent.
func (b *Bot) Handle(ctx context.Context, m Message) (err error) {
	if !m.Direct && !strings.HasPrefix(strings.TrimSpace(m.Text), "/") {
		return nil // plain chatter in a channel is not for the bot
	}
	defer func() {
		if p := recover(); p != nil { // one broken record must not stop the bot for everyone
			b.log.Error("handling a message panicked", "user", m.User, "panic", fmt.Sprint(p))
			err = b.reply(ctx, m, Reply{Text: txtInternal.Da + " / " + txtInternal.En})
		}
	}()
	staff, ok := b.opt.Roster.Lookup(m.User)
	if !ok {
		b.log.Info("message from a user not on the roster", "user", m.User)
		return b.reply(ctx, m, Reply{Text: txtUnknownUser.Da, Ephemeral: true})
	}
	unlock := b.lockUser(m.User)
	defer unlock()

	text := strings.TrimSpace(m.Text)
	req := Request{Message: m, Staff: staff}
	if m.Direct && draftWords[strings.ToLower(strings.TrimPrefix(text, "/"))] {
		text = strings.TrimPrefix(text, "/") // "/tilbage" in a registration is "tilbage"
		req.Message.Text = text
	}
	if word, args, ok := strings.Cut(text+" ", " "); strings.HasPrefix(word, "/") && ok {
		if m.Direct {
			if _, err := b.answerOffer(ctx, req); err != nil { // a command closes an open follow-up offer
				return err
			}
		}
		req.Slash, req.Args = true, strings.TrimSpace(args)
		return b.command(ctx, req, strings.TrimPrefix(word, "/"))
	}
	if !m.Direct {
		return nil // plain chatter in a channel is not for the bot
	}
	if handled, err := b.answerOffer(ctx, req); handled || err != nil {
		return err
	}
	handled, err := b.continueDraft(ctx, req)
	if handled || err != nil {
		return err
	}
	word, args, _ := strings.Cut(text, " ")
	if c, ok := b.findCommand(word); ok {
		req.Args = strings.TrimSpace(args)
		return b.run(ctx, req, c)
	}
	return b.reply(ctx, m, Reply{Text: txtNotUnderstood.In(staff.Lang) + " " + txtSeeHelp.In(staff.Lang)})
}

// draftWords are the words of a registration in progress; typed with a
// slash in the direct conversation they mean the same.
var draftWords = map[string]bool{"tilbage": true, "back": true, "skip": true, "spring over": true,
	"afbryd": true, "cancel": true, "hjælp": true, "help": true}

// command runs a slash command, or says it is unknown and suggests one.
func (b *Bot) command(ctx context.Context, req Request, name string) error {
	if c, ok := b.findCommand(name); ok {
		return b.run(ctx, req, c)
	}
	lang := req.Lang()
	msg := fmtText(txtUnknownCmd, lang, "«/"+truncate(name, 30)+"»")
	if s := b.closestCommand(name); s != "" {
		msg += " " + fmtText(txtDidYouMean, lang, "«/"+s+"»")
	}
	return b.reply(ctx, req.Message, Reply{Text: msg + " " + txtSeeHelp.In(lang), Ephemeral: true})
}

func (b *Bot) run(ctx context.Context, req Request, c Command) error {
	if !c.allows(req.Staff.Role) {
		return b.reply(ctx, req.Message, Reply{Text: txtNotAllowed.In(req.Lang()), Ephemeral: true})
	}
	return c.Run(ctx, req)
}

// reply answers in the conversation the message came from.
func (b *Bot) reply(ctx context.Context, m Message, r Reply) error {
	if r.Channel == "" && r.User == "" {
		r.Channel, r.User = m.Channel, m.User
	}
	if err := b.opt.Sender.Send(ctx, r); err != nil {
		return fmt.Errorf("send reply to %s: %w", m.User, err)
	}
	return nil
}

// lockUser serialises one user's messages.
func (b *Bot) lockUser(user string) func() {
	b.mu.Lock()
	l, ok := b.users[user]
	if !ok {
		l = &sync.Mutex{}
		b.users[user] = l
	}
	b.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// now is the time in the team's time zone.
func (b *Bot) now() time.Time { return b.opt.Clock.Now().In(b.opt.Location) }

func fmtText(t text, lang workflows.Lang, args ...any) string {
	return fmt.Sprintf(t.In(lang), args...)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
