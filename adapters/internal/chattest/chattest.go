// Package chattest holds what the chat adapters' tests share: the script
// of a two-person registration as a midwife drives it by buttons, ticks
// and typing, the burst of simultaneous requests their benchmarks time, a
// clock that jumps instead of sleeping, and a log read while it is
// written. Only tests import it.
package chattest

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// Step is one turn of a registration: the question expected in the direct
// conversation, and what she does: presses a button or picks from a
// drop-down (Choose), ticks options and presses next (Tick), or types
// (Type).
type Step struct {
	Expect string
	Do     Action
	Args   []string
}

// Action is what she does at a step.
type Action int

// The actions of a step.
const (
	Choose Action = iota
	Tick
	Type
)

// ChooseStep presses the button (or picks the option) labelled label.
func ChooseStep(expect, label string) Step { return Step{expect, Choose, []string{label}} }

// TickStep ticks the options labelled labels and presses next.
func TickStep(expect string, labels ...string) Step { return Step{expect, Tick, labels} }

// TypeStep types text.
func TypeStep(expect, text string) Step { return Step{expect, Type, []string{text}} }

// Registration is a whole two-person visit, from the date to "Gem", in
// Danish: Vestergade 12 in Aarhus yesterday, food and a referral, a Thai
// woman of about 34 and a Romanian woman of 25 met before.
func Registration() []Step {
	return []Step{
		ChooseStep("Dato for opsøgende indsats", "I går"),
		ChooseStep("Metode", "Fysisk besøg"),
		ChooseStep("Lokation", "Massageklinik"),
		TypeStep("Klinikkens adresse", "Vestergade 12, 8000 Aarhus C"),
		ChooseStep("Årsag til besøget", "Selvhenvender"),
		ChooseStep("Kontakt", "Kontakt"),
		TickStep("Indsats på stedet", "Aflevering af mad", "Henvisning til socialfaglig medarbejder"),
		TypeStep("antal pakker", "2"),
		TickStep("drøftet besøget"), // nothing ticked: none
		ChooseStep("bemærkninger", "Spring over"),
		// Person 1
		TypeStep("Person 1 · 1/10 Nationalitet", "thai"),
		ChooseStep("Køn", "Kvinde"),
		TypeStep("Alder", "ca. 34"),
		ChooseStep("Er personen mødt før?", "Nej"),
		ChooseStep("mistanke om menneskehandel", "Nej"),
		ChooseStep("ifølge personen selv", "Nej"),
		ChooseStep("Tydelige tegn", "Nej"),
		ChooseStep("escort?", "Nej"),
		ChooseStep("Escort ifølge annoncering", "Nej"),
		ChooseStep("person mere?", "Ja"),
		// Person 2
		TypeStep("Person 2 · 1/10 Nationalitet", "rumænien"),
		ChooseStep("Køn", "Kvinde"),
		TypeStep("Alder", "25"),
		ChooseStep("Er alderen skønnet?", "Nej"),
		ChooseStep("Er personen mødt før?", "Ja"),
		ChooseStep("mistanke om menneskehandel", "Nej"),
		ChooseStep("ifølge personen selv", "Nej"),
		ChooseStep("Tydelige tegn", "Nej"),
		ChooseStep("escort?", "Ved ikke"),
		ChooseStep("Escort ifølge annoncering", "Nej"),
		ChooseStep("person mere?", "Nej"),
		ChooseStep("Opsummering", "Gem"),
	}
}

// Burst sends every request at the same moment and returns how long each
// took to be answered; an answer other than 200 fails the benchmark.
func Burst(b testing.TB, client *http.Client, reqs []*http.Request) []time.Duration {
	lat := make([]time.Duration, 0, len(reqs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, req := range reqs {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			res, err := client.Do(req)
			d := time.Since(t0)
			if err != nil || res.StatusCode != http.StatusOK {
				b.Errorf("post: %v %v", res, err)
				return
			}
			res.Body.Close()
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return lat
}

// ReportLatency reports the 50th and 99th percentile of lat in
// milliseconds, and how many there were, instead of ns/op.
func ReportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat)), "acks")
	b.ReportMetric(0, "ns/op")
}
