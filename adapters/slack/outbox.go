package slack

import (
	"errors"
	"time"

	slackapi "github.com/slack-go/slack"

	"beredskab/adapters/internal/chat"
)

// Clock is the time the outgoing queue paces and waits by. The real one is
// clockwork's; tests pass one that jumps ahead instead of sleeping.
type Clock = chat.Clock

// retry says which failed Web API calls are tried again: a 429 after its
// Retry-After, a network failure, a 5xx, or a Slack error that says it was
// Slack's fault, after the next backoff step.
func retry(err error) (time.Duration, bool) {
	var limited *slackapi.RateLimitedError
	if errors.As(err, &limited) {
		return max(limited.RetryAfter, time.Second), true
	}
	return 0, retryable(err)
}

// retryable reports whether a failed call may succeed if tried again.
func retryable(err error) bool {
	var r interface{ Retryable() bool }
	if errors.As(err, &r) && r.Retryable() {
		return true
	}
	if chat.NetworkFailure(err) {
		return true
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true
		}
	}
	return false
}
