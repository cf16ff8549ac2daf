package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testKey is the storage key of the tests (never used for real data).
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// TestMain lets a test start this very binary as the bot (for the
// kill-and-resume test): with BEREDSKAB_TEST_MAIN=1 it runs main's run.
func TestMain(m *testing.M) {
	if os.Getenv("BEREDSKAB_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update once): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// TestGoldenRegistration drives the real bot through the console adapter:
// a midwife registers a visit with two persons, one with notes, makes
// mistakes on the way, steps back, changes an answer from the summary and
// saves; then the visit is exported as JSON and both CSV tables.
func TestGoldenRegistration(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BEREDSKAB_KEY", testKey)
	script, err := os.Open(filepath.Join("testdata", "registration.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer script.Close()
	var out, errOut bytes.Buffer
	if code := runWith([]string{"-echo", "-data", dir}, script, &out, &errOut, fixedClock()); code != 0 {
		t.Fatalf("console exited %d: %s", code, errOut.String())
	}
	golden(t, "registration.golden", out.Bytes())

	exports := []struct {
		golden string
		args   []string
	}{
		{"registration.json", []string{"export", "-data", dir, "--format", "json"}},
		{"visits.csv", []string{"export", "-data", dir, "--format", "csv", "--table", "visits"}},
		{"persons.csv", []string{"export", "-data", dir, "--format", "csv", "--table", "persons"}},
	}
	for _, e := range exports {
		var out, errOut bytes.Buffer
		if code := run(e.args, strings.NewReader(""), &out, &errOut); code != 0 {
			t.Fatalf("%v exited %d: %s", e.args, code, errOut.String())
		}
		golden(t, e.golden, out.Bytes())
		if strings.Contains(errOut.String(), "virker bange") || strings.Contains(errOut.String(), "tandpine") {
			t.Errorf("person notes leaked into the log: %s", errOut.String())
		}
	}
	var visits []map[string]any
	jsonOut, _ := os.ReadFile(filepath.Join("testdata", "registration.json"))
	if err := json.Unmarshal(jsonOut, &visits); err != nil {
		t.Fatalf("export is not valid JSON: %v", err)
	}
	if len(visits) != 1 || visits[0]["id"] != "2026-0001" {
		t.Fatalf("want one visit 2026-0001, got %v", visits)
	}
}

// botProcess is the bot running as a separate process, so that it can be
// killed with SIGKILL like a crashed server.
type botProcess struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   strings.Builder
	seen  int
	lines chan struct{}
}

func startBot(t *testing.T, dir string) *botProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-data", dir)
	cmd.Env = append(os.Environ(), "BEREDSKAB_TEST_MAIN=1", "BEREDSKAB_KEY="+testKey)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &botProcess{t: t, cmd: cmd, stdin: stdin, lines: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- struct{}{}:
			default:
			}
		}
		close(p.lines)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return p
}

// say types one line and waits until a reply containing want arrives.
func (p *botProcess) say(line, want string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("write %q: %v", line, err)
	}
	p.expect(want)
}

// expect waits (up to a generous limit, only so a broken build fails rather
// than hangs) for new output containing want followed by a reply's end.
func (p *botProcess) expect(want string) {
	p.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		p.mu.Lock()
		fresh := p.out.String()[p.seen:]
		if i := strings.Index(fresh, want); i >= 0 && strings.Contains(fresh[i:], "\n\n") {
			p.seen += i + strings.Index(fresh[i:], "\n\n") + 2
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		select {
		case _, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("bot ended without saying %q; output:\n%s", want, fresh)
			}
		case <-deadline:
			p.t.Fatalf("bot did not say %q; new output:\n%s", want, fresh)
		}
	}
}

