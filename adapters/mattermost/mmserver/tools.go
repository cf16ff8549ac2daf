//go:build mmserver

// Package mmserver pins the Mattermost server that the real-server test of
// adapters/mattermost builds and runs. It is a module of its own so the bot's
// go.mod stays small; nothing here is part of the bot.
package mmserver

import _ "github.com/mattermost/mattermost/server/v8/cmd/mattermost"
