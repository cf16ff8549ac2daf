package bot

import (
	"fmt"
	"strings"

	"beredskab/workflows"
)

// Role says what a staff member may do.
type Role string

// The roles of the roster, from least to most rights.
const (
	Midwife     Role = "midwife"
	Coordinator Role = "coordinator"
	Admin       Role = "admin"
)

// ParseRole reads a role from the config.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case Midwife, Coordinator, Admin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want midwife, coordinator or admin)", s)
}

// Staff is one person on the roster: who a chat user is to the service.
type Staff struct {
	User         string
	Initials     string
	Organisation string
	Lang         workflows.Lang
	Role         Role
}

// Roster maps chat users to staff. Anyone not on it is refused politely and
// gets nothing else.
type Roster struct {
	byUser map[string]Staff
}

// NewRoster indexes staff by their chat user id and refuses duplicates.
func NewRoster(staff []Staff) (Roster, error) {
	r := Roster{byUser: make(map[string]Staff, len(staff))}
	initials := map[string]string{}
	for _, s := range staff {
		if in := strings.ToUpper(s.Initials); in != "" {
			if other, dup := initials[in]; dup {
				return Roster{}, fmt.Errorf("users %q and %q have the same initials %q", other, s.User, s.Initials)
			}
			initials[in] = s.User
		}
		if s.User == "" {
			return Roster{}, fmt.Errorf("roster entry %q has no user", s.Initials)
		}
		if _, dup := r.byUser[s.User]; dup {
			return Roster{}, fmt.Errorf("user %q is on the roster twice", s.User)
		}
		r.byUser[s.User] = s
	}
	return r, nil
}

// Lookup finds the staff member behind a chat user.
func (r Roster) Lookup(user string) (Staff, bool) {
	s, ok := r.byUser[user]
	return s, ok
}

// Find looks a staff member up by chat user id or by initials (any case),
// as typed in "/crisis assign 3 MK".
func (r Roster) Find(name string) (Staff, bool) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "@")
	if s, ok := r.byUser[name]; ok {
		return s, true
	}
	for _, s := range r.byUser {
		if s.Initials != "" && strings.EqualFold(s.Initials, name) {
			return s, true
		}
	}
	return Staff{}, false
}

// Name is what the team calls a user in shared messages: the initials, or
// the user id when there are none. Initials are no person data of the
// people met; they name staff.
func (r Roster) Name(user string) string {
	if s, ok := r.byUser[user]; ok && s.Initials != "" {
		return s.Initials
	}
	if user == "" {
		return "–"
	}
	return user
}
