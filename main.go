// Command beredskab is the chat bot of the Mobile Health Service's crisis
// plan: visit registration, crisis checklists and reminders for outreach
// midwives and coordinators. This file only reads flags and configuration
// and wires the parts together.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"

	"github.com/jonboulle/clockwork"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // a fresh machine may have no zoneinfo; Copenhagen time must work

	"beredskab/adapters/console"
	"beredskab/adapters/mattermost"
	"beredskab/adapters/slack"
	"beredskab/bot"
	"beredskab/config"
	"beredskab/export"
	"beredskab/reminders"
	"beredskab/storage"
	"beredskab/workflows"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// common are the settings every subcommand shares.
type common struct {
	configPath, dataDir, keyFile string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", os.Getenv("BEREDSKAB_CONFIG"), "configuration file (default: the embedded one; env BEREDSKAB_CONFIG)")
	fs.StringVar(&c.dataDir, "data", os.Getenv("BEREDSKAB_DATA"), "data folder (default from config: ./data; env BEREDSKAB_DATA)")
	fs.StringVar(&c.keyFile, "key-file", os.Getenv("BEREDSKAB_KEY_FILE"), "storage key file (default from config: data.key; env BEREDSKAB_KEY_FILE; BEREDSKAB_KEY holds the key itself)")
}

// load reads the configuration with the flags applied over it.
func (c *common) load() (config.Config, error) {
	cfg, err := config.Load(c.configPath)
	if err != nil {
		return cfg, err
	}
	if c.dataDir != "" {
		cfg.DataDir = c.dataDir
	}
	if c.keyFile != "" {
		cfg.KeyFile = c.keyFile
	}
	return cfg, nil
}

// openStore opens the encrypted records. Only the console may create a
// missing key, and it says so loudly.
func openStore(ctx context.Context, cfg config.Config, mayCreateKey bool, log *slog.Logger, stderr io.Writer) (*storage.Store, error) {
	key, err := storage.KeyFromEnvOrFile(os.Getenv("BEREDSKAB_KEY"), cfg.KeyFile)
	if err != nil && mayCreateKey && cfg.KeyFile != "" && errors.Is(err, os.ErrNotExist) {
		if entries, _ := os.ReadDir(cfg.DataDir); len(entries) > 0 {
			return nil, fmt.Errorf("the data folder %s holds records but the key file %s is missing: "+
				"set BEREDSKAB_KEY or --key-file to the key they were written with (a new key cannot read them)", cfg.DataDir, cfg.KeyFile)
		}
		if err := os.MkdirAll(filepath.Dir(cfg.KeyFile), 0o700); err != nil {
			return nil, fmt.Errorf("create key folder: %w", err)
		}
		key, err = storage.CreateKeyFile(cfg.KeyFile)
		if err == nil {
			fmt.Fprintf(stderr, "WARNING: no storage key was given, so a new one was written to %s.\n"+
				"Anyone with that file and the data folder can read the records. For real use set\n"+
				"BEREDSKAB_KEY or --key-file to a key kept apart from the data, and back the key up.\n", cfg.KeyFile)
		}
	}
	if err != nil {
		return nil, err
	}
	store, err := storage.Open(ctx, storage.Options{Dir: cfg.DataDir, Key: key, Logger: log})
	if err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock") {
		return nil, fmt.Errorf("the data folder %s is in use by a running beredskab; stop it first (Badger lets one process open it): %w", cfg.DataDir, err)
	}
	return store, err
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(args, stdin, stdout, stderr, clockwork.NewRealClock())
}

