package upkeep

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"beredskab/bot"
)

// rosterKey keeps the roster as last seen: "user=role" lines.
const rosterKey = "upkeep/roster"

// AuditRoster compares the roster (chat user id → role, from the
// configuration) with the one the bot last started with and, when it
// changed, appends a "roster" audit entry naming the users added, removed
// or given another role. The roster lives in the configuration file, so a
// change shows at the first start after it. Staff user ids and roles are
// not person data of the people met.
func AuditRoster(ctx context.Context, settings Settings, audit bot.AuditLog, clock Clock, platform string, roster map[string]string) error {
	var now []string
	for _, u := range slices.Sorted(maps.Keys(roster)) {
		now = append(now, u+"="+roster[u])
	}
	cur := strings.Join(now, "\n")
	last, err := settings.Setting(ctx, rosterKey)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("audit roster: %w", err)
	}
	if err == nil && last == cur {
		return nil
	}
	before := map[string]string{}
	for _, line := range strings.Split(last, "\n") {
		if u, role, ok := strings.Cut(line, "="); ok {
			before[u] = role
		}
	}
	var added, removed, changed []string
	for _, u := range slices.Sorted(maps.Keys(roster)) {
		switch old, ok := before[u]; {
		case !ok:
			added = append(added, u+" ("+roster[u]+")")
		case old != roster[u]:
			changed = append(changed, u+" ("+old+" → "+roster[u]+")")
		}
	}
	for _, u := range slices.Sorted(maps.Keys(before)) {
		if _, ok := roster[u]; !ok {
			removed = append(removed, u)
		}
	}
	parts := []string{fmt.Sprintf("%d staff", len(roster))}
	for _, p := range []struct {
		name string
		list []string
	}{{"added", added}, {"removed", removed}, {"role changed", changed}} {
		if len(p.list) > 0 {
			parts = append(parts, p.name+" "+strings.Join(p.list, ", "))
		}
	}
	if audit != nil {
		if err := audit.Append(ctx, bot.AuditEntry{At: clock.Now(), Who: system, Platform: platform, Action: "roster",
			Detail: strings.Join(parts, "; ")}); err != nil {
			return fmt.Errorf("audit roster: %w", err)
		}
	}
	if err := settings.SetSetting(ctx, rosterKey, cur); err != nil {
		return fmt.Errorf("audit roster: %w", err)
	}
	return nil
}
