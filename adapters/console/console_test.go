package console_test

import (
	"context"
	"strings"
	"testing"

	"beredskab/adapters/console"
	"beredskab/bot"
	"beredskab/workflows"
)

// echoBot answers every message with its length and two options.
type echoBot struct {
	s   bot.Sender
	got []bot.Message
}

func (e *echoBot) Handle(ctx context.Context, m bot.Message) error {
	e.got = append(e.got, m)
	return e.s.Send(ctx, bot.Reply{Text: "ok " + strings.Repeat("x", min(len(m.Text), 3)),
		Options: []workflows.Option{{Value: "a", Label: "Alfa"}, {Value: "b", Label: "Beta"}}})
}

func TestConsoleDeliversLinesAndPrintsNumberedChoices(t *testing.T) {
	var out strings.Builder
	big := strings.Repeat("å", 100_000)
	c := console.New(strings.NewReader("/besøg\r\nhej\n"+big+"\nno newline at end"), &out, "local")
	c.Echo = true
	e := &echoBot{s: c}
	if err := c.Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if len(e.got) != 4 || e.got[0].Text != "/besøg" || !e.got[0].Direct || e.got[0].User != "local" || e.got[2].Text != big {
		t.Fatalf("messages: %d, first %+v", len(e.got), e.got[0])
	}
	want := "> /besøg\nok xxx\n  1) Alfa\n  2) Beta\n\n> hej\n"
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("output starts %q, want %q", out.String()[:len(want)], want)
	}
}

func TestConsoleShowsKeywordOptionsAsWords(t *testing.T) {
	var out strings.Builder
	c := console.New(strings.NewReader(""), &out, "local")
	err := c.Send(context.Background(), bot.Reply{Text: "Opsummering", Keywords: true,
		Options: []workflows.Option{{Value: "gem", Label: "Gem"}, {Value: "afbryd", Label: "Afbryd"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "Opsummering\n→ «gem» · «afbryd»\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
