package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Phase is where a crisis run stands: active, then reopening (plan point
// 8), then ended with its evaluation.
type Phase string

// The phases of a crisis run.
const (
	PhaseActive    Phase = "active"
	PhaseReopening Phase = "reopening"
	PhaseEnded     Phase = "ended"
)

// ItemState is the state of one checklist item.
type ItemState string

// The states of a checklist item.
const (
	ItemOpen    ItemState = "open"
	ItemDone    ItemState = "done"
	ItemSkipped ItemState = "skipped"
)

// PlanItem is one point of a checklist as declared: its title, a one-line
// summary, and the annex it carries, if any.
type PlanItem struct {
	Title   Text
	Summary Text
	Annex   string
}

// The annexes of the plan that items carry.
const (
	AnnexSMS        = "sms"         // Bilag 1, point 1
	AnnexMealPacket = "meal_packet" // Bilag 2, point 4
)

// CrisisPlan is the eight-point plan of domain.md, posted as the checklist
// at /crisis start.
var CrisisPlan = []PlanItem{
	{Title: Text{"Udsend information om sundhedsmyndighedernes retningslinjer", "Send information about the health authorities' guidelines"},
		Summary: Text{"SMS til målgruppen med retningslinjer og kontakt til danske myndigheder (Bilag 1).", "SMS to the target group with the guidelines and how to reach Danish authorities (Annex 1)."},
		Annex:   AnnexSMS},
	{Title: Text{"Øget opmærksomhed på de mest sårbare", "Heightened attention to the most vulnerable"},
		Summary: Text{"Målret hjælpen til de mest udsatte, som tjenesten kender, først.", "Target help first to the most vulnerable people the service knows."}},
	{Title: Text{"Samarbejde med politi", "Cooperation with the police"},
		Summary: Text{"Tæt dialog; bagmænd kan øge presset under en krise – giv observationer videre.", "Close dialogue; traffickers may raise pressure during a crisis – pass observations on."}},
	{Title: Text{"Fysiske besøg på massageklinikker", "Physical visits to massage clinics"},
		Summary: Text{"Fortsæt hvor myndighederne tillader det; tilbyd mad (Bilag 2) og hjælp til medicin/recepter.", "Continue where the authorities allow; offer food (Annex 2) and help with medicine/prescriptions."},
		Annex:   AnnexMealPacket},
	{Title: Text{"Indsatser på internettet", "Efforts on the internet"},
		Summary: Text{"Screen sex-hjemmesider for potentielle ofre, især de mest sårbare.", "Screen sex websites for potential victims, especially the most vulnerable."}},
	{Title: Text{"Samarbejde med NGO'er", "Cooperation with NGOs"},
		Summary: Text{"Styrk koordineringen med AmiAmi og Reden International.", "Strengthen coordination with AmiAmi and Reden International."}},
	{Title: Text{"Sikkerheden for de ansatte", "Safety of the staff"},
		Summary: Text{"Følg sundhedsmyndighedernes retningslinjer mod smitte.", "Follow the health authorities' guidelines against infection."}},
	{Title: Text{"Genåbningen af samfundet", "Reopening of society"},
		Summary: Text{"Under og efter genåbningen: systematiske symptomspørgsmål i al opsøgende arbejde.", "During and after reopening: systematic symptom questions in all outreach."}},
}

// EvaluationChecklist is posted when a crisis ends: the plan is evaluated
// internally and with the police, NGOs and others, and then updated.
var EvaluationChecklist = []PlanItem{
	{Title: Text{"Intern evaluering", "Internal evaluation"},
		Summary: Text{"Evaluér indsatsen i CMM, så snart krisen er ovre eller dæmpet.", "Evaluate the effort within CMM as soon as the crisis is over or has calmed."}},
	{Title: Text{"Dialog med politi, NGO'er og andre aktører", "Dialogue with police, NGOs and other actors"},
		Summary: Text{"Saml erfaringer fra samarbejdspartnerne.", "Gather the partners' experience."}},
	{Title: Text{"Beredskabsplanen opdateret", "Crisis plan updated"},
		Summary: Text{"Ret planen, kontaktlisten og SMS-skabelonen efter evalueringen.", "Update the plan, the contact list and the SMS template after the evaluation."}},
}

// MealPacket is Bilag 2: what a meal package held during COVID-19.
var MealPacket = []Text{
	{"Baked beans", "Baked beans"}, {"Majs", "Corn"}, {"Te", "Tea"}, {"Flåede tomater", "Peeled tomatoes"},
	{"Løg", "Onions"}, {"Hvidløg", "Garlic"}, {"Juice", "Juice"}, {"Nudler", "Noodles"}, {"Makrel", "Mackerel"},
	{"Brød", "Bread"}, {"Ris", "Rice"}, {"Hygiejnebind", "Sanitary pads"},
}

// ChecklistItem is the live state of one item of a run's checklist.
type ChecklistItem struct {
	State     ItemState `json:"state"`
	Assignee  string    `json:"assignee,omitempty"`
	CheckedBy string    `json:"checked_by,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
	Notes     []Note    `json:"notes,omitempty"`
}

// Note is a remark on a checklist item.
type Note struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// TimelineEntry records one change of a run: who did what, when.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	Item   int       `json:"item,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Post is one chat message that shows a run's checklist, so that every
// change can edit it in place. ReadOnly posts are broadcast copies.
type Post struct {
	Channel  string `json:"channel"`
	ID       string `json:"id,omitempty"`
	ReadOnly bool   `json:"read_only,omitempty"`
}

// CrisisRun is one crisis from /crisis start to its evaluation: the plan's
// checklist, then the evaluation checklist, and the timeline of changes.
type CrisisRun struct {
	Schema     int             `json:"schema"`
	ID         string          `json:"id"`
	Disease    string          `json:"disease"`
	Phase      Phase           `json:"phase"`
	StartedBy  string          `json:"started_by"`
	Started    time.Time       `json:"started"`
	Reopened   time.Time       `json:"reopened,omitzero"`
	Ended      time.Time       `json:"ended,omitzero"`
	Items      []ChecklistItem `json:"items"`
	Evaluation []ChecklistItem `json:"evaluation,omitempty"`
	Timeline   []TimelineEntry `json:"timeline"`
	Posts      []Post          `json:"posts,omitempty"`
}

// Errors of checklist changes; the bot turns them into the command's use.
var (
	ErrNoSuchItem   = errors.New("no such checklist item")
	ErrWrongPhase   = errors.New("not possible in this phase")
	ErrEmptyNote    = errors.New("empty note")
	ErrEmptyDisease = errors.New("no disease named")
)

// NewCrisisRun starts a run of the plan for a disease.
func NewCrisisRun(id, disease, by string, now time.Time) (CrisisRun, error) {
	disease = strings.TrimSpace(disease)
	if disease == "" {
		return CrisisRun{}, ErrEmptyDisease
	}
	if r := []rune(disease); len(r) > 60 {
		disease = string(r[:60])
	}
	r := CrisisRun{Schema: SchemaVersion, ID: id, Disease: disease, Phase: PhaseActive, StartedBy: by, Started: now,
		Items: make([]ChecklistItem, len(CrisisPlan))}
	for i := range r.Items {
		r.Items[i].State = ItemOpen
	}
	r.log(now, by, "start", 0, disease)
	return r, nil
}

// Ref is what a visit registered during the run records.
func (r *CrisisRun) Ref() *CrisisRef { return &CrisisRef{ID: r.ID, Disease: r.Disease} }

// InForce reports whether the run puts the crisis questions in the forms:
// while active and through reopening.
func (r *CrisisRun) InForce() bool { return r.Phase == PhaseActive || r.Phase == PhaseReopening }

// Checklist returns the items commands act on and their declarations: the
// plan's until the run ends, then the evaluation's.
func (r *CrisisRun) Checklist() ([]ChecklistItem, []PlanItem) {
	if r.Phase == PhaseEnded {
		return r.Evaluation, EvaluationChecklist
	}
	return r.Items, CrisisPlan
}

func (r *CrisisRun) item(n int) (*ChecklistItem, error) {
	items, _ := r.Checklist()
	if n < 1 || n > len(items) {
		return nil, fmt.Errorf("%w: %d (1–%d)", ErrNoSuchItem, n, len(items))
	}
	return &items[n-1], nil
}

func (r *CrisisRun) log(now time.Time, by, action string, item int, detail string) {
	r.Timeline = append(r.Timeline, TimelineEntry{At: now, By: by, Action: action, Item: item, Detail: detail})
}

// SetState checks (done), skips or reopens (open) item n.
func (r *CrisisRun) SetState(n int, s ItemState, by string, now time.Time) error {
	it, err := r.item(n)
	if err != nil {
		return err
	}
	if it.State == s {
		return nil // checking a checked item keeps who checked it first
	}
	it.State = s
	if s == ItemOpen {
		it.CheckedBy, it.CheckedAt = "", time.Time{}
	} else {
		it.CheckedBy, it.CheckedAt = by, now
	}
	detail := ""
	if r.Phase == PhaseEnded {
		detail = "evaluation"
	}
	r.log(now, by, string(s), n, detail)
	return nil
}

// Assign gives item n to a staff member.
func (r *CrisisRun) Assign(n int, user, by string, now time.Time) error {
	it, err := r.item(n)
	if err != nil {
		return err
	}
	it.Assignee = user
	r.log(now, by, "assign", n, user)
	return nil
}

// AddNote adds a remark to item n.
func (r *CrisisRun) AddNote(n int, text, by string, now time.Time) error {
	it, err := r.item(n)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmptyNote
	}
	if rs := []rune(text); len(rs) > 500 {
		text = string(rs[:500])
	}
	it.Notes = append(it.Notes, Note{By: by, At: now, Text: text})
	r.log(now, by, "note", n, text)
	return nil
}

// Reopen moves an active crisis into the reopening phase (plan point 8).
func (r *CrisisRun) Reopen(by string, now time.Time) error {
	if r.Phase != PhaseActive {
		return ErrWrongPhase
	}
	r.Phase, r.Reopened = PhaseReopening, now
	r.log(now, by, "reopen", 0, "")
	return nil
}

// End closes the crisis and opens its evaluation checklist.
func (r *CrisisRun) End(by string, now time.Time) error {
	if !r.InForce() {
		return ErrWrongPhase
	}
	r.Phase, r.Ended = PhaseEnded, now
	r.Evaluation = make([]ChecklistItem, len(EvaluationChecklist))
	for i := range r.Evaluation {
		r.Evaluation[i].State = ItemOpen
	}
	r.log(now, by, "end", 0, "")
	return nil
}

// EvaluationDone reports whether the evaluation after the crisis is done:
// every item of its checklist done or skipped. Until then the coordinators
// are reminded.
func (r *CrisisRun) EvaluationDone() bool {
	if r.Phase != PhaseEnded {
		return false
	}
	for _, it := range r.Evaluation {
		if it.State == ItemOpen {
			return false
		}
	}
	return true
}
