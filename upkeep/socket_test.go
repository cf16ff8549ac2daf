package upkeep_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"beredskab/storage"
	"beredskab/upkeep"
	"beredskab/workflows"
)

func TestBackupOverTheSocket(t *testing.T) {
	ctx := t.Context()
	key := bytes.Repeat([]byte{9}, storage.KeySize)
	dir := t.TempDir()
	s, err := storage.Open(ctx, storage.Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.FinishVisit(ctx, "mw", workflows.Visit{Date: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	// A socket file left by a crashed bot is replaced.
	if err := os.WriteFile(filepath.Join(dir, upkeep.SocketName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := &upkeep.BackupServer{Store: s, Clock: &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}, Audit: s}
	if err := srv.Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, upkeep.SocketName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("socket: %v, %v", info, err)
	}
	for i := range 2 {
		var b bytes.Buffer
		if err := upkeep.FetchBackup(ctx, dir, &b); err != nil {
			t.Fatal(err)
		}
		// The visit, its index and counter, its month's figures and the
		// mark that those were built, and the audit entries of the backups
		// served before this one with their counter.
		want := 5 + i + min(i, 1)
		if n, err := storage.VerifyBackup(&b, key); err != nil || n != want {
			t.Errorf("backup %d: %d records, %v; want %d", i, n, err, want)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, upkeep.SocketName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}
	if err := upkeep.FetchBackup(ctx, dir, &bytes.Buffer{}); !errors.Is(err, upkeep.ErrNoBot) {
		t.Errorf("fetch with no bot: %v", err)
	}
}
