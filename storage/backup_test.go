package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/export"
	"beredskab/storage"
	"beredskab/workflows"
)

// filledStore is a store on disk with visits (person data marked SECRET),
// a draft, a deleted and re-saved key, and audit entries.
func filledStore(t *testing.T, key []byte) (*storage.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := storage.Open(t.Context(), storage.Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		v := workflows.Visit{Date: fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28), CreatedBy: "mw",
			Fields:  workflows.Answers{"method": {Text: "phone"}, "remarks": {Text: fmt.Sprintf("SECRET remark %d", i)}},
			Persons: []workflows.Answers{{"nationality": {Text: "TH"}, "age": {Number: num(20 + i%50)}}}}
		if _, err := s.FinishVisit(t.Context(), "mw", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveDraft(t.Context(), sampleDraft("gone")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDraft(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(t.Context(), sampleDraft("mw")); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), bot.AuditEntry{At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Who: "co", Action: "export"}); err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func exportJSON(t *testing.T, s *storage.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := export.JSON(&b, workflows.NewRegistration(), s.Visits(t.Context(), "", "")); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBackupRestoreGivesAnIdenticalExport(t *testing.T) {
	key := testKey(t, 3)
	s, _ := filledStore(t, key)
	defer s.Close()
	var backup bytes.Buffer
	keys, err := s.Backup(t.Context(), &backup)
	if err != nil {
		t.Fatal(err)
	}
	// 300 visits and their 300 id indexes, the year counter, the figures
	// of their 12 months and the mark that those were built, one draft, one
	// audit entry and its counter; the deleted draft is not in it.
	if keys != 617 {
		t.Errorf("backup holds %d records, want 617", keys)
	}
	if bytes.Contains(backup.Bytes(), []byte("SECRET")) || bytes.Contains(backup.Bytes(), []byte("visit/2026")) {
		t.Error("the backup holds plaintext")
	}
	if n, err := storage.VerifyBackup(bytes.NewReader(backup.Bytes()), key); err != nil || n != keys {
		t.Errorf("VerifyBackup: %d, %v", n, err)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	if err := storage.Restore(t.Context(), bytes.NewReader(backup.Bytes()), storage.Options{Dir: dir, Key: key}); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, storage.Options{Dir: dir, Key: key})
	want, got := exportJSON(t, s), exportJSON(t, r)
	if !bytes.Equal(want, got) || !bytes.Contains(got, []byte("SECRET remark 299")) {
		t.Errorf("export after restore differs (%d bytes, want %d)", len(got), len(want))
	}
	if d, err := r.Draft(t.Context(), "mw"); err != nil || d.User != "mw" {
		t.Errorf("draft after restore: %+v, %v", d, err)
	}
	if _, err := r.Draft(t.Context(), "gone"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("deleted draft after restore: %v", err)
	}
	// The restored store goes on numbering where the original stopped.
	v, err := r.FinishVisit(t.Context(), "mw", workflows.Visit{Date: "2026-12-01"})
	if err != nil || v.ID != "2026-0301" {
		t.Errorf("next visit after restore: %q, %v", v.ID, err)
	}
	n := 0
	for range r.Entries(t.Context(), time.Time{}) {
		n++
	}
	if n != 1 {
		t.Errorf("audit entries after restore: %d", n)
	}
}

func TestRestoreRefusesWhatItCannotTrust(t *testing.T) {
	key := testKey(t, 3)
	s, _ := filledStore(t, key)
	defer s.Close()
	var backup bytes.Buffer
	if _, err := s.Backup(t.Context(), &backup); err != nil {
		t.Fatal(err)
	}
	good := backup.Bytes()
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 1
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		key  []byte
		dir  string
		want string
	}{
		{"wrong key", good, testKey(t, 9), "", "another storage key"},
		{"cut short", good[:len(good)-100], key, "", "cut short"},
		{"last chunk dropped", good[:len(good)/2], key, "", "cut short"},
		{"a flipped bit", flipped, key, "", "damaged"},
		{"not a backup", []byte("hello, this is not a backup at all, not at all, no"), key, "", "not a beredskab backup"},
		{"a folder with data", good, key, full, "not empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "restored")
			}
			err := storage.Restore(t.Context(), bytes.NewReader(tt.data), storage.Options{Dir: dir, Key: tt.key})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Restore: %v, want an error saying %q", err, tt.want)
			}
			if tt.dir == "" {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a failed restore left %s behind (%v)", dir, err)
				}
				if left, _ := filepath.Glob(dir + ".restoring-*"); len(left) > 0 {
					t.Errorf("a failed restore left %v behind", left)
				}
			}
		})
	}
}

func TestRotateKeyReadsBackUnderTheNewKeyOnly(t *testing.T) {
	oldKey, newKey := testKey(t, 3), testKey(t, 100)
	s, dir := filledStore(t, oldKey)
	want := exportJSON(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	keys, err := storage.RotateKey(t.Context(), dir, oldKey, newKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if keys != 617 { // as in TestBackupRestoreGivesAnIdenticalExport
		t.Errorf("rotated %d records, want 617", keys)
	}
	if _, err := storage.Open(t.Context(), storage.Options{Dir: dir, Key: oldKey}); err == nil {
		t.Fatal("the old key still opens the data")
	}
	r := mustOpen(t, storage.Options{Dir: dir, Key: newKey})
	if got := exportJSON(t, r); !bytes.Equal(got, want) {
		t.Errorf("export under the new key differs (%d bytes, want %d)", len(got), len(want))
	}
	assertNoPlaintext(t, dir, "after key rotation")
	if left, _ := filepath.Glob(dir + ".*"); len(left) > 0 {
		t.Errorf("rotation left %v behind", left)
	}
	if _, err := storage.RotateKey(t.Context(), dir, newKey, newKey, nil); err == nil {
		t.Error("rotation to the same key was accepted")
	}
}
