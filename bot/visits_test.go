package bot_test

import (
	"errors"
	"testing"

	"beredskab/bot"
)

func TestVisitsCanBeChangedWithHistoryAndDeletedWithAReason(t *testing.T) {
	h := newHarness(t)
	for _, a := range []string{"/besøg", "i går", "1", "1", "Vestergade 12, Aarhus", "1", "1", "spring over", "spring over", "spring over",
		"TH", "1", "30", "nej", "nej", "nej", "nej", "nej", "nej", "nej", "nej", "nej"} {
		h.dm("mw", a)
	}
	mustContain(t, h.dm("mw", "gem"), "gemt som 2026-0001")

	mustContain(t, h.dm("mw", "/besøgsliste"), "2026-0001 – torsdag 3. december 2026, Vestergade 12, Aarhus (1)")
	mustContain(t, h.send(channelMsg("mw", "/visits 2026-0001")), "direkte samtale")       // person data only in the DM
	mustContain(t, h.dm("en", "/visits 2026-0001"), "no visit «2026-0001» you can change") // not hers
	mustContain(t, h.dm("mw", "/besøgsliste 2026-0001"), "Besøg 2026-0001", "6. Klinikkens adresse (gade, nr., by): Vestergade 12, Aarhus")
	mustContain(t, h.dm("mw", "6"), "Tidligere svar: Vestergade 12, Aarhus")
	h.dm("mw", "Vestergade 14, Aarhus")
	mustContain(t, h.dm("mw", "14"), "Alder")
	h.dm("mw", "31")
	mustContain(t, h.dm("mw", "gem"), "2026-0001 er rettet (2 ændring(er)")

	v, err := h.store.Visit(t.Context(), "2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	if v.Fields["address"].Text != "Vestergade 14, Aarhus" || *v.Persons[0]["age"].Number != 31 || len(v.Changes) != 2 {
		t.Fatalf("visit after the change: %+v changes %+v", v.Fields["address"], v.Changes)
	}
	c := v.Changes[0]
	if c.Field != "address" || c.Old.Text != "Vestergade 12, Aarhus" || c.New.Text != "Vestergade 14, Aarhus" || c.By != "mw" || c.At.IsZero() {
		t.Errorf("change: %+v", c)
	}
	if v.Changes[1].Field != "persons[1].age" || *v.Changes[1].Old.Number != 30 {
		t.Errorf("change: %+v", v.Changes[1])
	}

	// Abandoning a change leaves the visit as it was.
	h.dm("mw", "/besøgsliste 2026-0001")
	h.dm("mw", "afbryd")
	mustContain(t, h.dm("mw", "ja"), "det gemte besøg er uændret")

	mustContain(t, h.dm("mw", "/besøgsliste slet 2026-0001 dublet"), "ikke adgang")
	mustContain(t, h.dm("co", "/besøgsliste slet 2026-0001"), "Brug:")
	mustContain(t, h.dm("co", "/besøgsliste slet 2026-0001 registreret to gange"), "er slettet")
	if _, err := h.store.Visit(t.Context(), "2026-0001"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("deleted visit still there: %v", err)
	}
}
