package storage_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"beredskab/bot"
	"beredskab/storage"
	"beredskab/workflows"
)

func testKey(t testing.TB, seed byte) []byte {
	t.Helper()
	k := make([]byte, storage.KeySize)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}

// backends returns an opener for each kind of store the tests run against.
func backends() []struct {
	name string
	open func(t *testing.T) *storage.Store
} {
	return []struct {
		name string
		open func(t *testing.T) *storage.Store
	}{
		{"memory", func(t *testing.T) *storage.Store {
			return mustOpen(t, storage.Options{InMemory: true})
		}},
		{"disk", func(t *testing.T) *storage.Store {
			return mustOpen(t, storage.Options{Dir: t.TempDir(), Key: testKey(t, 1)})
		}},
	}
}

func mustOpen(t *testing.T, o storage.Options) *storage.Store {
	t.Helper()
	s, err := storage.Open(t.Context(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func num(n int) *int { return &n }

func sampleDraft(user string) workflows.Draft {
	return workflows.Draft{
		User:    user,
		Lang:    workflows.Danish,
		Started: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Updated: time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC),
		Visit: workflows.Answers{
			"place": {Text: "Nørrebro"},
			"kinds": {List: []string{"a", "b"}},
		},
		Persons: []workflows.Answers{{"age": {Number: num(34)}}},
		History: []workflows.Slot{{Person: -1, Field: "place"}},
	}
}

func TestDraftRoundTrip(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.open(t)

			_, err := s.Draft(ctx, "u1")
			if !errors.Is(err, bot.ErrNotFound) {
				t.Fatalf("Draft before save: err = %v, want ErrNotFound", err)
			}

			d := sampleDraft("u1")
			if err := s.SaveDraft(ctx, d); err != nil {
				t.Fatalf("SaveDraft: %v", err)
			}
			got, err := s.Draft(ctx, "u1")
			if err != nil {
				t.Fatalf("Draft: %v", err)
			}
			if got.Schema != workflows.SchemaVersion {
				t.Errorf("Schema = %d, want %d", got.Schema, workflows.SchemaVersion)
			}
			if got.User != "u1" || got.Visit["place"].Text != "Nørrebro" ||
				len(got.Persons) != 1 || got.Persons[0]["age"].Number == nil ||
				*got.Persons[0]["age"].Number != 34 || !got.Started.Equal(d.Started) {
				t.Errorf("Draft = %+v, want %+v", got, d)
			}

			// Overwrite.
			d.Visit["place"] = workflows.Answer{Text: "Amager"}
			if err := s.SaveDraft(ctx, d); err != nil {
				t.Fatalf("SaveDraft again: %v", err)
			}
			if got, _ := s.Draft(ctx, "u1"); got.Visit["place"].Text != "Amager" {
				t.Errorf("after overwrite place = %q", got.Visit["place"].Text)
			}

			// Drafts lists it.
			if err := s.SaveDraft(ctx, sampleDraft("u2")); err != nil {
				t.Fatal(err)
			}
			var users []string
			for d, err := range s.Drafts(ctx) {
				if err != nil {
					t.Fatalf("Drafts: %v", err)
				}
				users = append(users, d.User)
			}
			if strings.Join(users, ",") != "u1,u2" {
				t.Errorf("Drafts users = %v", users)
			}

			if err := s.DeleteDraft(ctx, "u1"); err != nil {
				t.Fatalf("DeleteDraft: %v", err)
			}
			if _, err := s.Draft(ctx, "u1"); !errors.Is(err, bot.ErrNotFound) {
				t.Fatalf("Draft after delete: err = %v, want ErrNotFound", err)
			}
			if err := s.DeleteDraft(ctx, "u1"); err != nil {
				t.Fatalf("DeleteDraft of missing draft: %v", err)
			}
			if err := s.SaveDraft(ctx, workflows.Draft{}); err == nil {
				t.Error("SaveDraft with empty user: no error")
			}
		})
	}
}

func TestFinishVisit(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.open(t)

			steps := []struct {
				user, date, wantID string
			}{
				{"u1", "2026-05-01", "2026-0001"},
				{"u2", "2026-04-01", "2026-0002"},
				{"u1", "2027-01-02", "2027-0001"},
				{"u3", "2026-12-31", "2026-0003"},
			}
			for _, st := range steps {
				if err := s.SaveDraft(ctx, sampleDraft(st.user)); err != nil {
					t.Fatal(err)
				}
				v, err := s.FinishVisit(ctx, st.user, workflows.Visit{
					Date:      st.date,
					CreatedBy: st.user,
					Fields:    workflows.Answers{"place": {Text: "x"}},
				})
				if err != nil {
					t.Fatalf("FinishVisit(%s): %v", st.date, err)
				}
				if v.ID != st.wantID {
					t.Errorf("FinishVisit(%s).ID = %q, want %q", st.date, v.ID, st.wantID)
				}
				if v.Schema != workflows.SchemaVersion {
					t.Errorf("Schema = %d", v.Schema)
				}
				if _, err := s.Draft(ctx, st.user); !errors.Is(err, bot.ErrNotFound) {
					t.Errorf("draft of %s after FinishVisit: err = %v, want ErrNotFound", st.user, err)
				}
				got, err := s.Visit(ctx, st.wantID)
				if err != nil {
					t.Fatalf("Visit(%s): %v", st.wantID, err)
				}
				if got.ID != st.wantID || got.Date != st.date || got.Fields["place"].Text != "x" {
					t.Errorf("Visit(%s) = %+v", st.wantID, got)
				}
			}
			if _, err := s.Visit(ctx, "2026-9999"); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("Visit of unknown id: err = %v, want ErrNotFound", err)
			}
			for _, bad := range []string{"", "2026", "2026-13-01", "26-01-01", "2026-1-1", "2026-02-30"} {
				if _, err := s.FinishVisit(ctx, "u9", workflows.Visit{Date: bad}); err == nil {
					t.Errorf("FinishVisit with date %q: no error", bad)
				}
			}
		})
	}
}

