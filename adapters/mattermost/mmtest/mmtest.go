// Package mmtest runs a real Mattermost server, with a PostgreSQL of its
// own, on loopback for the adapter's tests: built from the module pinned in
// ../mmserver (a module of its own, so the bot's go.mod stays small),
// configured by MM_* environment variables with everything that would call
// out to the internet switched off, and cleaned up whatever happens. Only
// tests use it.
package mmtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"beredskab/adapters/internal/chattest"
)

// ServerModule is the server that is built, at the version ../mmserver's
// go.mod requires; .ci/run builds the same into BinaryPath before the tests
// run.
const (
	ServerModule  = "github.com/mattermost/mattermost/server/v8"
	serverPackage = ServerModule + "/cmd/mattermost"
)

// Server is a running Mattermost server and its database.
type Server struct {
	// URL is the server's address, http://127.0.0.1:<port>.
	URL string

	t        testing.TB
	dir      string // everything the server and the database write
	bin      string
	work     string // the server's working folder: i18n, templates, fonts, client
	env      []string
	pgBin    string
	pgCred   *syscall.Credential
	pgPort   int
	pg       *exec.Cmd
	pgExited chan struct{}
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *chattest.Log
}

// Start builds (once; the binary is cached) and starts PostgreSQL and the
// Mattermost server. It is skipped with -short or BEREDSKAB_SKIP_MATTERMOST=1
// and fails, saying what to install, when PostgreSQL is missing: .ci/run
// installs it.
func Start(t testing.TB) *Server {
	t.Helper()
	if testing.Short() || os.Getenv("BEREDSKAB_SKIP_MATTERMOST") == "1" {
		t.Skip("the real Mattermost server test is skipped (-short or BEREDSKAB_SKIP_MATTERMOST=1)")
	}
	pgBin, err := postgresBin()
	if err != nil {
		t.Fatalf("the real-server test needs PostgreSQL: %v. Install Debian's postgresql package "+
			"(.ci/run does), or skip the test with BEREDSKAB_SKIP_MATTERMOST=1", err)
	}
	bin := Binary(t)
	moduleDir := serverModuleDir(t)
	dir, err := os.MkdirTemp("", "beredskab-mattermost-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, dir: dir, bin: bin, pgBin: pgBin, log: &chattest.Log{}}
	t.Cleanup(s.cleanup)
	// The database runs as the postgres user when the tests run as root.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.startPostgres(t)
	s.work = filepath.Join(dir, "work")
	for _, d := range []string{"client", "data", "logs"} {
		if err := os.MkdirAll(filepath.Join(s.work, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"i18n", "templates", "fonts"} {
		if err := os.Symlink(filepath.Join(moduleDir, d), filepath.Join(s.work, d)); err != nil {
			t.Fatal(err)
		}
	}
	// The API is served without the web app; the server only needs a
	// root.html to start.
	root := `<html><head><meta http-equiv="Content-Security-Policy" content="script-src 'self'"></head><body></body></html>`
	if err := os.WriteFile(filepath.Join(s.work, "client", "root.html"), []byte(root), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	s.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	s.env = append(os.Environ(),
		"MM_SQLSETTINGS_DRIVERNAME=postgres",
		fmt.Sprintf("MM_SQLSETTINGS_DATASOURCE=postgres://mmuser@127.0.0.1:%d/mattermost?sslmode=disable&connect_timeout=10", s.pgPort),
		"MM_SERVICESETTINGS_LISTENADDRESS=127.0.0.1:"+strconv.Itoa(port),
		"MM_SERVICESETTINGS_SITEURL="+s.URL,
		"MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true",
		"MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true",
		"MM_SERVICESETTINGS_ENABLECOMMANDS=true",
		"MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE=false",
		"MM_SERVICESETTINGS_ENABLEPOSTICONOVERRIDE=false",
		// The bot listens on loopback next to the server.
		"MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS=127.0.0.1 localhost",
		"MM_SERVICESETTINGS_ENABLELOCALMODE=false",
		// Nothing calls out to the internet.
		"MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false",
		"MM_SERVICESETTINGS_ENABLELINKPREVIEWS=false",
		"MM_SERVICESETTINGS_ENABLEPERMALINKPREVIEWS=false",
		"MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false",
		"MM_PLUGINSETTINGS_ENABLE=false",
		"MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false",
		"MM_PLUGINSETTINGS_ENABLEREMOTEMARKETPLACE=false",
		"MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS=false",
		"MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS=false",
		"MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false",
		"MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED=false",
		"MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED=false",
		"MM_METRICSSETTINGS_ENABLE=false",
		"MM_RATELIMITSETTINGS_ENABLE=false",
		// Users are made through the API, without invitations.
		"MM_TEAMSETTINGS_ENABLEOPENSERVER=true",
		"MM_FILESETTINGS_DIRECTORY="+filepath.Join(s.work, "data"),
		"MM_LOGSETTINGS_ENABLECONSOLE=true",
		"MM_LOGSETTINGS_CONSOLELEVEL=WARN",
		"MM_LOGSETTINGS_ENABLEFILE=false",
	)
	s.startServer(t)
	return s
}

// Restart stops the server (as an operator would, with SIGTERM) and starts
// it again on the same address and database.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.stopServer()
	s.startServer(t)
}

func (s *Server) startServer(t testing.TB) {
	t.Helper()
	cmd := exec.Command(s.bin, "server", "--config", filepath.Join(s.dir, "config.json"))
	cmd.Dir, cmd.Env = s.work, s.env
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mattermost: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case <-s.exited:
			t.Fatalf("mattermost exited while starting:\n%s", s.tail())
		default:
		}
		resp, err := http.Get(s.URL + "/api/v4/system/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mattermost did not answer within 3 minutes:\n%s", s.tail())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *Server) stopServer() {
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	s.cmd = nil
}

func (s *Server) tail() string {
	b := s.log.String()
	if len(b) > 8000 {
		b = "…" + b[len(b)-8000:]
	}
	return b
}

func (s *Server) cleanup() {
	s.stopServer()
	if s.pg != nil {
		_ = s.pg.Process.Signal(syscall.SIGQUIT) // immediate shutdown
		select {
		case <-s.pgExited:
		case <-time.After(20 * time.Second):
			_ = s.pg.Process.Kill()
			<-s.pgExited
		}
	}
	if s.t.Failed() {
		s.t.Logf("mattermost log:\n%s", s.tail())
	}
	_ = os.RemoveAll(s.dir)
}

// startPostgres makes a cluster in the temporary folder and starts it on a
// free loopback port, with a database for the server. PostgreSQL runs as a
// child of the test (not daemonized by pg_ctl), killed with it even when
// the test binary dies without cleaning up.
func (s *Server) startPostgres(t testing.TB) {
	t.Helper()
	pg := filepath.Join(s.dir, "pg")
	if err := os.MkdirAll(pg, 0o700); err != nil {
		t.Fatal(err)
	}
	cred, err := postgresUser()
	if err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		if err := os.Chown(pg, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	s.pgCred = cred
	data := filepath.Join(pg, "data")
	if out, err := s.pgCommand("initdb", "-D", data, "-A", "trust", "-U", "mmuser", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.pgPort = freePort(t)
	cmd := s.pgCommand("postgres", "-D", data, "-p", strconv.Itoa(s.pgPort), "-k", pg,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		t.Fatalf("start postgresql: %v", err)
	}
	s.pg, s.pgExited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.pgExited) }()
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := s.pgCommand("createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(s.pgPort), "-U", "mmuser", "mattermost").CombinedOutput()
		if err == nil {
			return
		}
		select {
		case <-s.pgExited:
			t.Fatalf("postgresql exited while starting:\n%s", s.tail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("createdb: %v\n%s\n%s", err, out, s.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pgCommand runs a PostgreSQL program from the server programs' folder, as
// the postgres user when the tests run as root (PostgreSQL refuses root).
func (s *Server) pgCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.pgBin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if s.pgCred != nil {
		cmd.SysProcAttr.Credential = s.pgCred
		cmd.Dir = "/" // root's working folder may be closed to postgres
	}
	return cmd
}

// postgresUser is the postgres user to run PostgreSQL as when the tests
// run as root; nil otherwise.
func postgresUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user (Debian's package makes it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// postgresBin finds the folder of PostgreSQL's server programs (Debian's
// packages put them in /usr/lib/postgresql/<version>/bin); BEREDSKAB_PG_BIN
// overrides.
func postgresBin() (string, error) {
	if d := os.Getenv("BEREDSKAB_PG_BIN"); d != "" {
		return d, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", errors.New("no initdb in /usr/lib/postgresql/*/bin or on PATH")
	}
	return filepath.Dir(found[len(found)-1]), nil
}

// BinaryPath is where the built server is kept between runs:
// BEREDSKAB_MATTERMOST_BIN, or the user's cache folder, named by version.
func BinaryPath(t testing.TB) (string, error) {
	if p := os.Getenv("BEREDSKAB_MATTERMOST_BIN"); p != "" {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	version, err := serverVersion(t)
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "beredskab", "mattermost-"+version), nil
}

// serverVersion is the server version ../mmserver's go.mod requires.
func serverVersion(t testing.TB) (string, error) {
	mod, err := os.ReadFile(filepath.Join(moduleDir(t), "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read the server module's go.mod: %w", err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == ServerModule {
			return f[1], nil
		}
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "require" && f[1] == ServerModule {
			return f[2], nil
		}
	}
	return "", fmt.Errorf("the server module's go.mod requires no %s", ServerModule)
}

// Binary is the server's program, built from ../mmserver when it is not
// there yet (a few minutes on two cores; .ci/run builds it beforehand).
func Binary(t testing.TB) string {
	t.Helper()
	path, err := BinaryPath(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	t.Logf("building the Mattermost server into %s (once; a few minutes)", path)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", path, serverPackage)
	cmd.Dir = moduleDir(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the mattermost server: %v\n%s", err, out)
	}
	return path
}

// moduleDir is ../mmserver, the module that pins the server.
func moduleDir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find mmtest's source folder")
	}
	return filepath.Join(filepath.Dir(file), "..", "mmserver")
}

// serverModuleDir is the server module's folder in the module cache: its
// i18n, templates and fonts.
func serverModuleDir(t testing.TB) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", ServerModule)
	cmd.Dir = moduleDir(t)
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		cmd = exec.Command("go", "mod", "download", ServerModule)
		cmd.Dir = moduleDir(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("download the mattermost server module: %v\n%s", err, out)
		}
		cmd = exec.Command("go", "list", "-m", "-f", "{{.Dir}}", ServerModule)
		cmd.Dir = moduleDir(t)
		out, _ = cmd.Output()
		dir = strings.TrimSpace(string(out))
	}
	if dir == "" {
		t.Fatal("cannot find the mattermost server module's folder")
	}
	return dir
}

// freePort is a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreePort is a loopback port nothing listens on now, for the bot's own
// listener.
func FreePort(t testing.TB) int { return freePort(t) }
