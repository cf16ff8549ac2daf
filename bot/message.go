// Package bot is the platform-neutral core of beredskab: the messages that
// adapters deliver and the replies they send, the staff roster, command
// routing and the registration conversations. It knows no chat platform and
// no database; adapters and storage meet it at the interfaces declared here.
package bot

import (
	"context"

	"beredskab/workflows"
)

// Message is one thing a user said to the bot, as an adapter delivers it.
// A slash command arrives as its text ("/visit"), a plain message as typed.
type Message struct {
	// User is the platform's id for the sender; the roster maps it to staff.
	User string
	// Channel is where it was said; Direct marks the bot's direct
	// conversation with the user, the only place person data may be typed.
	Channel string
	Direct  bool
	Text    string
}

// Reply is one message from the bot. It goes to Channel, or, when Channel is
// empty, to the direct conversation with User.
type Reply struct {
	Channel string
	User    string
	Text    string
	// Options are choices an adapter may show as buttons; pressing one must
	// deliver its Value as if typed. Multi allows several; Keywords means
	// the options are words to type rather than numbers (the console shows
	// them as words, not as "1)").
	Options  []workflows.Option
	Multi    bool
	Keywords bool
	// Actions are buttons for adapters that have them (the crisis
	// checklist's "done" per open item); their Value is a command sent as if
	// typed. Text adapters leave them out: the text names the commands.
	Actions []workflows.Option
	// IdempotencyKey identifies one delivery of a reminder: a resend after a
	// crash carries the same key, and adapters pass it on where the
	// platform can drop a repeat.
	IdempotencyKey string
	// Ephemeral asks the adapter to show a channel reply to User alone,
	// where the platform can.
	Ephemeral bool
}

// Sender delivers replies. Send must not return before the platform has
// taken the reply (or failed to): callers rely on the order of replies.
type Sender interface {
	Send(ctx context.Context, r Reply) error
}

// Handler is what adapters deliver messages to: the bot.
type Handler interface {
	Handle(ctx context.Context, m Message) error
}

// Adapter connects the bot to one chat platform: it delivers every message
// to the handler until ctx ends or its input does, and sends replies.
// Further abilities (editing a message, uploading a file) are separate
// interfaces an adapter may also implement.
type Adapter interface {
	Sender
	Run(ctx context.Context, h Handler) error
}

// Poster is an adapter that can say which message it posted, so that the
// message can be edited later (the crisis checklist is one message kept up
// to date).
type Poster interface {
	Post(ctx context.Context, r Reply) (id string, err error)
}

// Editor is an adapter that can change a message it posted. Without it the
// core posts the new state as a new message.
type Editor interface {
	Edit(ctx context.Context, channel, id string, r Reply) error
}
