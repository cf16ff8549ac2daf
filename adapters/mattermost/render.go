package mattermost

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chat"
	"beredskab/bot"
	"beredskab/workflows"
)

const (
	// maxMessage is the longest post message the server takes.
	maxMessage = model.PostMessageMaxRunesV2
	// maxButtons: up to this many choices are buttons, more a select.
	maxButtons = 8
	// maxLabel bounds a button's text.
	maxLabel = 60
	// nextLabel sends a multiple choice's ticked options.
	nextLabel = "Næste / Next ›"
	// noneWord is sent for "next" with nothing ticked: a multiple-choice
	// question reads it as "none of these".
	noneWord = "ingen"
)

// render turns a reply into posts for channel: the text (split at lines
// when it is longer than a post takes), the buttons on the last one. live
// marks a post the bot keeps up to date itself (the crisis checklist).
func (a *Adapter) render(r bot.Reply, channel string, live bool) []*model.Post {
	chunks := chat.Split(strings.TrimRight(r.Text, "\n"), maxMessage)
	posts := make([]*model.Post, len(chunks))
	for i, c := range chunks {
		posts[i] = &model.Post{ChannelId: channel, Message: c}
	}
	if att := a.attachment(r, channel, live); att != nil {
		model.ParseMessageAttachment(posts[len(posts)-1], []*model.MessageAttachment{att})
	}
	return posts
}

// renderOne is render for a post that must stay one (it will be edited):
// text that does not fit is cut short.
func (a *Adapter) renderOne(r bot.Reply, channel string, live bool) *model.Post {
	text := strings.TrimRight(r.Text, "\n")
	if utf8.RuneCountInString(text) > maxMessage {
		text = chat.Cut(text, maxMessage-1) + "…"
	}
	return a.render(bot.Reply{Text: text, Options: r.Options, Multi: r.Multi, Keywords: r.Keywords, Actions: r.Actions, User: r.User},
		channel, live)[0]
}

// attachment holds a reply's controls: its options (buttons, a select, or
// toggles with "next" for a multiple choice) and its action buttons; nil
// when it has none.
func (a *Adapter) attachment(r bot.Reply, channel string, live bool) *model.MessageAttachment {
	var actions []*model.PostAction
	user := r.User
	if live {
		user = "" // the checklist is pressed by the team
	}
	base := press{User: user, Channel: channel}
	switch {
	case len(r.Options) == 0:
	case r.Multi:
		actions = a.toggles(base, pairs(r.Options), nil)
	case len(r.Options) <= maxButtons || r.Keywords:
		for _, o := range r.Options {
			p := base
			p.Kind, p.Value, p.Label = kindOption, o.Value, o.Label
			actions = append(actions, a.button(len(actions), o.Label, "", p))
		}
	default:
		p := base
		p.Kind, p.Options = kindSelect, pairs(r.Options)
		opts := make([]*model.PostActionOptions, len(r.Options))
		for i, o := range r.Options {
			opts[i] = &model.PostActionOptions{Text: label(o.Label), Value: o.Value}
		}
		sel := a.button(0, "Vælg / Choose", "", p)
		sel.Type, sel.Options = model.PostActionTypeSelect, opts
		actions = append(actions, sel)
	}
	for _, o := range r.Actions {
		p := base
		p.Kind, p.Value, p.Label = kindCommand, o.Value, o.Label
		actions = append(actions, a.button(len(actions), o.Label, "", p))
	}
	if len(actions) == 0 {
		return nil
	}
	return &model.MessageAttachment{Actions: actions}
}

// toggles are a multiple choice's buttons: one per option, ticked or not,
// and "next"; every context carries the whole state.
func (a *Adapter) toggles(base press, options [][2]string, ticked []string) []*model.PostAction {
	var actions []*model.PostAction
	for i, o := range options {
		p := base
		p.Kind, p.Options, p.Ticked, p.Index = kindToggle, options, ticked, i
		mark, style := "☐ ", "default"
		if slices.Contains(ticked, o[0]) {
			mark, style = "☑ ", "primary"
		}
		actions = append(actions, a.button(len(actions), mark+o[1], style, p))
	}
	p := base
	p.Kind, p.Options, p.Ticked = kindNext, options, ticked
	return append(actions, a.button(len(actions), nextLabel, "good", p))
}

// button is one signed button; its id is plain letters and digits, as the
// server's action URLs need.
func (a *Adapter) button(n int, name, style string, p press) *model.PostAction {
	return &model.PostAction{
		Id:   "b" + strconv.Itoa(n),
		Type: model.PostActionTypeButton, Name: label(name), Style: style,
		Integration: &model.PostActionIntegration{URL: a.opt.PublicURL + PathAction, Context: a.sign.context(p)},
	}
}

// answered is the attachment a question's post keeps once answered: the
// answer in place of the buttons, so nothing stale can be pressed again.
func answered(answer string) *model.MessageAttachment {
	return &model.MessageAttachment{Text: "→ **" + chat.Cut(answer, 1000) + "**"}
}

func pairs(opts []workflows.Option) [][2]string {
	out := make([][2]string, len(opts))
	for i, o := range opts {
		out[i] = [2]string{o.Value, o.Label}
	}
	return out
}

// label is a button's text within its limit.
func label(s string) string {
	if utf8.RuneCountInString(s) > maxLabel {
		return chat.Cut(s, maxLabel-1) + "…"
	}
	return s
}
