package workflows

import "time"

// SchemaVersion is stamped on every stored draft and visit so that a later
// version of the bot can tell old records from new ones and migrate them.
const SchemaVersion = 1

// Lang is a UI language. Danish is the default; every text exists in both.
type Lang string

// The two languages every message exists in.
const (
	Danish  Lang = "da"
	English Lang = "en"
)

// ParseLang turns a configured or typed language into a Lang, Danish unless
// English is asked for.
func ParseLang(s string) Lang {
	switch s {
	case "en", "EN", "english", "English", "engelsk":
		return English
	}
	return Danish
}

// Answer is one accepted answer to one question. Exactly one of the value
// fields is used, by the question's type; Skipped marks an optional question
// the user passed over, so it is not asked again.
type Answer struct {
	Text    string   `json:"text,omitempty"`
	List    []string `json:"list,omitempty"`
	Number  *int     `json:"number,omitempty"`
	Skipped bool     `json:"skipped,omitempty"`
}

// Answers holds one form's answers by canonical field id.
type Answers map[string]Answer

// CrisisRef names the crisis that was active when a visit was registered;
// crisis questions mention its disease by name.
type CrisisRef struct {
	ID      string `json:"id"`
	Disease string `json:"disease"`
}

// Draft is an unfinished registration: everything the engine needs to ask
// the next question. It is stored after every accepted answer so that a
// killed process loses nothing the user was told was accepted.
type Draft struct {
	Schema  int        `json:"schema"`
	User    string     `json:"user"`
	Lang    Lang       `json:"lang"`
	Started time.Time  `json:"started"`
	Updated time.Time  `json:"updated"`
	Crisis  *CrisisRef `json:"crisis,omitempty"`
	// Visit holds Skema 1, Persons one Skema 2 block per person met.
	Visit   Answers   `json:"visit"`
	Persons []Answers `json:"persons,omitempty"`
	// History lists the questions answered, in order, so that "back" can
	// step over skipped ones to the one really asked before.
	History []Slot `json:"history,omitempty"`
	// Editing is the question being changed from the summary.
	Editing *Slot `json:"editing,omitempty"`
	// Pending is an answer waiting for the user to confirm it.
	Pending *Pending `json:"pending,omitempty"`
	// Mode is what the user is answering when it is not a form question.
	Mode Mode `json:"mode,omitempty"`
	// Offered are the values behind the numbered options last shown when
	// they are not the question's own choices (shortcuts, suggestions), so
	// that typing "1" picks the first.
	Offered []string `json:"offered,omitempty"`
	// Flags are reasons the finished visit should be followed up.
	Flags []string `json:"flags,omitempty"`
	// EditOf is the id of the saved visit this draft changes; empty for a
	// new registration.
	EditOf string `json:"edit_of,omitempty"`
}

// Slot addresses one question: a Skema 1 field (Person < 0) or a field of
// one person's Skema 2 block.
type Slot struct {
	Person int    `json:"person"`
	Field  string `json:"field"`
}

// Pending is an answer that needs a second "yes" before it is accepted,
// such as an age under 18.
type Pending struct {
	Slot   Slot   `json:"slot"`
	Answer Answer `json:"answer"`
	Kind   string `json:"kind"`
	// Companion is the companion answer given with it ("ca. 16").
	Companion *Answer `json:"companion,omitempty"`
}

// Mode says what the user is answering besides form questions.
type Mode string

// The modes a draft can be in.
const (
	Asking        Mode = ""
	Summary       Mode = "summary"
	ConfirmCancel Mode = "confirm_cancel"
)

// Visit is a finished, saved registration: Skema 1 and the Skema 2 blocks,
// by canonical field id, with the metadata an audit needs.
type Visit struct {
	Schema    int        `json:"schema"`
	ID        string     `json:"id"`
	Date      string     `json:"date"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	Crisis    *CrisisRef `json:"crisis,omitempty"`
	Flags     []string   `json:"flags,omitempty"`
	Fields    Answers    `json:"fields"`
	Persons   []Answers  `json:"persons,omitempty"`
	// Changes are the edits made after saving: old and new value, who, when.
	Changes []Change `json:"changes,omitempty"`
}

// Change is one answer changed after the visit was saved. Field is the
// canonical id, as "address" or "persons[2].age".
type Change struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	Field string    `json:"field"`
	Old   Answer    `json:"old"`
	New   Answer    `json:"new"`
}
