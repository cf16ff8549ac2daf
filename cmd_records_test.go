package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beredskab/storage"
	"beredskab/workflows"
)

// cli runs one subcommand with the fixed clock and returns its output.
func cli(t *testing.T, wantCode int, args ...string) (string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := runWith(args, strings.NewReader(""), &out, &errOut, fixedClock()); code != wantCode {
		t.Fatalf("beredskab %s: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), code, wantCode, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestRecordsCommands is an operator's night: retention's dry run and run,
// a backup, a restore into an empty folder (refused into a full one) that
// exports the same, a key rotation, and the audit log of it all.
func TestRecordsCommands(t *testing.T) {
	t.Setenv("BEREDSKAB_KEY", testKey)
	dir := filepath.Join(t.TempDir(), "data")
	key, _ := hex.DecodeString(testKey)
	s, err := storage.Open(context.Background(), storage.Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, date := range []string{"2021-10-31", "2021-11-01", "2021-11-30", "2021-12-01", "2026-12-01"} {
		v := workflows.Visit{Date: date, Fields: workflows.Answers{"remarks": {Text: "SECRET"}},
			Persons: []workflows.Answers{{"nationality": {Text: "TH"}}}}
		if _, err := s.FinishVisit(context.Background(), "local", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// 4 December 2026 minus five years: November 2021 is the last month to go.
	out, _ := cli(t, 0, "retention", "--dry-run", "-data", dir)
	want := "2021-10    1 visits: 2021-0001\n2021-11    2 visits: 2021-0002 2021-0003\n" +
		"Person data of 3 visits dated before 2021-12 (older than 5 years) would be deleted (dry run; nothing was changed); their monthly figures are kept.\n"
	if out != want {
		t.Errorf("dry run:\n%s\nwant:\n%s", out, want)
	}
	out, _ = cli(t, 0, "retention", "-data", dir)
	if !strings.Contains(out, "3 visits dated before 2021-12 (older than 5 years) deleted") {
		t.Errorf("retention: %s", out)
	}
	if out, _ = cli(t, 0, "retention", "--dry-run", "-data", dir); !strings.HasPrefix(out, "Person data of 0 visits") {
		t.Errorf("dry run after retention: %s", out)
	}

	file := filepath.Join(t.TempDir(), "night.backup")
	if out, _ = cli(t, 0, "backup", "-data", dir, file); !strings.Contains(out, "written to "+file) {
		t.Errorf("backup: %s", out)
	}
	if _, errOut := cli(t, 1, "backup", "-data", dir, file); !strings.Contains(errOut, "exists already") {
		t.Errorf("backup over a file: %s", errOut)
	}
	if _, errOut := cli(t, 1, "restore", "-data", dir, file); !strings.Contains(errOut, "not empty") {
		t.Errorf("restore into the live folder: %s", errOut)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if out, _ = cli(t, 0, "restore", "-data", restored, file); !strings.Contains(out, "Restored") {
		t.Errorf("restore: %s", out)
	}
	exported, _ := cli(t, 0, "export", "-data", dir)
	if again, _ := cli(t, 0, "export", "-data", restored); again != exported || !strings.Contains(again, "2026-0001") {
		t.Errorf("export after restore differs:\n%s\nwant:\n%s", again, exported)
	}
	if strings.Count(exported, "SECRET") != 2 { // the 2021-12 and 2026 visits keep theirs
		t.Errorf("export after retention: %d SECRETs, want 2", strings.Count(exported, "SECRET"))
	}

	newKey := filepath.Join(t.TempDir(), "new.key")
	if out, _ = cli(t, 0, "rotate-key", "-data", dir, "--new-key-file", newKey); !strings.Contains(out, "now encrypted under the key in "+newKey) {
		t.Errorf("rotate-key: %s", out)
	}
	if _, errOut := cli(t, 1, "export", "-data", dir); errOut == "" {
		t.Error("the old key still opens the data")
	}
	t.Setenv("BEREDSKAB_KEY", "")
	if again, _ := cli(t, 0, "export", "-data", dir, "-key-file", newKey); again != exported {
		t.Errorf("export under the new key differs")
	}
	// The backup taken before the rotation needs the old key.
	if _, errOut := cli(t, 1, "restore", "-data", filepath.Join(t.TempDir(), "x"), "-key-file", newKey, file); !strings.Contains(errOut, "another storage key") {
		t.Errorf("restore with the new key: %s", errOut)
	}

	out, _ = cli(t, 0, "audit", "-data", dir, "-key-file", newKey)
	for _, w := range []string{"operator  cli       retention", "operator  cli       backup", "operator  cli       rotate-key"} {
		if !strings.Contains(out, w) {
			t.Errorf("audit lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("person data in the audit log:\n%s", out)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}

// TestBackupWhileTheBotRuns takes a backup from a running bot over its
// socket, and restores it once the bot is gone.
func TestBackupWhileTheBotRuns(t *testing.T) {
	t.Setenv("BEREDSKAB_KEY", testKey)
	dir := t.TempDir()
	p := startBot(t, dir)
	p.say("/krise start COVID-19", "2026-K01")
	file := filepath.Join(t.TempDir(), "live.backup")
	out, _ := cli(t, 0, "backup", "-data", dir, file)
	if !strings.Contains(out, "taken by the running bot") {
		t.Errorf("backup: %s", out)
	}
	p.say("/krise status", "COVID-19") // the bot carries on
	p.kill()
	restored := filepath.Join(t.TempDir(), "restored")
	cli(t, 0, "restore", "-data", restored, file)
	if out, _ := cli(t, 0, "crisis-report", "-data", restored); !strings.Contains(out, "COVID-19") {
		t.Errorf("crisis after restore:\n%s", out)
	}
	if out, _ := cli(t, 0, "audit", "-data", restored); !strings.Contains(out, "operator  cli       crisis.report  2026-K01") ||
		!strings.Contains(out, "operator  cli       restore") || !strings.Contains(out, "local     console   crisis.start") {
		t.Errorf("audit after restore:\n%s", out)
	}
	// With the bot gone (its socket left behind by the kill), the backup
	// is taken from the folder directly.
	if out, _ := cli(t, 0, "backup", "-data", dir, file+".2"); !strings.Contains(out, "Backup of") || strings.Contains(out, "running bot") {
		t.Errorf("backup after the bot: %s", out)
	}
}

// TestTheBotStartsWhenItCannotServeTheSocket: a data folder whose path is
// too long for a Unix socket (108 bytes) costs the socket, not the bot.
func TestTheBotStartsWhenItCannotServeTheSocket(t *testing.T) {
	t.Setenv("BEREDSKAB_KEY", testKey)
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	var out, errOut bytes.Buffer
	if code := runWith([]string{"-data", dir}, strings.NewReader("/krise start COVID-19\n"), &out, &errOut, fixedClock()); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "2026-K01") || !strings.Contains(errOut.String(), "backup socket not served") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
}
