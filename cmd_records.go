package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jonboulle/clockwork"

	"beredskab/bot"
	"beredskab/config"
	"beredskab/reminders"
	"beredskab/storage"
	"beredskab/upkeep"
)

// This file holds the subcommands about the records themselves: the audit
// log, retention and backups.

// runAudit is `beredskab audit [--since DATE]`: the audit log, oldest first.
func runAudit(args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	return subcommand("audit", args, stderr, func(fs *flag.FlagSet) func(common) error {
		since := fs.String("since", "", "first day to show, YYYY-MM-DD in the team's time zone, or an RFC 3339 time (default: all)")
		return func(c common) error { return printAudit(c, *since, stdout, stderr, log) }
	})
}

func printAudit(c common, sinceArg string, stdout, stderr io.Writer, log *slog.Logger) (err error) {
	ctx := context.Background()
	_, loc, store, err := openForOperator(ctx, c, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	since, err := parseSince(sinceArg, loc)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TIME\tWHO\tPLATFORM\tACTION\tOBJECT\tDETAIL")
	for e, err := range store.Entries(ctx, since) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.In(loc).Format("2006-01-02 15:04:05 MST"),
			dash(e.Who), dash(e.Platform), e.Action, dash(e.Object), dash(e.Detail))
	}
	return w.Flush()
}

