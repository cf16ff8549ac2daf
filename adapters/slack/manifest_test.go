package slack

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// Every slash command of the manifest is plain ASCII, none is one of
// Slack's own, and each reaches a command of the bot.
func TestManifestCommandsReachTheBot(t *testing.T) {
	b, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	found := regexp.MustCompile(`(?m)^\s*- command: (/\S+)$`).FindAllStringSubmatch(string(b), -1)
	if len(found) != 14 {
		t.Fatalf("%d commands in the manifest, want 14", len(found))
	}
	ascii := regexp.MustCompile(`^/[a-z]+$`)
	r := newRig(t, HTTPMode)
	for _, m := range found {
		cmd := m[1]
		if !ascii.MatchString(cmd) || slices.Contains([]string{"/remind", "/help", "/status", "/invite", "/leave", "/msg", "/dm", "/topic", "/who"}, cmd) {
			t.Errorf("command %s is not plain ASCII or is Slack's own", cmd)
		}
		before := len(r.fake.snapshot())
		r.slash(coordinator, dmOf(coordinator), cmd, "")
		calls := r.fake.snapshot()[before:]
		if len(calls) == 0 {
			t.Errorf("%s: no answer", cmd)
			continue
		}
		if txt := calls[len(calls)-1].Text; regexp.MustCompile(`kender ikke kommandoen`).MatchString(txt) {
			t.Errorf("%s: %q", cmd, txt)
		}
	}
}
