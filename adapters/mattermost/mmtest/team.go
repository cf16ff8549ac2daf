package mmtest

import (
	"context"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

// Team is what Setup made on the server: an admin, a team with a channel,
// a midwife and a coordinator (each with a signed-in client), and a bot
// account with an access token.
type Team struct {
	Admin, Midwife, Coordinator *Member
	Team                        *model.Team
	Channel                     *model.Channel
	Bot                         *model.Bot
	BotToken                    string
}

// Member is a user and a client signed in as her.
type Member struct {
	User   *model.User
	Client *model.Client4
}

// Setup makes the team through the API as an operator would: the first
// user is the system admin; she makes the team, its channel, the staff and
// the bot account, and gives the bot a token.
func (s *Server) Setup(t testing.TB) *Team {
	t.Helper()
	ctx := context.Background()
	admin := s.member(t, "admin", "admin@example.org")
	check := func(what string, _ *model.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	team, resp, err := admin.Client.CreateTeam(ctx, &model.Team{Name: "cmm", DisplayName: "CMM", Type: model.TeamOpen})
	check("create team", resp, err)
	channel, resp, err := admin.Client.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "beredskab", DisplayName: "Beredskab", Type: model.ChannelTypeOpen})
	check("create channel", resp, err)
	midwife := s.member(t, "jordemoder", "midwife@example.org")
	coordinator := s.member(t, "koordinator", "coordinator@example.org")
	bot, resp, err := admin.Client.CreateBot(ctx, &model.Bot{Username: "beredskab", DisplayName: "beredskab", Description: "Beredskabsplanens bot"})
	check("create bot", resp, err)
	for _, id := range []string{midwife.User.Id, coordinator.User.Id, bot.UserId} {
		_, resp, err = admin.Client.AddTeamMember(ctx, team.Id, id)
		check("add team member", resp, err)
		_, resp, err = admin.Client.AddChannelMember(ctx, channel.Id, id)
		check("add channel member", resp, err)
	}
	// The bot registers its slash commands: a team admin may.
	resp, err = admin.Client.UpdateTeamMemberRoles(ctx, team.Id, bot.UserId, "team_user team_admin")
	check("make the bot a team admin", resp, err)
	token, resp, err := admin.Client.CreateUserAccessToken(ctx, bot.UserId, "beredskab")
	check("create bot token", resp, err)
	return &Team{Admin: admin, Midwife: midwife, Coordinator: coordinator, Team: team, Channel: channel, Bot: bot, BotToken: token.Token}
}

// member makes a user and signs her in.
func (s *Server) member(t testing.TB, name, email string) *Member {
	t.Helper()
	ctx := context.Background()
	c := model.NewAPIv4Client(s.URL)
	password := "Beredskab-test-" + name + "-1"
	u, _, err := c.CreateUser(ctx, &model.User{Username: name, Email: email, Password: password, EmailVerified: true})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	if _, _, err := c.Login(ctx, name, password); err != nil {
		t.Fatalf("sign in as %s: %v", name, err)
	}
	return &Member{User: u, Client: c}
}
