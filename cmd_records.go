package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"
)

// This file holds the subcommands about the records themselves: the audit
// log, retention and backups.

// runAudit is `beredskab audit [--since DATE]`: the audit log, oldest first.
func runAudit(args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	fs := flag.NewFlagSet("beredskab audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	since := fs.String("since", "", "first day to show, YYYY-MM-DD in the team's time zone, or an RFC 3339 time (default: all)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := printAudit(c, *since, stdout, stderr, log); err != nil {
		fmt.Fprintln(stderr, "beredskab audit:", err)
		return 1
	}
	return 0
}

func printAudit(c common, sinceArg string, stdout, stderr io.Writer, log *slog.Logger) (err error) {
	ctx := context.Background()
	cfg, err := c.load()
	if err != nil {
		return err
	}
	loc, err := cfg.Location()
	if err != nil {
		return err
	}
	since, err := parseSince(sinceArg, loc)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, false, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
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
