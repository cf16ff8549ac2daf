package workflows

import (
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// UnknownCountry is stored when the nationality is not known (Ukendt).
const UnknownCountry = "unknown"

// country is one nationality a person can have, named as CLDR names it.
type country struct {
	code   string
	da, en string
	keys   []string // folded names, code and aliases that select it
}

// nationalityAliases are the words midwives type for the nationalities they
// meet most, which are adjectives rather than country names.
var nationalityAliases = map[string][]string{
	"TH": {"thai", "thailandsk", "thailaender"},
	"RO": {"rumaensk", "romanian", "rumaener"},
	"NG": {"nigeriansk", "nigerian"},
	"CN": {"kinesisk", "chinese", "kineser"},
	"BG": {"bulgarsk", "bulgarian"},
	"HU": {"ungarsk", "hungarian"},
	"UA": {"ukrainsk", "ukrainian"},
	"RU": {"russisk", "russian"},
	"PL": {"polsk", "polish"},
	"LT": {"litauisk", "lithuanian"},
	"LV": {"lettisk", "latvian"},
	"MD": {"moldovisk", "moldovan"},
	"BR": {"brasiliansk", "brazilian"},
	"CO": {"colombiansk", "colombian"},
	"DO": {"dominikansk", "dominican"},
	"PH": {"filippinsk", "filipino", "philippine"},
	"VN": {"vietnamesisk", "vietnamese"},
	"GH": {"ghanesisk", "ghanaian"},
	"ES": {"spansk", "spanish"},
	"DK": {"dansk", "danish"},
	"GB": {"uk", "england", "britisk", "british"},
	"US": {"usa", "amerikansk", "american"},
	"MM": {"myanmar", "burma", "burmesisk", "burmese"},
}

// notCountries are CLDR regions that are not ISO 3166-1 countries.
var notCountries = map[string]bool{"AC": true, "CP": true, "CQ": true, "DG": true, "EA": true, "IC": true, "TA": true}

// countries builds the table once from CLDR's names in Danish and English.
var countries = sync.OnceValue(func() []country {
	var list []country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			// Deprecated codes (DD, VD, BU, …) share their successor's name
			// and would be found first; EZ, UK, UN have no ISO 3166-1 alpha-3.
			if err != nil || !r.IsCountry() || notCountries[code] || r.Canonicalize().String() != code || r.ISO3() == "ZZZ" {
				continue
			}
			c := country{code: code, da: display.Danish.Regions().Name(r), en: display.English.Regions().Name(r)}
			if c.da == "" || c.en == "" {
				continue
			}
			c.keys = []string{fold(code), fold(c.da), fold(c.en)}
			if iso3 := r.ISO3(); iso3 != "" {
				c.keys = append(c.keys, fold(iso3))
			}
			for _, al := range nationalityAliases[code] {
				c.keys = append(c.keys, fold(al))
			}
			list = append(list, c)
		}
	}
	return list
})

func countryByCode(code string) (country, bool) {
	for _, c := range countries() {
		if c.code == code {
			return c, true
		}
	}
	return country{}, false
}

// parseCountry reads a nationality as a country name in Danish or English,
// an ISO code, or a common adjective; "ukendt"/"unknown" is allowed. An
// unknown name gets the closest names as suggestions.
func parseCountry(_ *Question, in string, _ env) (Answer, *Answer, *Problem) {
	f := fold(in)
	switch f {
	case "ukendt", "unknown", "ved ikke", "don t know", "dont know", "?":
		return Answer{Text: UnknownCountry}, nil, nil
	}
	if f == "" {
		return Answer{}, nil, problem("Jeg fik ikke noget svar.", "I got no answer.")
	}
	for _, c := range countries() {
		for _, k := range c.keys {
			if f == k {
				return Answer{Text: c.code}, nil, nil
			}
		}
	}
	p := problem("Jeg kender ikke landet %s.", "I do not know the country %s.", quote(in))
	for _, c := range closestCountries(f, 3) {
		p.Suggest = append(p.Suggest, Choice{ID: c.code, Label: Text{Da: c.da, En: c.en}})
	}
	if len(p.Suggest) > 0 {
		p.Msg.Da += " Mente du et af disse?"
		p.Msg.En += " Did you mean one of these?"
	} else {
		p.Msg.Da += " Skriv landets navn, fx «Thailand», eller «ukendt»."
		p.Msg.En += " Type the country's name, e.g. «Thailand», or «unknown»."
	}
	return Answer{}, nil, p
}

// closestCountries ranks countries by edit distance of their best-matching
// key to the typed word (a typed beginning counts as close).
func closestCountries(f string, n int) []country {
	type scored struct {
		c country
		d int
	}
	var all []scored
	for _, c := range countries() {
		best := 1 << 30
		for _, k := range c.keys {
			d := EditDistance(f, k)
			if len(f) >= 3 && strings.HasPrefix(k, f) {
				d = 0
			}
			best = min(best, d)
		}
		all = append(all, scored{c, best})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	if len([]rune(f)) < 3 {
		return nil
	}
	limit := max(1, len([]rune(f))/3)
	var out []country
	for _, s := range all {
		if len(out) == n || s.d > limit {
			break
		}
		out = append(out, s.c)
	}
	return out
}

// EditDistance is the optimal-string-alignment distance between two short
// words (Levenshtein, with a swap of two neighbours counting as one edit:
// "Nigeira" is one edit from "Nigeria"). It suggests what a mistyped
// country or command was meant to be.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 {
		ra = ra[:64]
	}
	if len(rb) > 64 {
		rb = rb[:64]
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// showCountry shows the country's name in the user's language.
func showCountry(_ *Question, a Answer, lang Lang) string {
	if a.Text == UnknownCountry {
		return Text{Da: "Ukendt", En: "Unknown"}.In(lang)
	}
	if c, ok := countryByCode(a.Text); ok {
		return Text{Da: c.da, En: c.en}.In(lang)
	}
	return a.Text
}

// CountryName is a stored nationality (ISO code or "unknown") by its name in
// lang, for reports and exports; an unknown code is returned as it is.
func CountryName(code string, lang Lang) string {
	return showCountry(nil, Answer{Text: code}, lang)
}
