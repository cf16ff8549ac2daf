package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"beredskab/adapters/internal/chat"
)

// slashCommand is one custom slash command the bot registers. Triggers are
// plain ASCII and none that Mattermost owns (it has its own /help).
type slashCommand struct {
	trigger, hint, description string
}

// slashCommands are the bot's commands in Danish and English; each does
// what typing its text in the direct channel does.
var slashCommands = []slashCommand{
	{"visit", "[follow-up 2026-0042]", "Register a visit (forms 1 and 2) in your DM with the bot"},
	{"besog", "[opfølgning 2026-0042]", "Registrér et besøg (Skema 1 og 2) i din DM med botten"},
	{"visits", "[2026-0042]", "Your recent visits; change one"},
	{"besogsliste", "[2026-0042]", "Dine seneste besøg; ret et"},
	{"crisis", "start <disease> | status | check <n> | assign <n> <initials> | note <n> <text> | report | end", "The crisis plan as a checklist"},
	{"krise", "start <sygdom> | status | check <n> | tildel <n> <initialer> | note <n> <tekst> | rapport | afslut", "Beredskabsplanen som tjekliste"},
	{"reminder", "<when> <text>, e.g. tomorrow 9:00 call the clinic", "Remind me"},
	{"paamind", "<hvornår> <tekst>, fx i morgen kl 9 ring til klinikken", "Påmind mig"},
	{"reminders", "[cancel <n>]", "Your reminders / dine påmindelser"},
	{"drill", "status | done", "The yearly review of the crisis plan"},
	{"ovelse", "status | udført", "Den årlige gennemgang af beredskabsplanen"},
	{"report", "[year | from to], e.g. 2026", "Statistics of a year or of months (coordinators)"},
	{"rapport", "[år | fra til], fx 2026", "Statistik for et år eller for måneder (koordinatorer)"},
	{"export", "[year], e.g. 2026", "The visits as an Excel file in your DM (coordinators)"},
	{"eksport", "[år], fx 2026", "Besøgene som Excel-fil i din DM (koordinatorer)"},
	{"hjaelp", "", "Hvad botten kan / what the bot can do"},
}

// registerCommands creates the bot's slash commands in each of its teams,
// or updates the ones it made before, pointing them at the listener, and
// keeps their tokens to check the server's requests against.
func (a *Adapter) registerCommands(ctx context.Context) error {
	teams, err := a.teams(ctx)
	if err != nil {
		return err
	}
	if len(teams) == 0 {
		a.log.Warn("the bot is in no team: no slash commands registered (add the bot to the team)")
	}
	tokens := map[string]string{}
	for _, team := range teams {
		var existing []*model.Command
		err := a.call(ctx, "commands", "list commands", func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			existing, resp, err = a.api.ListCommands(ctx, team.Id, true)
			return resp, err
		})
		if err != nil {
			return fmt.Errorf("list the slash commands of team %s: %w", team.Name, err)
		}
		byTrigger := map[string]*model.Command{}
		for _, c := range existing {
			if c.DeleteAt == 0 {
				byTrigger[c.Trigger] = c
			}
		}
		for _, sc := range slashCommands {
			want := &model.Command{TeamId: team.Id, Trigger: sc.trigger, Method: model.CommandMethodPost,
				URL: a.opt.PublicURL + PathCommand, DisplayName: "beredskab /" + sc.trigger,
				Description: sc.description, AutoComplete: true, AutoCompleteHint: sc.hint, AutoCompleteDesc: sc.description}
			cmd, err := a.putCommand(ctx, team, want, byTrigger[sc.trigger])
			if err != nil {
				return err
			}
			tokens[team.Id+"/"+sc.trigger] = cmd.Token
		}
	}
	a.mu.Lock()
	a.tokens = tokens
	a.mu.Unlock()
	a.log.Info("mattermost slash commands registered", "teams", len(teams), "commands", len(slashCommands))
	return nil
}

// putCommand creates want, or updates have into it when it differs.
func (a *Adapter) putCommand(ctx context.Context, team *model.Team, want, have *model.Command) (*model.Command, error) {
	if have != nil && have.CreatorId != a.Me().Id {
		return nil, fmt.Errorf("team %s already has a /%s that the bot did not make: remove it or rename it", team.Name, want.Trigger)
	}
	if have != nil && have.URL == want.URL && have.Method == want.Method && have.AutoCompleteHint == want.AutoCompleteHint &&
		have.Description == want.Description && have.AutoComplete {
		return have, nil
	}
	var got *model.Command
	what := "create command"
	if have != nil {
		what = "update command"
		want.Id, want.Token, want.CreatorId = have.Id, have.Token, have.CreatorId
	}
	err := a.call(ctx, "commands", what, func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		if have != nil {
			got, resp, err = a.api.UpdateCommand(ctx, want)
		} else {
			got, resp, err = a.api.CreateCommand(ctx, want)
		}
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s /%s in team %s (the bot needs the permission to manage slash commands): %w", what, want.Trigger, team.Name, err)
	}
	return got, nil
}

// teams are the teams to register in: the ones named, or all the bot's.
func (a *Adapter) teams(ctx context.Context) ([]*model.Team, error) {
	if len(a.opt.Teams) == 0 {
		var teams []*model.Team
		err := a.call(ctx, "teams", "list teams", func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			teams, resp, err = a.api.GetTeamsForUser(ctx, a.Me().Id, "")
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list the bot's teams: %w", err)
		}
		return teams, nil
	}
	var out []*model.Team
	for _, name := range a.opt.Teams {
		var t *model.Team
		err := a.call(ctx, "teams", "get team", func(ctx context.Context) (*model.Response, error) {
			var resp *model.Response
			var err error
			t, resp, err = a.api.GetTeamByName(ctx, strings.TrimSpace(name), "")
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("find team %q: %w", name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// commandToken is the token the server gave the command trigger in team.
func (a *Adapter) commandToken(team, trigger string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.tokens[team+"/"+trigger]
	return t, ok
}

// slashKey is the context key of the slash command being answered.
type slashKey struct{}

// slashContext is what the bot may answer a slash command through.
type slashContext struct {
	channel, responseURL string
}

// respond posts text to a slash command's response URL, shown to its user
// alone.
func (a *Adapter) respond(ctx context.Context, channel, responseURL, text string) error {
	// The URL comes with the command's authenticated request; it is built
	// from the server's SiteURL, which may differ from MATTERMOST_URL.
	if u, err := url.Parse(responseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Path, "/hooks/commands/") {
		return fmt.Errorf("response URL %q is not a command hook", responseURL)
	}
	body, _ := json.Marshal(model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: chat.Cut(text, maxMessage), SkipSlackParsing: true})
	return a.out.Do(ctx, channel, "post to response URL", func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := a.opt.HTTPClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		if resp.StatusCode >= 300 {
			return &statusError{status: resp.StatusCode, wait: time.Second, err: fmt.Errorf("response URL answered %s", resp.Status)}
		}
		return nil
	})
}
