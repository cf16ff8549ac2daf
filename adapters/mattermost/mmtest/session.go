package mmtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Session is the staff's side of the conversations with the bot on a real
// server: it acts as members through the REST API as the web app would,
// and waits for the bot's posts.
type Session struct {
	T    testing.TB
	Team *Team
	// last is the create time of the last bot post waited for, per
	// channel: the next Expect waits for a newer one.
	last map[string]int64
}

// NewSession starts the staff's side of the conversations of team.
func NewSession(t testing.TB, team *Team) *Session {
	return &Session{T: t, Team: team, last: map[string]int64{}}
}

// Eventually waits up to a minute until ok, and fails the test with what
// was waited for (and the details) when it does not come.
func (s *Session) Eventually(what string, ok func() bool, detail ...func() string) {
	s.T.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			more := ""
			for _, d := range detail {
				more += "\n" + d()
			}
			s.T.Fatalf("timed out waiting until %s%s", what, more)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// DM is the member's direct channel with the bot.
func (s *Session) DM(m *Member) string {
	s.T.Helper()
	c, _, err := m.Client.CreateDirectChannel(context.Background(), m.User.Id, s.Team.Bot.UserId)
	if err != nil {
		s.T.Fatalf("open the DM with the bot: %v", err)
	}
	return c.Id
}

// Expect waits for a post of the bot in channel, newer than the last one
// waited for there, whose message contains want; it returns that post.
func (s *Session) Expect(m *Member, channel, want string) *model.Post {
	s.T.Helper()
	var found *model.Post
	var seen []string
	s.Eventually(fmt.Sprintf("the bot posts %q", want), func() bool {
		list, _, err := m.Client.GetPostsForChannel(context.Background(), channel, 0, 60, "", false, false)
		if err != nil {
			return false
		}
		seen = seen[:0]
		for i := len(list.Order) - 1; i >= 0; i-- {
			p := list.Posts[list.Order[i]]
			if p.UserId != s.Team.Bot.UserId || p.CreateAt <= s.last[channel] {
				continue
			}
			seen = append(seen, p.Message)
			if strings.Contains(p.Message, want) {
				found = p
				return true
			}
		}
		return false
	}, func() string { return "newer posts of the bot:\n" + strings.Join(seen, "\n---\n") })
	s.last[channel] = found.CreateAt
	return found
}

// Say posts text in channel as m.
func (s *Session) Say(m *Member, channel, text string) {
	s.T.Helper()
	if _, _, err := m.Client.CreatePost(context.Background(), &model.Post{ChannelId: channel, Message: text}); err != nil {
		s.T.Fatalf("post %q: %v", text, err)
	}
}

// Slash runs a slash command in channel as m, as the web app does (with
// the team it is looking at, which a direct channel does not have).
func (s *Session) Slash(m *Member, channel, command string) {
	s.T.Helper()
	if _, _, err := m.Client.ExecuteCommandWithTeam(context.Background(), channel, s.Team.Team.Id, command); err != nil {
		s.T.Fatalf("run %q: %v", command, err)
	}
}

// Press presses the button of p whose name contains label, as m: the
// server posts the press to the bot's listener.
func (s *Session) Press(m *Member, p *model.Post, label string) {
	s.T.Helper()
	for _, att := range p.Attachments() {
		for _, act := range att.Actions {
			if strings.Contains(act.Name, label) {
				if _, err := m.Client.DoPostAction(context.Background(), p.Id, act.Id); err != nil {
					s.T.Fatalf("press %q: %v", label, err)
				}
				return
			}
		}
	}
	s.T.Fatalf("no button %q on %q", label, p.Message)
}

// Post reads a post back from the server.
func (s *Session) Post(m *Member, id string) *model.Post {
	s.T.Helper()
	p, _, err := m.Client.GetPost(context.Background(), id, "")
	if err != nil {
		s.T.Fatalf("read post %s: %v", id, err)
	}
	return p
}

func HasButton(p *model.Post, name string) bool {
	for _, att := range p.Attachments() {
		for _, act := range att.Actions {
			if strings.Contains(act.Name, name) {
				return true
			}
		}
	}
	return false
}

// FindPost is the newest post of the bot in channel containing want.
func (s *Session) FindPost(m *Member, channel, want string) *model.Post {
	s.T.Helper()
	for _, p := range s.Posts(m, channel) {
		if p.UserId == s.Team.Bot.UserId && strings.Contains(p.Message, want) {
			return p
		}
	}
	s.T.Fatalf("no post %q", want)
	return nil
}

// Posts are the channel's latest posts, newest first.
func (s *Session) Posts(m *Member, channel string) []*model.Post {
	s.T.Helper()
	list, _, err := m.Client.GetPostsForChannel(context.Background(), channel, 0, 200, "", false, false)
	if err != nil {
		s.T.Fatalf("read posts: %v", err)
	}
	out := make([]*model.Post, len(list.Order))
	for i, id := range list.Order {
		out[i] = list.Posts[id]
	}
	return out
}