func (p *botProcess) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// TestKillAndResume kills the bot with SIGKILL right after each of several
// acknowledged answers; every time, a new process offers to resume the
// draft, and continuing asks exactly the next question. At the end the
// visit holds every answer that was acknowledged.
func TestKillAndResume(t *testing.T) {
	dir := t.TempDir()
	steps := []struct{ answer, next string }{
		{"/besøg", "3/10 Dato"},
		{"3.12.2026", "4/10 Metode"},
		{"2", "5/10 Lokation"},
		{"1", "6/11 Klinikkens adresse"},
		{"Nørregade 1, Odense", "7/11 Årsag"},
		{"1", "8/11 Kontakt"},
		{"1", "9/11 Indsats på stedet"},
		{"4", "10/11 Indsats efterfølgende"},
		{"spring over", "11/11 Eventuelle"},
		{"spring over", "Person 1 · 1/10 Nationalitet"},
		{"rumænien", "Person 1 · 2/10 Køn"},
		{"1", "Person 1 · 3/10 Alder"},
		{"25", "Person 1 · 4/10 Er alderen skønnet"},
		{"nej", "5/10 Er personen mødt før"},
		{"ja", "6/10 Har du mistanke"},
		{"nej", "7/10 Sundhedsfaglige"},
		{"nej", "8/10 Tydelige tegn"},
		{"nej", "9/10 Prostituerer"},
		{"nej", "10/10 Escort ifølge"},
		{"nej", "Mødte du en person mere?"},
		{"nej", "Opsummering"},
	}
	killAfter := map[int]bool{1: true, 4: true, 10: true, 14: true, 20: true}
	p := startBot(t, dir)
	for i, s := range steps {
		p.say(s.answer, s.next)
		if !killAfter[i] {
			continue
		}
		p.kill()
		p = startBot(t, dir)
		p.say("hej", "ikke er gjort færdig")
		p.say("fortsæt", s.next)
	}
	p.say("gem", "gemt som 2026-0001")
	p.kill()

	var out, errOut bytes.Buffer
	t.Setenv("BEREDSKAB_KEY", testKey)
	if code := run([]string{"export", "-data", dir}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("export exited %d: %s", code, errOut.String())
	}
	for _, want := range []string{`"method":"phone"`, `"address":"Nørregade 1, Odense"`, `"onsite":["health_advice"]`,
		`"nationality":"RO"`, `"age":25`, `"met_before":"yes"`, `"escort_per_ads":"no"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("export lacks %s:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), `"id":`); n != 1 {
		t.Errorf("want exactly one visit after the kills, got %d", n)
	}
}

// fixedClock is the time of the crisis transcripts: Friday 4 December 2026,
// 10:00 in Copenhagen.
func fixedClock() clockwork.Clock {
	return clockwork.NewFakeClockAt(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
}

// TestGoldenCrisis runs a whole crisis through the console: start, bad
// input, checks, assignment, a note, the SMS; then, after a restart, the
// same checklist, a registration in crisis mode, reopening, the end, the
// evaluation and the report. The report is also written by the command
// line, and the export carries the crisis on the visit.
func TestGoldenCrisis(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BEREDSKAB_KEY", testKey)
	for _, part := range []string{"crisis1", "crisis2"} {
		script, err := os.Open(filepath.Join("testdata", part+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := runWith([]string{"-echo", "-data", dir}, script, &out, &errOut, fixedClock())
		script.Close()
		if code != 0 {
			t.Fatalf("%s: console exited %d: %s", part, code, errOut.String())
		}
		golden(t, part+".golden", out.Bytes())
	}
	var report, errOut bytes.Buffer
	if code := run([]string{"crisis-report", "-data", dir, "2026-K01"}, strings.NewReader(""), &report, &errOut); code != 0 {
		t.Fatalf("crisis-report exited %d: %s", code, errOut.String())
	}
	golden(t, "crisis-report.md", report.Bytes())

	var export bytes.Buffer
	if code := run([]string{"export", "-data", dir}, strings.NewReader(""), &export, &errOut); code != 0 {
		t.Fatalf("export exited %d: %s", code, errOut.String())
	}
	for _, want := range []string{`"crisis":{"id":"2026-K01","name":"COVID-19"}`, `"crisis_symptoms":"suspected"`, `"crisis_advice_given":"yes"`} {
		if !strings.Contains(export.String(), want) {
			t.Errorf("export lacks %s:\n%s", want, export.String())
		}
	}
}

// A chat adapter without its settings refuses to start and says what is
// missing, before it touches the records.
func TestChatAdaptersSayWhatIsMissing(t *testing.T) {
	for _, c := range []struct {
		adapter, want string
	}{
		{"mattermost", "MATTERMOST_URL"},
		{"slack", "SLACK_BOT_TOKEN"},
		{"teams", "unknown adapter"},
	} {
		t.Run(c.adapter, func(t *testing.T) {
			for _, env := range []string{"MATTERMOST_URL", "MATTERMOST_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} {
				t.Setenv(env, "")
			}
			var out, errOut bytes.Buffer
			code := runWith([]string{"-adapter", c.adapter, "-data", t.TempDir()}, strings.NewReader(""), &out, &errOut, clockwork.NewFakeClock())
			if code == 0 || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want a failure naming %s", code, errOut.String(), c.want)
			}
		})
	}
}
