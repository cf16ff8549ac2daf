package slack

import (
	"context"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"beredskab/adapters/internal/chat"
	"beredskab/bot"
)

// inbox runs the work of acknowledged deliveries in each user's order
// (chat.Inbox) and turns Slack's deliveries into the bot's messages.
type inbox struct {
	*chat.Inbox
	a *Adapter
	h bot.Handler
}

func (a *Adapter) newInbox(ctx context.Context, h bot.Handler) *inbox {
	return &inbox{Inbox: chat.NewInbox(ctx, a.opt.Workers, a.opt.WorkTimeout), a: a, h: h}
}

func (in *inbox) push(user string, work func(context.Context)) { in.Push(user, work) }

// handle gives one message to the bot and logs a failure (ids only).
func (in *inbox) handle(ctx context.Context, m bot.Message) {
	if err := in.h.Handle(ctx, m); err != nil {
		in.a.log.Error("handle slack message", "user", m.User, "channel", m.Channel, "err", err)
	}
}

// slash takes a slash command: "/visit 2026-0042" in a channel or in the
// bot's direct conversation. Slack retries a command it thinks was missed;
// the trigger id drops the repeat.
func (in *inbox) slash(cmd slackapi.SlashCommand) {
	if !in.a.fresh("cmd:", cmd.TriggerID) {
		in.a.log.Info("slack command repeated; dropped", "user", cmd.UserID)
		return
	}
	text := strings.TrimSpace(cmd.Command + " " + cmd.Text)
	in.push(cmd.UserID, func(ctx context.Context) {
		direct := in.a.isBotDM(ctx, cmd.ChannelID, cmd.UserID)
		in.handle(ctx, bot.Message{User: cmd.UserID, Channel: cmd.ChannelID, Direct: direct, Text: text})
	})
}

// event takes an Events API event; only a new message in the bot's direct
// conversation (message.im) is for the bot: not the bot's own, not an edit.
func (in *inbox) event(eventID string, inner any) {
	m, ok := inner.(*slackevents.MessageEvent)
	if !ok || m.ChannelType != "im" || m.SubType != "" || m.BotID != "" || m.User == "" || m.ThreadTimeStamp != "" {
		return
	}
	if !in.a.fresh("event:", eventID) {
		in.a.log.Info("slack event repeated; dropped", "event", eventID, "user", m.User)
		return
	}
	in.a.dms.Know(m.User, m.Channel)
	text := unescape(m.Text)
	in.push(m.User, func(ctx context.Context) {
		in.handle(ctx, bot.Message{User: m.User, Channel: m.Channel, Direct: true, Text: text})
	})
}

// interaction takes a button press, a choice from a select or the "next"
// of checkboxes, and delivers it exactly as typing its value would. A
// question's message is first updated to show the answer without its
// controls, and a second press of it (two quick taps, a retry) is dropped.
func (in *inbox) interaction(ic slackapi.InteractionCallback) {
	if ic.Type != slackapi.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) == 0 {
		return
	}
	act := ic.ActionCallback.BlockActions[0]
	kind, _, _ := strings.Cut(act.ActionID, ":")
	lifetime, _, _ := strings.Cut(act.BlockID, ":")
	var value, label string
	switch kind {
	case actOption, actCommand:
		value, label = act.Value, act.Text.Text
	case actSelect:
		value, label = act.SelectedOption.Value, act.SelectedOption.Text.Text
	case actNext:
		value, label = ticked(ic)
	default:
		return // a checkbox ticked: state only, sent with "next"
	}
	channel := firstNonEmpty(ic.Container.ChannelID, ic.Channel.ID)
	ts := firstNonEmpty(ic.Container.MessageTs, ic.Message.Timestamp)
	id := "press:" + channel + ":" + ts + ":" + firstNonEmpty(act.ActionTs, ic.TriggerID)
	if lifetime == blockOnce {
		id = "answered:" + channel + ":" + ts // one answer per question message
	}
	if value == "" || !in.a.seen.First(id) {
		return
	}
	user := ic.User.ID
	pressed := ic.Message.Blocks.BlockSet
	in.push(user, func(ctx context.Context) {
		if lifetime == blockOnce && !ic.Container.IsEphemeral {
			blocks := answered(pressed, label)
			if err := in.a.update(ctx, channel, ts, msgOptions(message{text: fallback(blocks), blocks: blocks})); err != nil {
				in.a.log.Error("show the answer on a pressed message", "user", user, "channel", channel, "err", err)
			}
		}
		direct := in.a.isBotDM(ctx, channel, user)
		in.handle(ctx, bot.Message{User: user, Channel: channel, Direct: direct, Text: value})
	})
}

// ticked is what "next" sends: the ticked checkboxes' values joined with
// ", " (as she would type them), or "ingen" when none is ticked.
func ticked(ic slackapi.InteractionCallback) (value, label string) {
	if ic.BlockActionState == nil {
		return noneWord, noneWord
	}
	var values, labels []string
	for _, b := range ic.Message.Blocks.BlockSet { // in the message's order
		ab, ok := b.(*slackapi.ActionBlock)
		if !ok {
			continue
		}
		for actionID, st := range ic.BlockActionState.Values[ab.BlockID] {
			if !strings.HasPrefix(actionID, actCheckbox+":") {
				continue
			}
			for _, o := range st.SelectedOptions {
				values = append(values, o.Value)
				if o.Text != nil {
					labels = append(labels, o.Text.Text)
				}
			}
		}
	}
	if len(values) == 0 {
		return noneWord, noneWord
	}
	return strings.Join(values, ", "), strings.Join(labels, ", ")
}

// fresh reports whether the delivery with this id was not seen before; a
// delivery without an id counts as new.
func (a *Adapter) fresh(prefix, id string) bool {
	return id == "" || a.seen.First(prefix+id)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
