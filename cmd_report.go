package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/jonboulle/clockwork"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/storage"
	"beredskab/workflows"
)

// runReport is `beredskab report [--year Y | --from M --to M] [--chart
// file.png]`: the statistics of /report on standard output.
func runReport(args []string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) int {
	return subcommand("report", args, stderr, func(fs *flag.FlagSet) func(common) error {
		year := fs.String("year", "", "calendar year, e.g. 2026 (default: the current year)")
		from := fs.String("from", "", "first month, YYYY-MM (with --to)")
		to := fs.String("to", "", "last month, YYYY-MM (with --from)")
		chart := fs.String("chart", "", "also write the chart (visits and persons met per month) to this PNG file")
		lang := fs.String("lang", "", "language of the report: da or en (default from config)")
		return func(c common) error {
			var periodArgs []string
			switch {
			case *year != "" && (*from != "" || *to != ""):
				return fmt.Errorf("%w: give --year or --from and --to, not both", errUsage)
			case *year != "":
				periodArgs = []string{*year}
			case *from != "" || *to != "":
				if *from == "" || *to == "" {
					return fmt.Errorf("%w: --from and --to go together", errUsage)
				}
				periodArgs = []string{*from, *to}
			}
			return statisticsReport(c, clock, periodArgs, *chart, *lang, stdout, stderr, log)
		}
	})
}

func statisticsReport(c common, clock clockwork.Clock, periodArgs []string, chartPath, lang string, stdout, stderr io.Writer, log *slog.Logger) (err error) {
	ctx := context.Background()
	cfg, loc, store, err := openForOperator(ctx, c, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	p, err := records.ParsePeriod(periodArgs, clock.Now().In(loc))
	if err != nil {
		return err
	}
	if lang == "" {
		lang = cfg.Language
	}
	rep, err := bot.Statistics(ctx, store, p)
	if err != nil {
		return err
	}
	l := workflows.ParseLang(lang)
	if chartPath != "" {
		png, err := rep.Chart(l)
		if err != nil {
			return err
		}
		if err := os.WriteFile(chartPath, png, 0o600); err != nil {
			return fmt.Errorf("write chart: %w", err)
		}
	}
	if err := auditOperator(ctx, store, clock, "report", p.String(), ""); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, rep.Markdown(l))
	return err
}

// auditOperator records what was done from the command line in the audit
// log, as the operator (the command line has no chat user).
func auditOperator(ctx context.Context, store *storage.Store, clock clockwork.Clock, action, object, detail string) error {
	err := store.Append(ctx, bot.AuditEntry{At: clock.Now(), Who: "operator", Platform: "cli", Action: action, Object: object, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// exportObject names the dates of an export in its audit entry.
func exportObject(from, to string) string {
	if from == "" && to == "" {
		return "all"
	}
	return from + ".." + to
}