// parseSince reads --since: a date (midnight in loc) or an RFC 3339 time.
func parseSince(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want YYYY-MM-DD or an RFC 3339 time", s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// scheduleUpkeep puts the daily jobs on the dispatcher: retention always,
// the backup when [backup] folder is set. They are called hourly and do
// their work once a day (upkeep.Daily), so a restart neither skips nor
// repeats a day. It audits a changed roster, and serves `beredskab backup`
// on the data folder's socket; stop closes the socket.
func scheduleUpkeep(ctx context.Context, cfg config.Config, clock clockwork.Clock, store *storage.Store, d *reminders.Dispatcher,
	log *slog.Logger) (stop func(), err error) {
	loc, err := cfg.Location()
	if err != nil {
		return nil, err
	}
	// The roster lives in the configuration: a change shows at this start.
	roster := map[string]string{}
	for _, s := range cfg.Staff {
		roster[s.User] = strings.ToLower(strings.TrimSpace(s.Role))
	}
	if err := upkeep.AuditRoster(ctx, store, store, clock, "config", roster); err != nil {
		return nil, err
	}
	retention := upkeep.Retention{Store: store, Audit: store, Clock: clock, Location: loc,
		Years: cfg.Retention.PersonDataYears, Platform: "scheduler", Logger: log}
	if err := d.Every(upkeep.Every, "retention", upkeep.Daily("retention", store, clock, loc, retention.Run)); err != nil {
		return nil, err
	}
	if cfg.Backup.Folder == "" {
		log.Warn("no scheduled backup: set [backup] folder in the configuration (see README, Backup and restore)")
	} else {
		backups := upkeep.Backups{Store: store, Folder: cfg.Backup.Folder, Keep: cfg.Backup.Keep, Clock: clock,
			Audit: store, Platform: "scheduler", Logger: log}
		if err := d.Every(upkeep.Every, "backup", upkeep.Daily("backup", store, clock, loc, backups.Run)); err != nil {
			return nil, err
		}
	}
	server := &upkeep.BackupServer{Store: store, Clock: clock, Audit: store, Logger: log}
	if err := server.Open(ctx, cfg.DataDir); err != nil {
		// The bot runs on without it (a data folder path too long for a
		// socket, say); only `beredskab backup` then needs the bot stopped.
		log.Warn("backup socket not served: beredskab backup will need the bot stopped", "err", err)
		return func() {}, nil
	}
	return func() {
		if err := server.Close(); err != nil {
			log.Error("close the backup socket", "err", err)
		}
	}, nil
}

// operator is who the audit log names for the command line.
const operator = "operator"

// runRetention is `beredskab retention [--dry-run]`: what retention deletes
// now (visit ids and counts), and with no --dry-run it deletes it.
func runRetention(args []string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) int {
	return subcommand("retention", args, stderr, func(fs *flag.FlagSet) func(common) error {
		dry := fs.Bool("dry-run", false, "only show which visits' person data would be deleted")
		return func(c common) error { return retention(c, *dry, stdout, stderr, log, clock) }
	})
}

func retention(c common, dry bool, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) (err error) {
	ctx := context.Background()
	cfg, loc, store, err := openForOperator(ctx, c, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	r := upkeep.Retention{Store: store, Audit: store, Clock: clock, Location: loc, Years: cfg.Retention.PersonDataYears,
		Who: operator, Platform: "cli", Logger: log}
	before, plan, err := r.Plan(ctx)
	if err != nil {
		return err
	}
	total, reasons := 0, 0
	for _, m := range plan {
		total += len(m.Visits)
		reasons += len(m.Deleted)
		if len(m.Visits) > 0 {
			fmt.Fprintf(stdout, "%s  %3d visits: %s\n", m.Month, len(m.Visits), strings.Join(m.Visits, " "))
		}
		if len(m.Deleted) > 0 {
			fmt.Fprintf(stdout, "%s  %3d deletion reasons of deleted visits: %s\n", m.Month, len(m.Deleted), strings.Join(m.Deleted, " "))
		}
	}
	verb := "would be deleted (dry run; nothing was changed)"
	if !dry {
		verb = "deleted"
	}
	fmt.Fprintf(stdout, "Person data of %d visits dated before %s (older than %d years) %s; their monthly figures are kept.\n",
		total, before, cfg.Retention.PersonDataYears, verb)
	if dry || total+reasons == 0 {
		return nil
	}
	return r.Run(ctx)
}

// runBackup is `beredskab backup FILE`: an encrypted backup, taken while
// the bot is stopped (a running bot backs itself up daily).
func runBackup(args []string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) int {
	return subcommand("backup", args, stderr, func(fs *flag.FlagSet) func(common) error {
		return func(c common) error {
			if fs.NArg() != 1 {
				return fmt.Errorf("%w: beredskab backup [flags] FILE", errUsage)
			}
			return backup(c, fs.Arg(0), stdout, stderr, log, clock)
		}
	})
}

func backup(c common, path string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) (err error) {
	ctx := context.Background()
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists already; choose a new file name", path)
	}
	// A running bot holds the data folder and serves backups on its socket.
	n, err := fetchBackup(ctx, cfg, path)
	if err == nil {
		fmt.Fprintf(stdout, "Backup of %d records taken by the running bot and written to %s (encrypted with the storage key).\n", n, path)
		return nil
	}
	if !errors.Is(err, upkeep.ErrNoBot) {
		return err
	}
	store, err := openStore(ctx, cfg, false, log, stderr)
	if err != nil {
		if strings.Contains(err.Error(), "in use by a running beredskab") {
			folder := cfg.Backup.Folder
			if folder == "" {
				folder = "[backup] folder (not set: set it and restart the bot)"
			}
			return fmt.Errorf("the bot is running and holds the data folder. It writes an encrypted backup every day into %s: "+
				"copy the newest file from there, or stop the bot and run this again: %w", folder, err)
		}
		return err
	}
	defer closeStore(store, &err)
	n, err = upkeep.WriteBackup(ctx, store, path)
	if err != nil {
		return err
	}
	if err := store.Append(ctx, bot.AuditEntry{At: clock.Now(), Who: operator, Platform: "cli", Action: "backup",
		Detail: fmt.Sprintf("%d records to a file", n)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backup of %d records written to %s (encrypted with the storage key).\n", n, path)
	return nil
}

// fetchBackup asks the running bot for a backup, checks it under the
// storage key and writes it to path (0600, renamed into place when
// complete). It returns an error wrapping upkeep.ErrNoBot when no bot runs.
func fetchBackup(ctx context.Context, cfg config.Config, path string) (int, error) {
	key, err := storage.KeyFromEnvOrFile(os.Getenv("BEREDSKAB_KEY"), cfg.KeyFile)
	if err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".backup-*")
	if err != nil {
		return 0, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := upkeep.FetchBackup(ctx, cfg.DataDir, tmp); err != nil {
		return 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := storage.VerifyBackup(tmp, key)
	if err != nil {
		return 0, fmt.Errorf("the backup from the running bot does not check out: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("write backup %s: %w", path, err)
	}
	return n, nil
}

// runRestore is `beredskab restore FILE`: a backup into an empty data
// folder.
func runRestore(args []string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) int {
	return subcommand("restore", args, stderr, func(fs *flag.FlagSet) func(common) error {
		return func(c common) error {
			if fs.NArg() != 1 {
				return fmt.Errorf("%w: beredskab restore [flags] FILE   (into an empty data folder)", errUsage)
			}
			return restore(c, fs.Arg(0), stdout, stderr, log, clock)
		}
	})
}

func restore(c common, path string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) (err error) {
	ctx := context.Background()
	cfg, err := c.load()
	if err != nil {
		return err
	}
	key, err := storage.KeyFromEnvOrFile(os.Getenv("BEREDSKAB_KEY"), cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("%w (the key the backup was written with is needed)", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := storage.VerifyBackup(f, key)
	if errors.Is(err, storage.ErrWrongKey) {
		return fmt.Errorf("%s: %w; give the key it was written with (--key-file or BEREDSKAB_KEY)", path, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	o := storage.Options{Dir: cfg.DataDir, Key: key, Logger: log}
	if err := storage.Restore(ctx, f, o); err != nil {
		return err
	}
	store, err := storage.Open(ctx, o)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	if err := store.Append(ctx, bot.AuditEntry{At: clock.Now(), Who: operator, Platform: "cli", Action: "restore",
		Detail: fmt.Sprintf("%d records from a backup", n)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %d records into %s. Start the bot as usual.\n", n, cfg.DataDir)
	return nil
}

// runRotateKey is `beredskab rotate-key --new-key-file F`: the records
// re-encrypted under a new key, offline.
func runRotateKey(args []string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) int {
	return subcommand("rotate-key", args, stderr, func(fs *flag.FlagSet) func(common) error {
		newKeyFile := fs.String("new-key-file", "", "the new key file; created (hex, mode 0600) when it does not exist")
		return func(c common) error {
			if *newKeyFile == "" {
				return fmt.Errorf("%w: beredskab rotate-key [flags] --new-key-file FILE", errUsage)
			}
			return rotateKey(c, *newKeyFile, stdout, stderr, log, clock)
		}
	})
}

func rotateKey(c common, newKeyFile string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) (err error) {
	ctx := context.Background()
	cfg, err := c.load()
	if err != nil {
		return err
	}
	oldKey, err := storage.KeyFromEnvOrFile(os.Getenv("BEREDSKAB_KEY"), cfg.KeyFile)
	if err != nil {
		return err
	}
	newKey, err := storage.KeyFromEnvOrFile("", newKeyFile)
	if errors.Is(err, os.ErrNotExist) {
		newKey, err = storage.CreateKeyFile(newKeyFile)
		if err == nil {
			fmt.Fprintf(stdout, "A new key was written to %s.\n", newKeyFile)
		}
	}
	if err != nil {
		return err
	}
	n, err := storage.RotateKey(ctx, cfg.DataDir, oldKey, newKey, log)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return fmt.Errorf("the data folder %s is in use by a running beredskab; stop it first: %w", cfg.DataDir, err)
		}
		return err
	}
	store, err := storage.Open(ctx, storage.Options{Dir: cfg.DataDir, Key: newKey, Logger: log})
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	if err := store.Append(ctx, bot.AuditEntry{At: clock.Now(), Who: operator, Platform: "cli", Action: "rotate-key",
		Detail: fmt.Sprintf("%d records re-encrypted under a new key", n)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d records in %s are now encrypted under the key in %s; the old key no longer opens them.\n"+
		"Now: use the new key from here on (replace the old key file with it, or point --key-file or BEREDSKAB_KEY to it).\n"+
		"Keep the old key as long as you keep backups taken before now: they are still under it.\n", n, cfg.DataDir, newKeyFile)
	return nil
}
