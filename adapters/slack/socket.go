package slack

import (
	"context"
	"fmt"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// runSocket is Socket Mode: slack-go's client keeps the websocket open
// (and reconnects when Slack asks or the connection dies); every envelope
// is queued for work and acknowledged at once.
func (a *Adapter) runSocket(ctx context.Context, in *inbox) error {
	client := socketmode.New(a.api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-client.Events:
			a.socketEvent(ctx, client, in, evt)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, in *inbox, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack socket mode connected")
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack socket mode trouble; the client reconnects", "type", string(evt.Type), "err", fmt.Sprint(evt.Data))
		return
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack socket mode: the app-level token was refused")
		return
	case socketmode.EventTypeEventsAPI:
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			eventID := ""
			if cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent); ok {
				eventID = cb.EventID
			}
			in.event(eventID, e.InnerEvent.Data)
		}
	case socketmode.EventTypeSlashCommand:
		if cmd, ok := evt.Data.(slackapi.SlashCommand); ok {
			in.slash(cmd)
		}
	case socketmode.EventTypeInteractive:
		if ic, ok := evt.Data.(slackapi.InteractionCallback); ok {
			in.interaction(ic)
		}
	default:
		return
	}
	if evt.Request == nil {
		return
	}
	if evt.Request.RetryAttempt > 0 {
		a.log.Info("slack retried a delivery", "envelope", evt.Request.EnvelopeID, "attempt", evt.Request.RetryAttempt, "reason", evt.Request.RetryReason)
	}
	if err := client.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
		a.log.Error("acknowledge slack envelope", "envelope", evt.Request.EnvelopeID, "err", err)
	}
}
