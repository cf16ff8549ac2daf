package upkeep_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"beredskab/storage"
	"beredskab/upkeep"
	"beredskab/workflows"
)

func TestScheduledBackupsKeepTheNewestAndRunOnceADay(t *testing.T) {
	ctx := t.Context()
	key := bytes.Repeat([]byte{7}, storage.KeySize)
	s, err := storage.Open(ctx, storage.Options{Dir: t.TempDir(), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.FinishVisit(ctx, "mw", workflows.Visit{Date: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(t.TempDir(), "backups")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 12, 4, 1, 0, 0, 0, cph)}
	job := upkeep.Daily("backup", s, clock, cph,
		upkeep.Backups{Store: s, Folder: folder, Keep: 2, Clock: clock, Audit: s, Platform: "scheduler"}.Run)
	// Hourly calls from 01:00 on 4 December to midnight starting 8
	// December (Copenhagen, UTC+1): five calendar days, five backups.
	for range 4 * 24 {
		if err := job(ctx); err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(time.Hour)
	}
	entries, _ := os.ReadDir(folder)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if info, _ := e.Info(); e.Name() != "notes.txt" && info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
	want := []string{"beredskab-20261206T230000Z.backup", "beredskab-20261207T230000Z.backup", "notes.txt"}
	if !slices.Equal(names, want) {
		t.Errorf("backup folder: %v, want %v", names, want)
	}
	f, err := os.Open(filepath.Join(folder, want[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The visit, its index and counter, its month's figures and the mark
	// that those were built, the day of the last backup, the four earlier
	// backups' audit entries and their counter.
	if n, err := storage.VerifyBackup(f, key); err != nil || n != 11 {
		t.Errorf("newest backup: %d records, %v", n, err)
	}
	n := 0
	for e, err := range s.Entries(ctx, time.Time{}) {
		if err != nil || e.Action != "backup" || e.Who != "system" {
			t.Errorf("audit: %+v, %v", e, err)
		}
		n++
	}
	if n != 5 {
		t.Errorf("%d backups audited, want 5", n)
	}
}
