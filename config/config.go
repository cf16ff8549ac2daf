// Package config reads beredskab's configuration: a TOML file, or the one
// embedded in the program so that `go run .` works with no file at all.
package config

import (
	_ "embed"
	"fmt"
	"os"
	"time"

	"github.com/BurntSushi/toml"

	"beredskab/bot"
	"beredskab/reminders"
	"beredskab/workflows"
)

//go:embed default.toml
var defaultTOML string

// Config is the whole configuration.
type Config struct {
	Language        string     `toml:"language"`
	TimeZone        string     `toml:"timezone"`
	Organisation    string     `toml:"organisation"`
	DataDir         string     `toml:"data_dir"`
	KeyFile         string     `toml:"key_file"`
	DraftMaxAgeDays int        `toml:"draft_max_age_days"`
	Console         Console    `toml:"console"`
	Crisis          Crisis     `toml:"crisis"`
	Reminders       Reminders  `toml:"reminders"`
	Slack           Slack      `toml:"slack"`
	Mattermost      Mattermost `toml:"mattermost"`
	Retention       Retention  `toml:"retention"`
	Backup          Backup     `toml:"backup"`
	Staff           []Staff    `toml:"staff"`
}

// Slack configures the Slack adapter (started with -adapter slack). The
// tokens are secrets and come from the environment only: SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN (Socket Mode), SLACK_SIGNING_SECRET (HTTP mode).
type Slack struct {
	// Mode is "socket" (no public URL needed) or "http".
	Mode string `toml:"mode"`
	// Listen is HTTP mode's listener address.
	Listen string `toml:"listen"`
}

// Mattermost configures the Mattermost adapter (started with -adapter
// mattermost). The server's address and the bot's token come from the
// environment: MATTERMOST_URL, MATTERMOST_TOKEN.
type Mattermost struct {
	// Listen is the bot's listener for slash commands and button presses;
	// PublicURL is how the Mattermost server reaches it (default
	// http://127.0.0.1:<port>, for a bot next to the server).
	Listen    string `toml:"listen"`
	PublicURL string `toml:"public_url"`
	// Teams are the team names the slash commands are registered in
	// (default: every team the bot account is a member of).
	Teams []string `toml:"teams"`
}

// Retention configures how long person data is kept (see README,
// Retention): Skema 2 blocks and free-text notes of visits older than
// PersonDataYears are deleted daily; the monthly figures are kept.
type Retention struct {
	PersonDataYears int `toml:"person_data_years"`
}

// Backup configures the running bot's daily encrypted backup: into Folder
// (empty turns it off), keeping the newest Keep files.
type Backup struct {
	Folder string `toml:"folder"`
	Keep   int    `toml:"keep"`
}

// Console configures the console adapter.
type Console struct {
	User string `toml:"user"`
}

// Crisis configures the crisis commands.
type Crisis struct {
	// Hotline is the health authority's number in the SMS template.
	Hotline string `toml:"hotline"`
	// BroadcastChannels get a read-only copy of the checklist.
	BroadcastChannels []string `toml:"broadcast_channels"`
	// SMS adds SMS templates by language code; {disease} and {hotline} are
	// filled in.
	SMS map[string]string `toml:"sms"`
}

// Reminders configures delivery and the standing reminders.
type Reminders struct {
	// WorkingHours ("08:00-18:00") and WorkingDays ("mon".."fri") bound
	// when direct-message reminders reach a person.
	WorkingHours string   `toml:"working_hours"`
	WorkingDays  []string `toml:"working_days"`
	// DrillDate is the yearly drill ("09-25"); TeamChannel gets it.
	DrillDate   string `toml:"drill_date"`
	TeamChannel string `toml:"team_channel"`
	// NudgeAfterHours: an unfinished registration untouched this long gets
	// one nudge.
	NudgeAfterHours int `toml:"nudge_after_hours"`
}

// WorkingHoursParsed returns the working hours.
func (r Reminders) WorkingHoursParsed() (reminders.WorkingHours, error) {
	return reminders.ParseWorkingHours(r.WorkingHours, r.WorkingDays)
}

// Staff is one roster entry as written in the file.
type Staff struct {
	User         string `toml:"user"`
	Initials     string `toml:"initials"`
	Organisation string `toml:"organisation"`
	Language     string `toml:"language"`
	Role         string `toml:"role"`
}

// Default is the embedded configuration.
func Default() (Config, error) {
	return parse(defaultTOML, "embedded default")
}

// Load reads the file at path, or the embedded default when path is empty.
func Load(path string) (Config, error) {
	if path == "" {
		return Default()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return parse(string(b), path)
}

func parse(s, name string) (Config, error) {
	c := Config{Language: "da", TimeZone: "Europe/Copenhagen", DataDir: "data", DraftMaxAgeDays: 14,
		Reminders: Reminders{WorkingHours: "08:00-18:00", WorkingDays: []string{"mon", "tue", "wed", "thu", "fri"},
			DrillDate: "09-25", NudgeAfterHours: 4},
		Slack: Slack{Mode: "socket", Listen: ":3000"}, Mattermost: Mattermost{Listen: ":3001"}, Retention: Retention{PersonDataYears: 5}, Backup: Backup{Keep: 7}}
	md, err := toml.Decode(s, &c)
	if err != nil {
		return Config{}, fmt.Errorf("parse config %s: %w", name, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return Config{}, fmt.Errorf("parse config %s: unknown setting %q", name, undec[0].String())
	}
	if _, err := c.Location(); err != nil {
		return Config{}, err
	}
	if _, err := c.Roster(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	if _, err := c.Reminders.WorkingHoursParsed(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	if _, err := reminders.ParseDrillDate(c.Reminders.DrillDate); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	if c.Slack.Mode != "socket" && c.Slack.Mode != "http" {
		return Config{}, fmt.Errorf("config %s: slack mode %q: want socket or http", name, c.Slack.Mode)
	}
	if c.Retention.PersonDataYears < 1 {
		return Config{}, fmt.Errorf("config %s: retention person_data_years must be at least 1", name)
	}
	if c.Backup.Keep < 1 {
		return Config{}, fmt.Errorf("config %s: backup keep must be at least 1", name)
	}
	if c.DraftMaxAgeDays < 1 {
		return Config{}, fmt.Errorf("config %s: draft_max_age_days must be at least 1", name)
	}
	return c, nil
}

// Location is the team's time zone.
func (c Config) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("config timezone %q: %w", c.TimeZone, err)
	}
	return loc, nil
}

// DraftMaxAge is how long an unfinished registration is kept.
func (c Config) DraftMaxAge() time.Duration {
	return time.Duration(c.DraftMaxAgeDays) * 24 * time.Hour
}

// Roster builds the staff roster; a staff member without a language gets
// the configured one.
func (c Config) Roster() (bot.Roster, error) {
	staff := make([]bot.Staff, 0, len(c.Staff))
	for _, s := range c.Staff {
		role, err := bot.ParseRole(s.Role)
		if err != nil {
			return bot.Roster{}, fmt.Errorf("staff %q: %w", s.User, err)
		}
		lang := s.Language
		if lang == "" {
			lang = c.Language
		}
		staff = append(staff, bot.Staff{User: s.User, Initials: s.Initials, Organisation: s.Organisation,
			Lang: workflows.ParseLang(lang), Role: role})
	}
	return bot.NewRoster(staff)
}