// runWith is run with the clock given, so tests can fix the time.
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer, clock clockwork.Clock) int {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(args) > 0 {
		switch args[0] {
		case "export":
			return runExport(args[1:], stdout, stderr, log)
		case "crisis-report":
			return runCrisisReport(args[1:], stdout, stderr, log, clock)
		case "report":
			return runReport(args[1:], stdout, stderr, log, clock)
		case "reminders":
			return runReminders(args[1:], stdout, stderr, log)
		case "audit":
			return runAudit(args[1:], stdout, stderr, log)
		case "retention":
			return runRetention(args[1:], stdout, stderr, log, clock)
		case "backup":
			return runBackup(args[1:], stdout, stderr, log, clock)
		case "restore":
			return runRestore(args[1:], stdout, stderr, log, clock)
		case "rotate-key":
			return runRotateKey(args[1:], stdout, stderr, log, clock)
		}
	}
	fs := flag.NewFlagSet("beredskab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	user := fs.String("user", os.Getenv("BEREDSKAB_USER"), "roster user the console acts as (default from config; env BEREDSKAB_USER)")
	lang := fs.String("lang", os.Getenv("BEREDSKAB_LANG"), "language of the console user: da or en (env BEREDSKAB_LANG)")
	echo := fs.Bool("echo", false, "repeat each input line as '> line', so the output is a transcript")
	files := fs.String("files", ".", "console: folder the bot's files (report charts, Excel exports) are written to")
	adapterName := fs.String("adapter", "console", "where the bot talks: console, slack (tokens from SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) or mattermost (MATTERMOST_URL, MATTERMOST_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: beredskab [flags]            the bot on the console (one message per line)")
		fmt.Fprintln(stderr, "       beredskab -adapter slack [flags]   the bot in Slack (see README, Slack)")
		fmt.Fprintln(stderr, "       beredskab -adapter mattermost [flags]   the bot in Mattermost (see README, Mattermost)")
		fmt.Fprintln(stderr, "       beredskab export [flags]     write the visits as JSON, CSV or XLSX")
		fmt.Fprintln(stderr, "       beredskab report [--year Y | --from M --to M] [--chart F.png]   the statistics")
		fmt.Fprintln(stderr, "       beredskab crisis-report [flags] [ID]   a crisis run as Markdown (default: the latest)")
		fmt.Fprintln(stderr, "       beredskab reminders [flags]  the pending reminders: due time, kind, target")
		fmt.Fprintln(stderr, "       beredskab audit [--since DATE]   the audit log: who exported, reported, edited, when")
		fmt.Fprintln(stderr, "       beredskab retention [--dry-run]  delete person data older than [retention] person_data_years")
		fmt.Fprintln(stderr, "       beredskab backup FILE        an encrypted backup (bot stopped; a running bot backs up daily)")
		fmt.Fprintln(stderr, "       beredskab restore FILE       a backup into an empty data folder")
		fmt.Fprintln(stderr, "       beredskab rotate-key --new-key-file F   re-encrypt the records under a new key (bot stopped)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := c.load()
	if err != nil {
		fmt.Fprintln(stderr, "beredskab:", err)
		return 1
	}
	if *user != "" {
		cfg.Console.User = *user
	}
	if *lang != "" {
		for i := range cfg.Staff {
			if cfg.Staff[i].User == cfg.Console.User {
				cfg.Staff[i].Language = *lang
			}
		}
	}
	switch *adapterName {
	case "console":
		err = runConsole(cfg, clock, *echo, *files, stdin, stdout, stderr, log)
	case "slack":
		err = runSlack(cfg, clock, stderr, log)
	case "mattermost":
		err = runMattermost(cfg, clock, stderr, log)
	default:
		fmt.Fprintf(stderr, "beredskab: unknown adapter %q (want console, slack or mattermost)\n", *adapterName)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "beredskab:", err)
		return 1
	}
	return 0
}

// runConsole wires the bot to the console and runs it until the input ends
// or the process is told to stop.
func runConsole(cfg config.Config, clock clockwork.Clock, echo bool, files string, stdin io.Reader, stdout, stderr io.Writer, log *slog.Logger) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openStore(ctx, cfg, true, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	adapter := console.New(stdin, stdout, cfg.Console.User)
	adapter.Echo, adapter.Log, adapter.Files = echo, log, files
	b, closeBot, err := wireBot(ctx, cfg, clock, store, adapter, "console", nil, log)
	if err != nil {
		return err
	}
	defer closeBot()
	done := make(chan error, 1)
	go func() { done <- adapter.Run(ctx, b) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		adapter.Stop() // let the message in progress finish; every answer is on disk
		return nil
	}
}

// runSlack wires the bot to Slack and runs it until the process is told to
// stop. The tokens come from the environment; the storage key must exist.
func runSlack(cfg config.Config, clock clockwork.Clock, stderr io.Writer, log *slog.Logger) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	adapter, err := slack.New(slack.Options{Mode: slack.Mode(cfg.Slack.Mode), Listen: cfg.Slack.Listen,
		BotToken: os.Getenv("SLACK_BOT_TOKEN"), AppToken: os.Getenv("SLACK_APP_TOKEN"),
		SigningSecret: os.Getenv("SLACK_SIGNING_SECRET"), Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, false, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	checker := deliveryChecker(store, adapter.Delivered)
	if !strings.HasPrefix(cfg.Reminders.TeamChannel, "C") && !strings.HasPrefix(cfg.Reminders.TeamChannel, "G") {
		log.Warn("reminders.team_channel is not a Slack channel id (C…); the yearly drill cannot be posted", "team_channel", cfg.Reminders.TeamChannel)
	}
	b, closeBot, err := wireBot(ctx, cfg, clock, store, adapter, "slack", checker, log)
	if err != nil {
		return err
	}
	defer closeBot()
	return adapter.Run(ctx, b)
}

// runMattermost wires the bot to Mattermost and runs it until the process
// is told to stop. The server's address and the token come from the
// environment; the storage key must exist.
func runMattermost(cfg config.Config, clock clockwork.Clock, stderr io.Writer, log *slog.Logger) (err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv("MATTERMOST_URL") == "" || os.Getenv("MATTERMOST_TOKEN") == "" {
		return errors.New("the Mattermost adapter needs MATTERMOST_URL (the server's address) and MATTERMOST_TOKEN (the bot account's access token); see README, Mattermost")
	}
	store, err := openStore(ctx, cfg, false, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	secret, err := actionSecret(ctx, store, log)
	if err != nil {
		return err
	}
	adapter, err := mattermost.New(mattermost.Options{URL: os.Getenv("MATTERMOST_URL"), Token: os.Getenv("MATTERMOST_TOKEN"),
		Listen: cfg.Mattermost.Listen, PublicURL: cfg.Mattermost.PublicURL, Teams: cfg.Mattermost.Teams,
		Secret: secret, Cursor: store, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	// Signed in before the reminder dispatcher starts: an overdue reminder
	// is sent at once.
	if err := adapter.Connect(ctx); err != nil {
		return err
	}
	// The roster may name users by username and the team channel by
	// "team/channel": the bot works with the server's ids.
	for i, s := range cfg.Staff {
		if cfg.Staff[i].User, err = adapter.UserID(ctx, s.User); err != nil {
			return err
		}
	}
	if cfg.Reminders.TeamChannel, err = adapter.ChannelID(ctx, cfg.Reminders.TeamChannel); err != nil {
		return fmt.Errorf("reminders.team_channel: the yearly drill is posted there: %w", err)
	}
	for i, c := range cfg.Crisis.BroadcastChannels {
		if cfg.Crisis.BroadcastChannels[i], err = adapter.ChannelID(ctx, c); err != nil {
			return err
		}
	}
	b, closeBot, err := wireBot(ctx, cfg, clock, store, adapter, "mattermost", deliveryChecker(store, adapter.Delivered), log)
	if err != nil {
		return err
	}
	defer closeBot()
	return adapter.Run(ctx, b)
}

// deliveryChecker looks a reminder delivery interrupted by a crash up on
// the chat platform before it is sent again. The key names its reminder
// ("<id>#<n>", Reminder.Key).
func deliveryChecker(store *storage.Store, delivered func(ctx context.Context, channel, user, key string) (bool, error)) reminders.DeliveryChecker {
	return func(ctx context.Context, key string) (bool, error) {
		id, _, _ := strings.Cut(key, "#")
		r, err := store.Reminder(ctx, id)
		if err != nil {
			return false, err
		}
		return delivered(ctx, r.Channel, r.User, key)
	}
}

// actionSecret is the key that signs the Mattermost buttons: made once and
// kept in the encrypted store, so buttons posted before a restart still
// work after it.
func actionSecret(ctx context.Context, store *storage.Store, log *slog.Logger) ([]byte, error) {
	const key = "mattermost.action-secret"
	v, err := store.Setting(ctx, key)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return nil, fmt.Errorf("read the button signing secret: %w", err)
	}
	if secret, err := hex.DecodeString(v); err == nil && len(secret) >= 32 {
		return secret, nil
	} else if v != "" {
		log.Warn("the stored button signing secret is unreadable; a new one is made, so buttons posted before stop working")
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("make the button signing secret: %w", err)
	}
	if err := store.SetSetting(ctx, key, hex.EncodeToString(secret)); err != nil {
		return nil, fmt.Errorf("keep the button signing secret: %w", err)
	}
	return secret, nil
}

// wireBot wires the bot to its sender, the store and the reminder
// dispatcher (whose deliveries the bot renders), arms the reminders and the
// draft sweep. Every adapter starts the bot through it; close stops the
// dispatcher.
func wireBot(ctx context.Context, cfg config.Config, clock clockwork.Clock, store *storage.Store, sender bot.Sender, platform string,
	checker reminders.DeliveryChecker, log *slog.Logger) (_ *bot.Bot, close func(), err error) {
	roster, err := cfg.Roster()
	if err != nil {
		return nil, nil, err
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, nil, err
	}
	hours, err := cfg.Reminders.WorkingHoursParsed()
	if err != nil {
		return nil, nil, err
	}
	drill, err := reminders.ParseDrillDate(cfg.Reminders.DrillDate)
	if err != nil {
		return nil, nil, err
	}
	var b *bot.Bot // the dispatcher delivers through the bot, which schedules through the dispatcher
	dispatcher, err := reminders.New(reminders.Options{Store: store, Clock: clock, Location: loc, Hours: hours, Drill: drill, Logger: log,
		Checker: checker,
		Deliver: func(ctx context.Context, r reminders.Reminder, key string, late bool) (bool, error) {
			return b.DeliverReminder(ctx, r, key, late)
		}})
	if err != nil {
		return nil, nil, err
	}
	b, err = bot.New(bot.Options{Roster: roster, Store: store, Sender: sender, Location: loc, Clock: clock,
		Organisation: cfg.Organisation, DraftMaxAge: cfg.DraftMaxAge(), Logger: log, Lang: workflows.ParseLang(cfg.Language),
		Crisis:    bot.CrisisOptions{Hotline: cfg.Crisis.Hotline, SMS: cfg.Crisis.SMS, Broadcast: cfg.Crisis.BroadcastChannels},
		Reminders: dispatcher,
		Reminder: bot.ReminderOptions{TeamChannel: cfg.Reminders.TeamChannel, Drill: drill,
			NudgeAfter: time.Duration(cfg.Reminders.NudgeAfterHours) * time.Hour},
		Audit: store, Platform: platform})
	if err != nil {
		return nil, nil, err
	}
	if err := dispatcher.Start(ctx); err != nil {
		return nil, nil, err
	}
	closeDispatcher := func() {
		if err := dispatcher.Close(); err != nil {
			log.Error("stop the reminder dispatcher", "err", err)
		}
	}
	if err := b.StartReminders(ctx); err != nil {
		closeDispatcher()
		return nil, nil, err
	}
	if err := dispatcher.Every(15*time.Minute, "sweep drafts", b.SweepDrafts); err != nil {
		closeDispatcher()
		return nil, nil, err
	}
	stopUpkeep, err := scheduleUpkeep(ctx, cfg, clock, store, dispatcher, log)
	if err != nil {
		closeDispatcher()
		return nil, nil, err
	}
	return b, func() { stopUpkeep(); closeDispatcher() }, nil
}

// runExport is `beredskab export`: the visits as JSON or as one CSV table.
func runExport(args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	return subcommand("export", args, stderr, func(fs *flag.FlagSet) func(common) error {
		format := fs.String("format", "json", "json, csv or xlsx (xlsx needs -o)")
		table := fs.String("table", export.TableVisits, "with csv: visits or persons")
		from := fs.String("from", "", "first visit date, YYYY-MM-DD (default: the first)")
		to := fs.String("to", "", "last visit date, YYYY-MM-DD (default: the last)")
		out := fs.String("o", "", "write to this file instead of standard output")
		return func(c common) error { return exportVisits(c, *format, *table, *from, *to, *out, stdout, stderr, log) }
	})
}

func exportVisits(c common, format, table, from, to, outPath string, stdout, stderr io.Writer, log *slog.Logger) (err error) {
	ctx := context.Background()
	cfg, err := c.load()
	if err != nil {
		return err
	}
	switch {
	case format != "json" && format != "csv" && format != "xlsx":
		return fmt.Errorf("unknown format %q (want json, csv or xlsx)", format)
	case format == "xlsx" && outPath == "":
		return fmt.Errorf("an Excel file is written to a file: add -o FILE.xlsx")
	}
	store, err := openStore(ctx, cfg, false, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	w := stdout
	var tmp *os.File
	if outPath != "" {
		// A new file, mode 0600 (health data), renamed into place when
		// complete: a failed export leaves no partial file behind.
		tmp, err = os.CreateTemp(filepath.Dir(outPath), ".export-*")
		if err != nil {
			return fmt.Errorf("create export file: %w", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		w = tmp
	}
	reg := workflows.NewRegistration()
	if format == "json" {
		err = export.JSON(w, reg, store.Visits(ctx, from, to))
	} else if format == "xlsx" {
		err = export.XLSX(w, reg, store.Visits(ctx, from, to))
	} else {
		err = export.CSV(w, reg, table, store.Visits(ctx, from, to))
	}
	if err != nil {
		return err
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("close export file: %w", err)
		}
		if err := os.Rename(tmp.Name(), outPath); err != nil {
			return fmt.Errorf("write export file: %w", err)
		}
	}
	log.Info("export written", "format", format, "table", table)
	return auditOperator(ctx, store, clockwork.NewRealClock(), "export", exportObject(from, to), format)
}

// runCrisisReport is `beredskab crisis-report [ID]`: the Markdown report of
// a crisis run, the latest when no id is given.
func runCrisisReport(args []string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) int {
	return subcommand("crisis-report", args, stderr, func(fs *flag.FlagSet) func(common) error {
		lang := fs.String("lang", "", "language of the report: da or en (default from config)")
		return func(c common) error { return crisisReport(c, fs.Arg(0), *lang, stdout, stderr, log, clock) }
	})
}

func crisisReport(c common, id, lang string, stdout, stderr io.Writer, log *slog.Logger, clock clockwork.Clock) (err error) {
	ctx := context.Background()
	cfg, loc, store, err := openForOperator(ctx, c, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	roster, err := cfg.Roster()
	if err != nil {
		return err
	}
	if lang == "" {
		lang = cfg.Language
	}
	var run workflows.CrisisRun
	if id == "" {
		run, err = store.CurrentCrisis(ctx)
	} else {
		run, err = store.Crisis(ctx, id)
	}
	if err != nil {
		return err
	}
	report, err := bot.CrisisReport(ctx, store, run, workflows.ParseLang(lang), roster.Name, loc)
	if err != nil {
		return err
	}
	if err := store.Append(ctx, bot.AuditEntry{At: clock.Now(), Who: operator, Platform: "cli", Action: "crisis.report", Object: run.ID}); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, report)
	return err
}

// runReminders is `beredskab reminders`: the pending reminders for
// operators (due time, kind, target; never a reminder's text).
func runReminders(args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	return subcommand("reminders", args, stderr, func(*flag.FlagSet) func(common) error {
		return func(c common) error { return listReminders(c, stdout, stderr, log) }
	})
}

func listReminders(c common, stdout, stderr io.Writer, log *slog.Logger) (err error) {
	ctx := context.Background()
	_, loc, store, err := openForOperator(ctx, c, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	pending, err := reminders.PendingIn(ctx, store)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tDUE\tKIND\tTARGET\tSTATE")
	for _, r := range pending {
		target := "user:" + r.User
		if r.User == "" {
			target = "channel:" + r.Channel
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Due.In(loc).Format("2006-01-02 15:04 MST"), r.Kind, target, r.State)
	}
	return w.Flush()
}

// openForOperator opens the records for a command-line subcommand: the
// configuration with the flags over it, the team's time zone, and the store
// (whose key must exist: an operator command never makes a new one).
func openForOperator(ctx context.Context, c common, log *slog.Logger, stderr io.Writer) (config.Config, *time.Location, *storage.Store, error) {
	cfg, err := c.load()
	if err != nil {
		return cfg, nil, nil, err
	}
	loc, err := cfg.Location()
	if err != nil {
		return cfg, nil, nil, err
	}
	store, err := openStore(ctx, cfg, false, log, stderr)
	return cfg, loc, store, err
}

// errUsage marks a subcommand called with the wrong arguments: the message
// says the right use, and the exit code is 2.
var errUsage = errors.New("usage")

// subcommand is the one shape of every command-line subcommand: define adds
// its flags to the shared ones and returns what runs after parsing. Exit
// code 0, 1 with the error on stderr, or 2 for wrong flags or arguments.
func subcommand(name string, args []string, stderr io.Writer, define func(fs *flag.FlagSet) func(common) error) int {
	fs := flag.NewFlagSet("beredskab "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	run := define(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := run(c); err != nil {
		fmt.Fprintln(stderr, "beredskab "+name+":", err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// closeStore closes the store and keeps its error (Badger flushes on close)
// unless an earlier one is being returned.
func closeStore(s *storage.Store, err *error) {
	if cerr := s.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}
