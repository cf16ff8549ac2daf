package chat

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Directs remembers the bot's direct channel with each user, opened once
// through the platform: replies without a channel go there, and only there
// may person data be typed.
type Directs struct {
	// Open opens (or finds) the bot's direct channel with user.
	Open func(ctx context.Context, user string) (string, error)

	mu        sync.Mutex
	byUser    map[string]string
	byChannel map[string]string
}

// Know records that channel is the bot's direct channel with user (an
// event said so).
func (d *Directs) Know(user, channel string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byUser == nil {
		d.byUser, d.byChannel = map[string]string{}, map[string]string{}
	}
	d.byUser[user], d.byChannel[channel] = channel, user
}

// Channel is the bot's direct channel with user, opened the first time.
func (d *Directs) Channel(ctx context.Context, user string) (string, error) {
	d.mu.Lock()
	ch, ok := d.byUser[user]
	d.mu.Unlock()
	if ok {
		return ch, nil
	}
	ch, err := d.Open(ctx, user)
	if err != nil {
		return "", fmt.Errorf("open direct channel with %s: %w", user, err)
	}
	d.Know(user, ch)
	return ch, nil
}

// Target is the channel a reply goes to: its own, or its user's direct
// channel.
func (d *Directs) Target(ctx context.Context, channel, user string) (string, error) {
	if channel != "" {
		return channel, nil
	}
	if user == "" {
		return "", errors.New("a reply needs a channel or a user")
	}
	return d.Channel(ctx, user)
}

// IsWith reports whether channel is the bot's direct channel with user.
func (d *Directs) IsWith(ctx context.Context, channel, user string) (bool, error) {
	d.mu.Lock()
	known, ok := d.byChannel[channel]
	d.mu.Unlock()
	if ok {
		return known == user, nil
	}
	ch, err := d.Channel(ctx, user)
	if err != nil {
		return false, err
	}
	return ch == channel, nil
}
