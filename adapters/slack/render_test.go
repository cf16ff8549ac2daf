package slack

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"beredskab/bot"
	"beredskab/workflows"
)

func opts(n int) []workflows.Option {
	out := make([]workflows.Option, n)
	for i := range out {
		out[i] = workflows.Option{Value: fmt.Sprintf("v%d", i), Label: fmt.Sprintf("Valg %d", i+1)}
	}
	return out
}

// Every message respects Block Kit's limits, whatever the reply.
func TestRenderingKeepsBlockKitLimits(t *testing.T) {
	long := strings.Repeat("Linje med æøå og <tegn> & mere.\n", 8000) // ~260k characters
	for _, r := range []bot.Reply{
		{Text: long, Actions: opts(60)},
		{Text: "x", Options: opts(130)},
		{Text: "x", Options: opts(12), Multi: true},
		{Text: strings.Repeat("ø", 9000), Options: []workflows.Option{{Value: "a", Label: strings.Repeat("lang ", 40)}}},
	} {
		msgs := render(r, false)
		for _, m := range msgs {
			checkLimits(t, m)
		}
		checkLimits(t, renderOne(r, true))
	}
}

func checkLimits(t *testing.T, m message) {
	t.Helper()
	if len(m.blocks) > maxBlocks {
		t.Errorf("%d blocks", len(m.blocks))
	}
	for _, b := range m.blocks {
		switch b := b.(type) {
		case *slackapi.SectionBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > maxSectionText {
				t.Errorf("section of %d characters", n)
			}
		case *slackapi.ActionBlock:
			if n := len(b.Elements.ElementSet); n > maxActionsBlock {
				t.Errorf("actions block of %d elements", n)
			}
			for _, e := range b.Elements.ElementSet {
				switch e := e.(type) {
				case *slackapi.ButtonBlockElement:
					if utf8.RuneCountInString(e.Text.Text) > maxLabel {
						t.Errorf("button label %q", e.Text.Text)
					}
				case *slackapi.SelectBlockElement:
					if len(e.Options) > maxSelectOptions {
						t.Errorf("select of %d options", len(e.Options))
					}
				case *slackapi.CheckboxGroupsBlockElement:
					if len(e.Options) > maxCheckboxes {
						t.Errorf("checkbox group of %d", len(e.Options))
					}
				}
			}
		}
	}
}

// Up to five choices are buttons, more a select, several checkboxes with
// "next"; keyword choices stay buttons; the text survives splitting whole.
func TestRenderingChoosesTheControl(t *testing.T) {
	kinds := func(r bot.Reply) string {
		var out []string
		for _, m := range render(r, false) {
			for _, b := range m.blocks {
				if ab, ok := b.(*slackapi.ActionBlock); ok {
					for _, e := range ab.Elements.ElementSet {
						out = append(out, string(e.ElementType()))
					}
				}
			}
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		r    bot.Reply
		want string
	}{
		{bot.Reply{Options: opts(5)}, "button,button,button,button,button"},
		{bot.Reply{Options: opts(6)}, "static_select"},
		{bot.Reply{Options: opts(6), Keywords: true}, "button,button,button,button,button,button"},
		{bot.Reply{Options: opts(12), Multi: true}, "checkboxes,checkboxes,button"},
		{bot.Reply{Actions: opts(2)}, "button,button"},
	} {
		if got := kinds(c.r); got != c.want {
			t.Errorf("%d options (multi %v, keywords %v): %s, want %s", len(c.r.Options), c.r.Multi, c.r.Keywords, got, c.want)
		}
	}
	text := strings.Repeat("abc <&> æøå\n", 1000)
	var got []string
	for _, m := range render(bot.Reply{Text: text}, false) {
		for _, b := range m.blocks {
			got = append(got, unescape(b.(*slackapi.SectionBlock).Text.Text))
		}
	}
	if strings.Join(got, "\n") != strings.TrimRight(text, "\n") {
		t.Error("the text split into sections does not join back to the original")
	}
}
