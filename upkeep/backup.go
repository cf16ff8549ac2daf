package upkeep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"beredskab/bot"
)

// BackupSource is what a backup is taken from: the store.
type BackupSource interface {
	Backup(ctx context.Context, w io.Writer) (int, error)
}

// WriteBackup writes a backup of src to path: a new file, mode 0600,
// synced and renamed into place when complete, so a failed backup leaves no
// partial file behind. It returns the number of records written.
func WriteBackup(ctx context.Context, src BackupSource, path string) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".backup-*")
	if err != nil {
		return 0, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := src.Backup(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return n, fmt.Errorf("write backup %s: %w", path, err)
	}
	return n, nil
}

// backupPrefix and backupSuffix frame the scheduled backups' names,
// "beredskab-20261204T020000Z.backup", which sort by time.
const (
	backupPrefix = "beredskab-"
	backupSuffix = ".backup"
)

// Backups is the running bot's scheduled backup: a new file in Folder,
// then the oldest beyond Keep deleted. Only files it named are touched.
type Backups struct {
	Store  BackupSource
	Folder string
	Keep   int
	Clock  Clock
	// Audit records every backup; nil turns it off.
	Audit    bot.AuditLog
	Platform string
	Logger   *slog.Logger
}

// Run takes one backup and prunes the old ones.
func (b Backups) Run(ctx context.Context) error {
	if b.Folder == "" || b.Keep < 1 || b.Store == nil || b.Clock == nil {
		return errors.New("backup: a folder, keep ≥ 1, a store and a clock are required")
	}
	if err := os.MkdirAll(b.Folder, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	now := b.Clock.Now().UTC()
	name := backupPrefix + now.Format("20060102T150405Z") + backupSuffix
	n, err := WriteBackup(ctx, b.Store, filepath.Join(b.Folder, name))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if b.Logger != nil {
		b.Logger.Info("backup written", "file", name, "records", n)
	}
	pruned, perr := b.prune()
	if b.Audit != nil {
		detail := fmt.Sprintf("%s, %d records; %d old backups deleted", name, n, pruned)
		if err := b.Audit.Append(ctx, bot.AuditEntry{At: b.Clock.Now(), Who: system, Platform: b.Platform,
			Action: "backup", Detail: detail}); err != nil {
			perr = errors.Join(perr, fmt.Errorf("audit backup: %w", err))
		}
	}
	if perr != nil {
		return fmt.Errorf("backup: %w", perr)
	}
	return nil
}

// prune deletes the oldest scheduled backups beyond Keep.
func (b Backups) prune() (int, error) {
	entries, err := os.ReadDir(b.Folder)
	if err != nil {
		return 0, fmt.Errorf("list backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var errs []error
	deleted := 0
	for _, n := range names[:max(0, len(names)-b.Keep)] {
		if err := os.Remove(filepath.Join(b.Folder, n)); err != nil {
			errs = append(errs, fmt.Errorf("delete old backup: %w", err))
			continue
		}
		deleted++
	}
	return deleted, errors.Join(errs...)
}

// Every is how often the dispatcher calls the daily jobs; Daily makes them
// run once a day.
const Every = time.Hour
