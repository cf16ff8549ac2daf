package console_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beredskab/adapters/console"
	"beredskab/bot"
)

// Files go into the folder with mode 0600, never over an earlier one, and
// the console prints where.
func TestSendFileWritesIntoTheFolder(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	c := console.New(strings.NewReader(""), &out, "local")
	c.Files = dir
	for i, want := range []string{"statistik-2026.png", "statistik-2026-2.png"} {
		out.Reset()
		if err := c.SendFile(t.Context(), bot.Reply{Text: "Diagram"}, "statistik-2026.png", []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, want)
		st, err := os.Stat(path)
		if err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", want, st.Mode().Perm())
		}
		if data, _ := os.ReadFile(path); !bytes.Equal(data, []byte{byte(i)}) {
			t.Errorf("%s holds %v", want, data)
		}
		if got := out.String(); got != "Diagram\n📎 "+path+"\n\n" {
			t.Errorf("printed %q", got)
		}
	}
	if err := c.SendFile(t.Context(), bot.Reply{}, "x.png", nil); err != nil {
		t.Fatal(err)
	}
	c.Files = filepath.Join(dir, "missing")
	if err := c.SendFile(t.Context(), bot.Reply{}, "x.png", nil); err == nil {
		t.Error("a missing folder was not an error")
	}
}
