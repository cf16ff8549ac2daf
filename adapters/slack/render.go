package slack

import (
	"strconv"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"beredskab/adapters/internal/chat"
	"beredskab/bot"
	"beredskab/workflows"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit): a message
// holds at most 50 blocks, a section's text at most 3000 characters, an
// actions block at most 25 elements, a button's or an option's text at most
// 75, a checkbox group at most 10 options and a select at most 100.
const (
	maxBlocks        = 50
	maxSectionText   = 3000
	maxActionsBlock  = 25
	maxLabel         = 75
	maxCheckboxes    = 10
	maxSelectOptions = 100
	// maxButtons: up to this many choices are buttons, more a select.
	maxButtons = 5
	// maxFallback bounds the notification text that goes with the blocks.
	maxFallback = 3000
)

// Action and block ids carry what a press means, so that an interaction
// needs no state kept between posting and pressing. An action id is
// "<kind>:<n>" (unique within the message, as Slack requires); a block id
// is "<lifetime>:<n>".
const (
	actOption   = "opt"  // a choice button: its value is typed
	actSelect   = "sel"  // a static select of choices
	actCheckbox = "chk"  // a checkbox group of a multiple choice (state only)
	actNext     = "next" // sends the ticked checkboxes
	actCommand  = "act"  // a Reply.Actions button: its value is a command

	// blockOnce marks controls that answer once: the pressed message is
	// replaced by the answer. blockLive marks controls of a message the bot
	// keeps up to date itself (the crisis checklist): left as they are.
	blockOnce = "once"
	blockLive = "live"
)

// noneWord is sent for "next" with nothing ticked: a multiple-choice
// question reads it as "none of these".
const noneWord = "ingen"

// message is one chat message as Block Kit.
type message struct {
	text   string
	blocks []slackapi.Block
}

// render turns a reply into one or more messages: the text as sections
// (split at lines to respect the limits; text beyond one message's blocks
// goes into further messages), the controls in the last one. live marks a
// message the bot edits itself (Post, Edit).
func render(r bot.Reply, live bool) []message {
	controls := renderControls(r, live)
	room := maxBlocks - len(controls)
	sections := textSections(r.Text)
	var out []message
	for len(sections) > room {
		out = append(out, message{text: fallback(sections[:maxBlocks]), blocks: sections[:maxBlocks]})
		sections = sections[maxBlocks:]
	}
	blocks := append(sections, controls...)
	if len(blocks) == 0 {
		blocks = textSections("…")
	}
	return append(out, message{text: fallback(sections), blocks: blocks})
}

// renderOne is render for a message that must stay one (a posted message
// that will be edited): text that does not fit is cut short.
func renderOne(r bot.Reply, live bool) message {
	controls := renderControls(r, live)
	sections := textSections(r.Text)
	if room := maxBlocks - len(controls); len(sections) > room {
		sections = sections[:room]
		last := sections[room-1].(*slackapi.SectionBlock)
		last.Text.Text = chat.Cut(last.Text.Text, maxSectionText-1) + "…"
	}
	return message{text: fallback(sections), blocks: append(sections, controls...)}
}

// textSections splits text into mrkdwn sections of at most maxSectionText
// characters, at line ends where it can.
func textSections(text string) []slackapi.Block {
	var out []slackapi.Block
	for _, chunk := range chat.Split(escape(strings.TrimRight(text, "\n")), maxSectionText) {
		if strings.TrimSpace(chunk) == "" {
			continue
		}
		out = append(out, slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, chunk, false, false), nil, nil))
	}
	return out
}

// escape makes text safe as Slack mrkdwn: &, < and > are control
// characters there.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// unescape turns text as Slack delivers it back into what was typed.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// fallback is the plain notification text of a message's sections.
func fallback(sections []slackapi.Block) string {
	var parts []string
	for _, b := range sections {
		if s, ok := b.(*slackapi.SectionBlock); ok && s.Text != nil {
			parts = append(parts, s.Text.Text)
		}
	}
	return chat.Cut(strings.Join(parts, "\n"), maxFallback)
}

// renderControls are the actions blocks of a reply: its options (buttons,
// a select, or checkboxes with "next") and its action buttons.
func renderControls(r bot.Reply, live bool) []slackapi.Block {
	var elems [][]slackapi.BlockElement // one slice per actions block
	n := 0
	id := func(kind string) string { n++; return kind + ":" + strconv.Itoa(n) }
	switch {
	case len(r.Options) == 0:
	case r.Multi:
		for _, group := range chunk(r.Options, maxCheckboxes) {
			opts := make([]*slackapi.OptionBlockObject, len(group))
			for i, o := range group {
				opts[i] = option(o)
			}
			elems = append(elems, []slackapi.BlockElement{slackapi.NewCheckboxGroupsBlockElement(id(actCheckbox), opts...)})
		}
		next := slackapi.NewButtonBlockElement(id(actNext), "next", plain("Næste / Next ›"))
		next.Style = slackapi.StylePrimary
		elems = append(elems, []slackapi.BlockElement{next})
	case len(r.Options) <= maxButtons || r.Keywords:
		elems = append(elems, buttons(r.Options, id, actOption)...)
	default:
		for _, group := range chunk(r.Options, maxSelectOptions) {
			opts := make([]*slackapi.OptionBlockObject, len(group))
			for i, o := range group {
				opts[i] = option(o)
			}
			sel := slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, plain("Vælg / Choose"), id(actSelect), opts...)
			elems = append(elems, []slackapi.BlockElement{sel})
		}
	}
	elems = append(elems, buttons(r.Actions, id, actCommand)...)
	lifetime := blockOnce
	if live {
		lifetime = blockLive
	}
	blocks := make([]slackapi.Block, 0, len(elems))
	for i, e := range elems {
		blocks = append(blocks, slackapi.NewActionBlock(lifetime+":"+strconv.Itoa(i+1), e...))
	}
	return blocks
}

// buttons are one button per option, 25 to an actions block.
func buttons(opts []workflows.Option, id func(string) string, kind string) [][]slackapi.BlockElement {
	var out [][]slackapi.BlockElement
	for _, group := range chunk(opts, maxActionsBlock) {
		row := make([]slackapi.BlockElement, len(group))
		for i, o := range group {
			row[i] = slackapi.NewButtonBlockElement(id(kind), o.Value, plain(o.Label))
		}
		out = append(out, row)
	}
	return out
}

func option(o workflows.Option) *slackapi.OptionBlockObject {
	return slackapi.NewOptionBlockObject(o.Value, plain(o.Label), nil)
}

// plain is a plain text object within the label limit.
func plain(s string) *slackapi.TextBlockObject {
	if utf8.RuneCountInString(s) > maxLabel {
		s = chat.Cut(s, maxLabel-1) + "…"
	}
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, true, false)
}

func chunk[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// answered is the pressed message as it stays: its text, and the answer
// chosen in place of its controls, so nothing stale can be pressed again.
func answered(pressed []slackapi.Block, answer string) []slackapi.Block {
	var out []slackapi.Block
	for _, b := range pressed {
		if s, ok := b.(*slackapi.SectionBlock); ok && s.Text != nil {
			out = append(out, slackapi.NewSectionBlock(s.Text, nil, nil))
		}
	}
	if len(out) >= maxBlocks {
		out = out[:maxBlocks-1]
	}
	return append(out, slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, "→ *"+escape(chat.Cut(answer, maxSectionText-10))+"*", false, false)))
}