func TestVisitsOrderAndBounds(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.open(t)
			// Inserted out of order; ids follow insertion order.
			dates := []string{"2026-03-10", "2026-01-05", "2026-03-10", "2025-12-31", "2026-02-01", "2026-01-05"}
			for _, d := range dates {
				if _, err := s.FinishVisit(ctx, "u", workflows.Visit{Date: d}); err != nil {
					t.Fatal(err)
				}
			}
			tests := []struct {
				name, from, to string
				want           []string // date/id
			}{
				{"all", "", "", []string{
					"2025-12-31/2025-0001",
					"2026-01-05/2026-0002", "2026-01-05/2026-0005",
					"2026-02-01/2026-0004",
					"2026-03-10/2026-0001", "2026-03-10/2026-0003",
				}},
				{"inclusive both", "2026-01-05", "2026-02-01", []string{
					"2026-01-05/2026-0002", "2026-01-05/2026-0005", "2026-02-01/2026-0004",
				}},
				{"single day", "2026-03-10", "2026-03-10", []string{
					"2026-03-10/2026-0001", "2026-03-10/2026-0003",
				}},
				{"open start", "", "2026-01-05", []string{
					"2025-12-31/2025-0001", "2026-01-05/2026-0002", "2026-01-05/2026-0005",
				}},
				{"open end", "2026-02-01", "", []string{
					"2026-02-01/2026-0004", "2026-03-10/2026-0001", "2026-03-10/2026-0003",
				}},
				{"between days", "2026-01-06", "2026-01-31", nil},
				{"reversed", "2026-03-10", "2026-01-01", nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var got []string
					for v, err := range s.Visits(ctx, tt.from, tt.to) {
						if err != nil {
							t.Fatalf("Visits: %v", err)
						}
						got = append(got, v.Date+"/"+v.ID)
					}
					if strings.Join(got, " ") != strings.Join(tt.want, " ") {
						t.Errorf("Visits(%q, %q) =\n  %v\nwant\n  %v", tt.from, tt.to, got, tt.want)
					}
				})
			}

			t.Run("early stop", func(t *testing.T) {
				n := 0
				for range s.Visits(ctx, "", "") {
					n++
					if n == 2 {
						break
					}
				}
				if n != 2 {
					t.Errorf("n = %d", n)
				}
			})
			t.Run("cancelled context", func(t *testing.T) {
				cctx, cancel := context.WithCancel(ctx)
				defer cancel()
				n := 0
				var last error
				for _, err := range s.Visits(cctx, "", "") {
					if err != nil {
						last = err
						break
					}
					n++
					cancel()
				}
				if n != 1 || !errors.Is(last, context.Canceled) {
					t.Errorf("after cancel: n = %d, err = %v; want 1, context.Canceled", n, last)
				}
			})
			t.Run("bad bound", func(t *testing.T) {
				for _, err := range s.Visits(ctx, "2026-1-1", "") {
					if err == nil {
						t.Fatal("Visits with a malformed from: no error")
					}
				}
			})
		})
	}
}

const marker = "PLAINTEXT-MARKER-7f3a9c"

