package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/mattermost/mmtest"
)

// lockedBuffer is a process's stderr, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestMattermostProcess runs `beredskab -adapter mattermost` as the
// operator would, against a real server: the roster names the staff by
// username and the team channel as team/channel, as README says. A
// registration starts by slash command and a button; a crisis starts in
// the channel; the process is stopped with SIGTERM (exit 0) and started
// again, and a button posted before the restart still works (the signing
// key is kept in the store), and the registration is offered again.
func TestMattermostProcess(t *testing.T) {
	srv := mmtest.Start(t)
	team := srv.Setup(t)
	s := mmtest.NewSession(t, team)
	dir := t.TempDir()
	port := mmtest.FreePort(t)
	config := filepath.Join(dir, "beredskab.toml")
	err := os.WriteFile(config, fmt.Appendf(nil, `data_dir = %q
[[staff]]
user = "jordemoder"
initials = "JM"
organisation = "CMM"
role = "midwife"
[[staff]]
user = "@koordinator"
initials = "KO"
organisation = "CMM"
role = "coordinator"
[reminders]
team_channel = "cmm/beredskab"
[mattermost]
listen = "127.0.0.1:%d"
`, filepath.Join(dir, "data"), port), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, *lockedBuffer, chan error) {
		cmd := exec.Command(os.Args[0], "-adapter", "mattermost", "--config", config)
		cmd.Env = append(os.Environ(), "BEREDSKAB_TEST_MAIN=1", "BEREDSKAB_KEY="+testKey,
			"MATTERMOST_URL="+srv.URL, "MATTERMOST_TOKEN="+team.BotToken)
		stderr := &lockedBuffer{}
		cmd.Stderr = stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			if t.Failed() {
				t.Logf("beredskab's log:\n%s", stderr.String())
			}
		})
		s.Eventually("beredskab listens", func() bool {
			return strings.Contains(stderr.String(), "mattermost websocket connected")
		}, stderr.String)
		return cmd, stderr, exited
	}
	stop := func(cmd *exec.Cmd, exited chan error) {
		t.Helper()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("beredskab exited with %v after SIGTERM, want 0", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("beredskab did not stop after SIGTERM")
		}
	}

	cmd, stderr, exited := start()
	mw, co := team.Midwife, team.Coordinator
	dm := s.DM(mw)
	s.Slash(mw, dm, "/besog")
	date := s.Expect(mw, dm, "Dato for opsøgende indsats")
	s.Press(mw, date, "I går")
	method := s.Expect(mw, dm, "Metode")
	s.Slash(co, team.Channel.Id, "/krise start COVID-19")
	s.Expect(co, team.Channel.Id, "Krise: COVID-19")
	stop(cmd, exited)
	if strings.Contains(stderr.String(), "Vestergade") {
		t.Error("person data in the log")
	}

	// Started again: the button on the question posted before the restart
	// is still the bot's (the server takes the press, the bot answers it).
	start()
	if _, err := mw.Client.DoPostAction(context.Background(), method.Id, buttonID(t, method, "Fysisk besøg")); err != nil {
		t.Fatalf("press a button posted before the restart: %v", err)
	}
	s.Expect(mw, dm, "ikke er gjort færdig")
}

func buttonID(t *testing.T, p *model.Post, name string) string {
	t.Helper()
	for _, att := range p.Attachments() {
		for _, a := range att.Actions {
			if strings.Contains(a.Name, name) {
				return a.Id
			}
		}
	}
	t.Fatalf("no button %q on %q", name, p.Message)
	return ""
}
