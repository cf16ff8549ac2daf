package chat

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDirectsOpenEachOnce(t *testing.T) {
	opened := 0
	d := &Directs{Open: func(_ context.Context, user string) (string, error) {
		opened++
		if user == "broken" {
			return "", errors.New("refused")
		}
		return "D-" + user, nil
	}}
	ctx := t.Context()
	d.Know("known", "D-known")
	for _, c := range []struct {
		channel, user, want string
		err                 bool
	}{
		{"C1", "u1", "C1", false},
		{"", "u1", "D-u1", false},
		{"", "u1", "D-u1", false},
		{"", "known", "D-known", false},
		{"", "", "", true},
		{"", "broken", "", true},
	} {
		got, err := d.Target(ctx, c.channel, c.user)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("Target(%q, %q) = %q, %v", c.channel, c.user, got, err)
		}
	}
	if opened != 2 {
		t.Errorf("opened %d times, want 2 (u1 once, broken once)", opened)
	}
	for _, c := range []struct {
		channel, user string
		want          bool
	}{{"D-u1", "u1", true}, {"D-u1", "known", false}, {"D-known", "known", true}, {"C1", "u1", false}} {
		if got, _ := d.IsWith(ctx, c.channel, c.user); got != c.want {
			t.Errorf("IsWith(%q, %q) = %v", c.channel, c.user, got)
		}
	}
}

func TestSplitKeepsLinesAndLimits(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want []string
	}{
		{"", 5, []string{""}},
		{"abc", 5, []string{"abc"}},
		{"ab\ncd\nef", 5, []string{"ab\ncd", "ef"}},
		{"abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"æøåæøå", 4, []string{"æøåæ", "øå"}},
	} {
		if got := Split(c.in, c.n); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Split(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