func TestReopenAndEncryptionAtRest(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	key := testKey(t, 7)

	s, err := storage.Open(ctx, storage.Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	d := sampleDraft("u1")
	d.Visit["note"] = workflows.Answer{Text: marker}
	if err := s.SaveDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	v, err := s.FinishVisit(ctx, "u2", workflows.Visit{
		Date:   "2026-06-01",
		Fields: workflows.Answers{"note": {Text: marker}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// While open, the synced write-ahead log holds the records; after Close
	// they are flushed into tables. Neither may contain the marker.
	assertNoPlaintext(t, dir, "while open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoPlaintext(t, dir, "after close")

	// Wrong key: an error, not a panic, and the directory stays usable.
	if s2, err := storage.Open(ctx, storage.Options{Dir: dir, Key: testKey(t, 8)}); err == nil {
		_ = s2.Close()
		t.Fatal("Open with a different key succeeded")
	} else {
		t.Logf("wrong key: %v", err)
	}

	s, err = storage.Open(ctx, storage.Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	got, err := s.Draft(ctx, "u1")
	if err != nil || got.Visit["note"].Text != marker {
		t.Fatalf("draft after reopen: %+v, %v", got.Visit["note"], err)
	}
	gv, err := s.Visit(ctx, v.ID)
	if err != nil || gv.Fields["note"].Text != marker {
		t.Fatalf("visit after reopen: %+v, %v", gv.Fields["note"], err)
	}
	// The counter survived too.
	v2, err := s.FinishVisit(ctx, "u3", workflows.Visit{Date: "2026-06-02"})
	if err != nil || v2.ID != "2026-0002" {
		t.Fatalf("FinishVisit after reopen: %q, %v", v2.ID, err)
	}
}

// assertNoPlaintext fails if any file under dir contains marker.
func assertNoPlaintext(t *testing.T, dir, when string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s: %s contains the plaintext marker", when, filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("%s: no files written", when)
	}
}

func TestOpenOptions(t *testing.T) {
	tests := []struct {
		name string
		o    func(t *testing.T) storage.Options
		ok   bool
	}{
		{"disk without key", func(t *testing.T) storage.Options { return storage.Options{Dir: t.TempDir()} }, false},
		{"disk short key", func(t *testing.T) storage.Options {
			return storage.Options{Dir: t.TempDir(), Key: make([]byte, 16)}
		}, false},
		{"no dir", func(t *testing.T) storage.Options { return storage.Options{Key: testKey(t, 1)} }, false},
		{"memory with key", func(t *testing.T) storage.Options {
			return storage.Options{InMemory: true, Key: testKey(t, 1)}
		}, true},
		{"memory with dir", func(t *testing.T) storage.Options {
			return storage.Options{InMemory: true, Dir: t.TempDir()}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := storage.Open(t.Context(), tt.o(t))
			if err == nil {
				_ = s.Close()
			}
			if (err == nil) != tt.ok {
				t.Errorf("Open err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestKeyFromEnvOrFile(t *testing.T) {
	key := testKey(t, 40)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hexFile := write("hex", hex.EncodeToString(key)+"\n")
	shortFile := write("short", hex.EncodeToString(key[:16])+"\n")

	tests := []struct {
		name, env, file string
		ok              bool
	}{
		{"hex env", hex.EncodeToString(key), "", true},
		{"hex env upper", strings.ToUpper(hex.EncodeToString(key)), "", true},
		{"base64 std env", base64.StdEncoding.EncodeToString(key), "", true},
		{"base64 raw env", base64.RawStdEncoding.EncodeToString(key), "", true},
		{"env wins over file", hex.EncodeToString(key), shortFile, true},
		{"hex file", "", hexFile, true},
		{"short hex", hex.EncodeToString(key[:31]), "", false},
		{"long hex", hex.EncodeToString(append(key, 1)), "", false},
		{"short base64", base64.StdEncoding.EncodeToString(key[:16]), "", false},
		{"long base64", base64.StdEncoding.EncodeToString(append(key, key...)), "", false},
		{"garbage", "not a key!", "", false},
		{"short file", "", shortFile, false},
		{"missing file", "", filepath.Join(dir, "nope"), false},
		{"nothing", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storage.KeyFromEnvOrFile(tt.env, tt.file)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !bytes.Equal(got, key) {
				t.Errorf("key = %x, want %x", got, key)
			}
			if err != nil && tt.env != "" && strings.Contains(err.Error(), tt.env) {
				t.Errorf("error contains the key material: %v", err)
			}
		})
	}
}

func TestCreateKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	key, err := storage.CreateKeyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != storage.KeySize {
		t.Fatalf("len = %d", len(key))
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	got, err := storage.KeyFromEnvOrFile("", p)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("read back: %x, %v", got, err)
	}
	if _, err := storage.CreateKeyFile(p); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second CreateKeyFile: err = %v, want ErrExist", err)
	}
	if again, _ := storage.KeyFromEnvOrFile("", p); !bytes.Equal(again, key) {
		t.Error("existing key file was changed")
	}
	// The new key opens a store.
	s, err := storage.Open(t.Context(), storage.Options{Dir: t.TempDir(), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
}

func TestFinishVisitConcurrent(t *testing.T) {
	ctx := t.Context()
	s := mustOpen(t, storage.Options{InMemory: true})
	const n = 40
	ids := make(chan string, n)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			v, err := s.FinishVisit(ctx, "u", workflows.Visit{Date: "2026-07-0" + string(rune('1'+i%9))})
			if err != nil {
				errs <- err
				return
			}
			ids <- v.ID
		}()
	}
	seen := map[string]bool{}
	for range n {
		select {
		case err := <-errs:
			t.Errorf("FinishVisit under contention: %v", err)
		case id := <-ids:
			if seen[id] {
				t.Errorf("duplicate id %s", id)
			}
			seen[id] = true
		}
	}
	for i := 1; i <= n; i++ {
		if id := fmt.Sprintf("2026-%04d", i); !seen[id] {
			t.Errorf("id %s not handed out", id)
		}
	}
}
