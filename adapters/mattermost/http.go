package mattermost

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// maxBody bounds a request the server sends; its are a few kilobytes.
const maxBody = 1 << 20

// serveHTTP is the bot's listener for the server's slash command requests
// and button presses, until ctx ends.
func (a *Adapter) serveHTTP(ctx context.Context, in *inbox) error {
	srv := &http.Server{Addr: a.opt.Listen, Handler: a.httpHandler(in), ReadHeaderTimeout: 10 * time.Second}
	failed := make(chan error, 1)
	go func() { failed <- srv.ListenAndServe() }()
	a.log.Info("mattermost listener up", "addr", a.opt.Listen, "public", a.opt.PublicURL)
	select {
	case err := <-failed:
		return fmt.Errorf("mattermost listener: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("stop mattermost listener: %w", err)
	}
	return nil
}

// httpHandler answers the server: each request is authenticated first (401
// and nothing else when it fails), queued, and answered at once; the work
// answers later through the API.
func (a *Adapter) httpHandler(in *inbox) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathCommand, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad slash command", http.StatusBadRequest)
			return
		}
		team, command := r.PostForm.Get("team_id"), r.PostForm.Get("command")
		trigger := strings.TrimPrefix(strings.ToLower(command), "/")
		want, known := a.commandToken(team, trigger)
		got := r.PostForm.Get("token")
		if h := r.Header.Get("Authorization"); got == "" && strings.HasPrefix(h, "Token ") {
			got = strings.TrimPrefix(h, "Token ")
		}
		if !known || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			a.log.Warn("mattermost command refused: wrong token", "command", command, "team", team)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		in.slash(r.PostForm.Get("user_id"), r.PostForm.Get("channel_id"), r.PostForm.Get("trigger_id"), r.PostForm.Get("response_url"),
			strings.TrimSpace(command+" "+r.PostForm.Get("text")))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"","skip_slack_parsing":true}`)
	})
	mux.HandleFunc("POST "+PathAction, func(w http.ResponseWriter, r *http.Request) {
		var req model.PostActionIntegrationRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
			http.Error(w, "bad action", http.StatusBadRequest)
			return
		}
		p, err := a.sign.verify(req.Context, req.UserId, req.ChannelId)
		if err != nil {
			reason := "forged"
			switch {
			case errors.Is(err, errStale):
				reason = "stale"
			case errors.Is(err, errWrong):
				reason = "wrong user or channel"
			}
			a.log.Warn("mattermost button press refused", "reason", reason, "user", req.UserId, "post", req.PostId)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		resp := a.pressed(r.Context(), in, req, p)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
	return mux
}

// pressed acts on a verified press and says how the pressed post changes:
// a question's post shows the answer instead of its buttons, a toggle shows
// the ticks, a checklist button leaves the post to the bot's own edit.
func (a *Adapter) pressed(ctx context.Context, in *inbox, req model.PostActionIntegrationRequest, p press) model.PostActionIntegrationResponse {
	var none model.PostActionIntegrationResponse
	switch {
	case p.User != "" && !a.stillAsked(p.User, req.PostId):
		// An earlier question's button: it must not answer the question
		// asked now. Its post loses its buttons.
		resp := a.updated(ctx, req.ChannelId, req.PostId, closedAttachment())
		resp.EphemeralText = "Det spørgsmål er ikke åbent længere – svar på det seneste. / That question is no longer open – answer the latest one."
		return resp
	case p.Kind == kindSelect && !offered(p):
		return none
	case p.Kind == kindToggle:
		if a.seen.Has("answered:"+req.PostId) || !a.seen.First("press:"+req.TriggerId) {
			return none
		}
		ticked := slices.Clone(p.Ticked)
		if p.Index < 0 || p.Index >= len(p.Options) {
			return none
		}
		v := p.Options[p.Index][0]
		if i := slices.Index(ticked, v); i >= 0 {
			ticked = slices.Delete(ticked, i, i+1)
		} else {
			ticked = append(ticked, v)
		}
		base := press{User: p.User, Channel: p.Channel}
		return a.updated(ctx, req.ChannelId, req.PostId, &model.MessageAttachment{Actions: a.toggles(base, p.Options, ticked)})
	case p.answersOnce():
		// One answer per question post: two quick taps, or a press
		// replayed, are dropped.
		if !a.seen.First("answered:" + req.PostId) {
			return none
		}
		value, label := p.Value, p.Label
		if p.Kind == kindNext {
			value, label = tickedAnswer(p)
		}
		if value == "" {
			return none
		}
		in.deliver(req.UserId, req.ChannelId, value)
		return a.updated(ctx, req.ChannelId, req.PostId, answered(label))
	case p.Kind == kindCommand:
		if !a.seen.First("press:" + req.TriggerId) {
			return none
		}
		in.deliver(req.UserId, req.ChannelId, p.Value)
	}
	return none
}

// offered reports whether a select's chosen value is one of its options
// (the server adds the value outside the signed context).
func offered(p press) bool {
	for _, o := range p.Options {
		if o[0] == p.Value {
			return true
		}
	}
	return false
}

// closedAttachment replaces the buttons of a question that is no longer
// open.
func closedAttachment() *model.MessageAttachment {
	return &model.MessageAttachment{Text: "→ _lukket / closed_"}
}

// tickedAnswer is what "next" sends: the ticked options' values in the
// options' order, joined with ", " as she would type them, or "ingen" when
// none is ticked.
func tickedAnswer(p press) (value, label string) {
	var values, labels []string
	for _, o := range p.Options {
		if slices.Contains(p.Ticked, o[0]) {
			values, labels = append(values, o[0]), append(labels, o[1])
		}
	}
	if len(values) == 0 {
		return noneWord, noneWord
	}
	return strings.Join(values, ", "), strings.Join(labels, ", ")
}

// updated is the response that gives the pressed post att in place of its
// attachments, keeping its message (read back from the server: the request
// does not carry it).
func (a *Adapter) updated(ctx context.Context, channel, postID string, att *model.MessageAttachment) model.PostActionIntegrationResponse {
	// The server waits for this answer: a server too slow to answer in
	// time leaves the post as it is (the press still counts).
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var post *model.Post
	err := a.call(ctx, channel, "get post", func(ctx context.Context) (*model.Response, error) {
		var resp *model.Response
		var err error
		post, resp, err = a.api.GetPost(ctx, postID, "")
		return resp, err
	})
	if err != nil {
		a.log.Error("read a pressed post", "post", postID, "err", err)
		return model.PostActionIntegrationResponse{}
	}
	update := &model.Post{Message: post.Message}
	model.ParseMessageAttachment(update, []*model.MessageAttachment{att})
	return model.PostActionIntegrationResponse{Update: update, SkipSlackParsing: true}
}
