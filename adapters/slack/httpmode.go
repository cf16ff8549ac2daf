package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds a request Slack sends; theirs are a few kilobytes.
const maxBody = 1 << 20

// Paths of HTTP mode, as the manifest names them for Slack.
const (
	PathEvents      = "/slack/events"
	PathCommands    = "/slack/commands"
	PathInteraction = "/slack/interactivity"
)

// serveHTTP is HTTP mode: the bot's own listener for the Events API, the
// slash commands and the interactivity of its buttons.
func (a *Adapter) serveHTTP(ctx context.Context, in *inbox) error {
	srv := &http.Server{Addr: a.opt.Listen, Handler: a.httpHandler(in), ReadHeaderTimeout: 10 * time.Second}
	failed := make(chan error, 1)
	go func() { failed <- srv.ListenAndServe() }()
	a.log.Info("slack HTTP mode listening", "addr", a.opt.Listen)
	select {
	case err := <-failed:
		return fmt.Errorf("slack HTTP mode listener: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("stop slack HTTP listener: %w", err)
	}
	return nil
}

// httpHandler answers Slack's requests: each one is verified against the
// signing secret (401 and nothing else when it fails), queued and answered
// 200 at once; the work answers later through the Web API.
func (a *Adapter) httpHandler(in *inbox) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathEvents, a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		e, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			// An event of a kind slack-go does not know: acknowledged, so
			// Slack does not retry what the bot cannot use.
			a.log.Warn("unreadable slack event", "err", err)
			return
		}
		switch e.Type {
		case slackevents.URLVerification:
			if v, ok := e.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(slackevents.ChallengeResponse{Challenge: v.Challenge})
			}
		case slackevents.CallbackEvent:
			cb, _ := e.Data.(*slackevents.EventsAPICallbackEvent)
			if n := r.Header.Get("X-Slack-Retry-Num"); n != "" && cb != nil {
				a.log.Info("slack retried an event", "event", cb.EventID, "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
			}
			if cb != nil {
				in.event(cb.EventID, e.InnerEvent.Data)
			}
		}
	}))
	mux.HandleFunc("POST "+PathCommands, a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		cmd, err := slackapi.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "bad slash command", http.StatusBadRequest)
			return
		}
		in.slash(cmd)
	}))
	mux.HandleFunc("POST "+PathInteraction, a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		ic, err := slackapi.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, "bad interaction", http.StatusBadRequest)
			return
		}
		in.interaction(ic)
	}))
	return mux
}

// verified reads the body, checks its signature and timestamp
// (slack.NewSecretsVerifier: v0 HMAC-SHA256, at most five minutes off) and
// only then calls next, with the body and a request whose body can be read
// again.
func (a *Adapter) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slackapi.NewSecretsVerifier(r.Header, a.opt.SigningSecret)
		if err == nil {
			_, err = sv.Write(body)
		}
		if err == nil {
			err = sv.Ensure()
		}
		if err != nil {
			reason := "bad signature"
			if errors.Is(err, slackapi.ErrExpiredTimestamp) {
				reason = "stale timestamp"
			}
			a.log.Warn("slack request refused", "path", r.URL.Path, "reason", reason)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	}
}
