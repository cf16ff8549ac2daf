package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beredskab/bot"
)

func TestEmbeddedDefaultWorks(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Roster()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := r.Lookup(c.Console.User)
	if !ok || s.Role != bot.Admin {
		t.Errorf("the console user must be a local admin on the default roster: %+v", s)
	}
	if c.DraftMaxAge().Hours() != 14*24 {
		t.Errorf("draft max age = %v", c.DraftMaxAge())
	}
}

func TestBadConfigsAreRefusedWithAReason(t *testing.T) {
	for name, tc := range map[string]struct{ toml, want string }{
		"unknown setting": {`langauge = "da"`, "unknown setting"},
		"bad role":        {"[[staff]]\nuser = \"a\"\nrole = \"boss\"", "unknown role"},
		"duplicate user":  {"[[staff]]\nuser = \"a\"\nrole = \"admin\"\n[[staff]]\nuser = \"a\"\nrole = \"midwife\"", "twice"},
		"bad time zone":   {`timezone = "Mars/Olympus"`, "timezone"},
		"zero draft age":  {`draft_max_age_days = 0`, "draft_max_age_days"},
		"not toml":        {`= =`, "parse config"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.toml")
			if err := os.WriteFile(path, []byte(tc.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
}
